// check-azure-openapi.js LOG SPECDIR: check every request in LOG (the
// contract server's JSON lines) against Azure DevOps' own REST API
// descriptions in SPECDIR (Swagger 2.0: git.json, test.json; version 7.1):
// the path and the method must be an operation of the API, its required
// query parameters present (api-version=7.1), its path and query
// parameters of their types, and a JSON body must validate against the
// operation's body schema, its $refs resolved from the description's
// definitions.
//
// Two rules the descriptions state in words are checked too: a string
// property whose description lists its valid values ("Valid values = (A,
// B)", "valid states - A, B") takes only those, and one that says
// "maxSize= N" holds at most N characters. A body may carry no property
// its schema does not name (a misspelt field would be dropped silently by
// Azure).
// Prints one line per request; exits 1 when any does not conform.
const fs = require('fs');
const path = require('path');
const Ajv2019 = require('ajv/dist/2019');
const addFormats = require('ajv-formats');

const dir = process.argv[3];
const specs = ['git.json', 'test.json'].map((f) => {
  const text = fs.readFileSync(path.join(dir, f), 'utf8').replace(/^\uFEFF/, '');
  return JSON.parse(text);
});

const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);

// The formats the descriptions use that JSON Schema does not define.
function walk(node, fn) {
  if (Array.isArray(node)) {
    node.forEach((n) => walk(n, fn));
  } else if (node && typeof node === 'object') {
    fn(node);
    Object.values(node).forEach((n) => walk(n, fn));
  }
}
const known = new Set();
specs.forEach((s) => walk(s, (n) => {
  if (typeof n.format === 'string' && !ajv.formats[n.format] && !known.has(n.format)) {
    known.add(n.format);
    ajv.addFormat(n.format, n.format.startsWith('int') ?
      { type: 'number', validate: Number.isInteger } : true);
  }
}));

// The rules in words, made schema: valid values and maximum sizes.
function tighten(defs) {
  const inAllOf = new Set();
  walk(defs, (n) => (n.allOf || []).forEach((a) => a.$ref && inAllOf.add(a.$ref.split('/').pop())));
  for (const [name, def] of Object.entries(defs)) {
    for (const prop of Object.values(def.properties || {})) {
      const d = prop.description || '';
      const m = d.match(/valid (?:values|states)\s*[=-]\s*\(?\s*([A-Za-z]+(?:\s*,\s*[A-Za-z]+)+)/i);
      if (m && prop.type === 'string')
        prop.enum = m[1].split(',').map((v) => v.trim());
      const size = d.match(/maxSize\s*=\s*(\d+)/);
      if (size && prop.type === 'string')
        prop.maxLength = Number(size[1]);
    }
    if (def.properties && !inAllOf.has(name))
      def.unevaluatedProperties = false;
  }
  return defs;
}

// Operations, with their path templates as regular expressions, the most literal first.
const ops = [];
for (const s of specs) {
  const defs = tighten(s.definitions);
  for (const [t, item] of Object.entries(s.paths)) {
    const re = new RegExp('^' + t.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{([^}]+)\}/g, '(?<$1>[^/]+)') + '$');
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters')
        continue;
      const params = (op.parameters || []).map((p) => (p.$ref ? s.parameters[p.$ref.split('/').pop()] : p));
      ops.push({ t, re, method: method.toUpperCase(), op, params, defs,
        literal: t.replace(/\{[^}]+\}/g, '').length });
    }
  }
}
ops.sort((a, b) => b.literal - a.literal);

function typeOk(p, v) {
  if (p.type === 'integer')
    return /^-?\d+$/.test(v);
  if (p.type === 'boolean')
    return v === 'true' || v === 'false';
  return true;
}

let bad = 0;
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.trim());
for (const line of lines) {
  const r = JSON.parse(line);
  const what = `${r.method} ${r.path}`;
  const found = ops.find((o) => o.method === r.method && o.re.test(r.path));
  if (!found) {
    console.log(`not in Azure DevOps' API: ${what}`);
    bad++;
    continue;
  }
  const problems = [];
  const names = found.re.exec(r.path).groups || {};
  const query = r.query || {};
  for (const p of found.params) {
    if (p.in === 'path' && names[p.name] !== undefined && !typeOk(p, decodeURIComponent(names[p.name])))
      problems.push(`path parameter ${p.name} is not ${p.type}`);
    if (p.in !== 'query')
      continue;
    if (p.required && !(p.name in query))
      problems.push(`missing query parameter ${p.name}`);
    if (p.name in query && !typeOk(p, query[p.name][0]))
      problems.push(`query ${p.name} is not ${p.type}`);
    if (p.name === 'api-version' && query[p.name] && query[p.name][0] !== '7.1')
      problems.push(`api-version ${query[p.name][0]}, not 7.1`);
  }
  for (const q of Object.keys(query))
    if (!found.params.some((p) => p.in === 'query' && p.name === q))
      problems.push(`query parameter ${q} is not the operation's`);
  const bodyParam = found.params.find((p) => p.in === 'body');
  if (r.body && r.body.length) {
    if (!bodyParam) {
      problems.push('a body the operation does not take');
    } else {
      let body;
      try {
        body = JSON.parse(r.body);
      } catch (e) {
        problems.push('a body that is not JSON');
      }
      const schema = Object.assign({ definitions: found.defs }, bodyParam.schema);
      if (body !== undefined && !ajv.validate(schema, body))
        problems.push(ajv.errorsText(ajv.errors, { dataVar: 'body' }));
    }
  } else if (bodyParam && bodyParam.required) {
    problems.push('no body, and the operation requires one');
  }
  if (problems.length) {
    console.log(`${what} (${found.op.operationId}): ${problems.join('; ')}`);
    bad++;
  } else {
    console.log(`ok ${what} (${found.op.operationId})`);
  }
}
process.exit(bad ? 1 : 0);
