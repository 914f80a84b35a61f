#!/usr/bin/env node
// Signs a file keyless with the real sigstore-js client (`sigstore.sign`, or `sigstore.attest`
// for an in-toto Statement) against configurable Fulcio/Rekor/TSA URLs (in the tests: the local
// mock services) and writes the bundle, so Bulwark's verifier is tested on bundles it did not make.
//
// usage: NODE_PATH=tests/sigstore/node_modules node sign-blob.js \
//          --file FILE --out BUNDLE.json --url MOCK_URL --token TOKEN_FILE [--attest] [--no-tsa]
// --url sets all three services; --attest treats FILE as an in-toto Statement (DSSE bundle).
'use strict';
const fs = require('node:fs');
const sigstore = require('sigstore');

const args = { attest: false, tsa: true };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--attest') args.attest = true;
  else if (a === '--no-tsa') args.tsa = false;
  else if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
for (const need of ['file', 'out', 'url', 'token']) {
  if (!args[need]) {
    console.error(`missing --${need}`);
    process.exit(2);
  }
}

const options = {
  fulcioURL: args.url,
  rekorURL: args.url,
  identityToken: fs.readFileSync(args.token, 'utf8').trim(),
  timeout: 10000,
};
if (args.tsa) options.tsaServerURL = args.url;

const data = fs.readFileSync(args.file);
const signing = args.attest
  ? sigstore.attest(data, 'application/vnd.in-toto+json', options)
  : sigstore.sign(data, options);
signing
  .then((bundle) => fs.writeFileSync(args.out, JSON.stringify(bundle) + '\n'))
  .catch((e) => {
    console.error('signing failed:', e.code || '', e.message);
    process.exit(1);
  });
