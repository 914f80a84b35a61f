#!/usr/bin/env node
// Validates SBOM documents against the official JSON schemas with ajv (+ ajv-formats).
//
//   node tests/ajv/validate.js KIND FILE...
//
// KIND is cyclonedx-1.5, cyclonedx-1.6, spdx-2.3 or sarif-2.1.0. The CycloneDX and SPDX schemas are
// read from $BULWARK_SCHEMA_DIR, else from ../shared/data/schemas next to the repository (see that
// folder's SOURCE.md); the SARIF 2.1.0 schema (sarif-2.1.0-rtm.5, the OASIS release) from the npm
// package @microsoft/jest-sarif, which ships it.
// Prints one line per file ("ok FILE" or "invalid FILE" followed by ajv's errors).
// Exit status: 0 every file is valid, 1 at least one is not, 2 usage or I/O error.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv').default;
const Ajv2019 = require('ajv/dist/2019').default;
const AjvDraft04 = require('ajv-draft-04').default;
const addFormats = require('ajv-formats').default;

const schemaDir =
  process.env.BULWARK_SCHEMA_DIR || path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'schemas');

// ajv-formats knows neither of these two formats the CycloneDX schemas use: check their shape
// (an IRI reference has no spaces, controls or characters RFC 3987 excludes; an address has an '@').
function addIriFormats(ajv) {
  ajv.addFormat('iri-reference', /^[^\s<>"{}|\\^`\u0000-\u001f\u007f]*$/u);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// The CycloneDX bom schemas $ref "spdx.SNAPSHOT.schema.json" and "jsf-0.82.SNAPSHOT.schema.json"
// relative to their own $id, while those two files declare ids without ".SNAPSHOT": register them
// under the names the bom schemas use (as @cyclonedx/cyclonedx-library does).
function cyclonedx(minor) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  addIriFormats(ajv);
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    const schema = readJson(path.join(schemaDir, name));
    schema.$id = `http://cyclonedx.org/schema/${name}`;
    ajv.addSchema(schema);
  }
  return ajv.compile(readJson(path.join(schemaDir, `bom-1.${minor}.SNAPSHOT.schema.json`)));
}

// SPDX 2.3's schema is JSON Schema draft 2019-09.
function spdx() {
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  return ajv.compile(readJson(path.join(schemaDir, 'spdx-2.3.schema.json')));
}

// SARIF 2.1.0's schema is JSON Schema draft-04; its "language" pattern has a stray ']' that a
// Unicode-mode regular expression rejects, so patterns are compiled without the u flag.
function sarif() {
  const ajv = new AjvDraft04({ strict: false, allErrors: true, validateFormats: true, unicodeRegExp: false });
  addFormats(ajv);
  const file = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  return ajv.compile(readJson(file));
}

const kinds = {
  'cyclonedx-1.5': () => cyclonedx(5),
  'cyclonedx-1.6': () => cyclonedx(6),
  'spdx-2.3': spdx,
  'sarif-2.1.0': sarif,
};

function main(argv) {
  const [kind, ...files] = argv;
  if (!kinds[kind] || files.length === 0) {
    process.stderr.write(`usage: validate.js {${Object.keys(kinds).join('|')}} FILE...\n`);
    return 2;
  }
  let validate;
  try {
    validate = kinds[kind]();
  } catch (e) {
    process.stderr.write(`validate.js: cannot load the ${kind} schema from ${schemaDir}: ${e.message}\n`);
    return 2;
  }
  let status = 0;
  for (const file of files) {
    let doc;
    try {
      doc = readJson(file);
    } catch (e) {
      process.stderr.write(`validate.js: ${file}: ${e.message}\n`);
      return 2;
    }
    if (validate(doc)) {
      process.stdout.write(`ok ${file}\n`);
    } else {
      status = 1;
      process.stdout.write(`invalid ${file}\n`);
      for (const err of validate.errors) {
        const params = { ...err.params };
        if (Array.isArray(params.allowedValues)) params.allowedValues = `${params.allowedValues.length} values`;
        process.stdout.write(`  ${err.instancePath || '/'} ${err.message} ${JSON.stringify(params)}\n`);
      }
    }
  }
  return status;
}

process.exitCode = main(process.argv.slice(2));
