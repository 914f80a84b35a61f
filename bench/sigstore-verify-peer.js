#!/usr/bin/env node
// The peer of bench/trust_bench: how long @sigstore/verify (the library the sigstore npm client
// verifies with) takes to verify one bundle offline, measured in-process after a warm-up so only
// verification is timed. Prints "p50_ms p99_ms" for RUNS verifications.
//
// usage: NODE_PATH=tests/sigstore/node_modules node sigstore-verify-peer.js \
//            BUNDLE TRUSTED_ROOT ARTIFACT SAN ISSUER RUNS
'use strict';
const fs = require('node:fs');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

const [bundlePath, rootPath, artifactPath, san, issuer, runsText] = process.argv.slice(2);
const runs = Number(runsText || 200);
const bundleJson = JSON.parse(fs.readFileSync(bundlePath, 'utf8'));
const material = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8'))));
const artifact = fs.readFileSync(artifactPath);
const policy = { subjectAlternativeName: san, extensions: { issuer } };

// One cold verification: the bundle parsed and every check run, as Bulwark's figure does.
function once() {
  const verifier = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
  verifier.verify(toSignedEntity(bundleFromJSON(bundleJson), artifact), policy);
}

for (let i = 0; i < 20; i++) once();
const times = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  once();
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
console.log(`${at(0.5).toFixed(3)} ${at(0.99).toFixed(3)}`);
