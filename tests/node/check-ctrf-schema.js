// check-ctrf-schema.js FILE...: validate each file against the JSON schema
// CTRF publishes with its reference implementation (npm ctrf, the schema it
// ships in dist/). Prints one line per file; exits 1 when any does not
// conform.
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

// the package exports only its code: its directory is found through its entry point
const dir = path.dirname(require.resolve('ctrf'));
const schemaFile = fs.readdirSync(dir).filter((f) => /^ctrf-schema-.*\.json$/.test(f)).sort().pop();
if (!schemaFile) {
  console.log(`no CTRF schema in ${dir}`);
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(path.join(dir, schemaFile), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

let bad = 0;
for (const f of process.argv.slice(2)) {
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (validate(doc)) {
    console.log(`ok ${f} (${schemaFile})`);
  } else {
    bad++;
    for (const e of validate.errors)
      console.log(`${f}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  }
}
process.exit(bad ? 1 : 0);
