// check-github-openapi.js LOG: check every request in LOG (the contract
// server's JSON lines) against GitHub's published OpenAPI description
// (npm @octokit/openapi, api.github.com): the path and the method must be
// an operation of the API, its required query parameters present, and a
// JSON body must validate against the operation's request schema.
// Prints one line per request; exits 1 when any does not conform.
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const specFile = path.join(path.dirname(require.resolve('@octokit/openapi/package.json')),
  'generated', 'api.github.com.deref.json');
const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

// Path templates as regular expressions, the most literal first.
const templates = Object.keys(spec.paths).map((t) => ({
  t,
  re: new RegExp('^' + t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
  literal: t.replace(/\{[^}]+\}/g, '').length,
})).sort((a, b) => b.literal - a.literal);

let bad = 0;
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.trim());
for (const line of lines) {
  const r = JSON.parse(line);
  const what = `${r.method} ${r.path}`;
  const tpl = templates.find((x) => x.re.test(r.path));
  const op = tpl && spec.paths[tpl.t][r.method.toLowerCase()];
  if (!op) {
    console.log(`not in GitHub's API: ${what}`);
    bad++;
    continue;
  }
  const problems = [];
  for (const p of op.parameters || []) {
    if (p.in === 'query' && p.required && !(r.query && p.name in r.query))
      problems.push(`missing query parameter ${p.name}`);
    if (p.in === 'query' && r.query && p.name in r.query && p.schema) {
      let v = r.query[p.name][0];
      if (p.schema.type === 'integer' || p.schema.type === 'number') v = Number(v);
      if (!ajv.validate(p.schema, v))
        problems.push(`query ${p.name}: ${ajv.errorsText(ajv.errors)}`);
    }
  }
  const schema = op.requestBody && op.requestBody.content &&
    op.requestBody.content['application/json'] && op.requestBody.content['application/json'].schema;
  if (r.body && r.body.length) {
    if (!schema) {
      problems.push('a body the operation does not take');
    } else {
      let body;
      try {
        body = JSON.parse(r.body);
      } catch (e) {
        problems.push('a body that is not JSON');
      }
      if (body !== undefined && !ajv.validate(schema, body))
        problems.push(ajv.errorsText(ajv.errors, { dataVar: 'body' }));
    }
  } else if (op.requestBody && op.requestBody.required) {
    problems.push('no body, and the operation requires one');
  }
  if (problems.length) {
    console.log(`${what} (${op.operationId}): ${problems.join('; ')}`);
    bad++;
  } else {
    console.log(`ok ${what} (${op.operationId})`);
  }
}
process.exit(bad ? 1 : 0);
