// check-adaptive-card.js LOG: read every Adaptive Card that the contract
// server recorded on a Teams Workflows webhook (POST /workflows/..., one
// JSON line per request) with Microsoft's Adaptive Cards library (npm
// adaptivecards), as a host of schema version 1.4 would. Any parse or
// validation event (an unknown element or action, a value out of its
// enumeration, a property of a later version) is a failure. Each card is
// also validated against the Adaptive Card JSON schema that Microsoft's
// card designer ships (npm adaptivecards-designer, lib/adaptive-card-
// schema.js, JSON Schema draft-06) with ajv: its elements, actions, required
// properties and enumerations. Prints one line per card; exits 1 when any
// card has a problem.
const fs = require('fs');
const Ajv = require('ajv');
const AC = require('adaptivecards/dist/adaptivecards.js');
const shipped = require('adaptivecards-designer/lib/adaptive-card-schema.js').adaptiveCardSchema;

// The schema names itself with draft-04's "id"; draft-06, which it declares, spells it "$id".
const schema = JSON.parse(JSON.stringify(shipped));
if (schema.id && !schema.$id) {
  schema.$id = schema.id;
  delete schema.id;
}
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
const validate = ajv.compile(schema);

let bad = 0;
let n = 0;
for (const line of fs.readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line)
    continue;
  const r = JSON.parse(line);
  if (r.method !== 'POST' || !r.path.startsWith('/workflows/'))
    continue;
  n++;
  const card = JSON.parse(r.body).attachments[0].content;
  const ctx = new AC.SerializationContext(new AC.Version(1, 4));
  const ac = new AC.AdaptiveCard();
  ac.parse(card, ctx);
  const problems = [];
  for (let i = 0; i < ctx.eventCount; i++)
    problems.push(ctx.getEventAt(i).message);
  for (const e of ac.validateProperties().validationEvents)
    problems.push(e.message);
  if (card.version !== '1.4')
    problems.push(`version ${card.version}, not 1.4`);
  if (!validate(card))
    for (const e of validate.errors)
      problems.push(`schema: ${e.instancePath || '/'} ${e.message}`);
  if (problems.length) {
    bad++;
    console.log(`card ${n}: ${problems.join('; ')}`);
  } else {
    console.log(`ok card ${n}: ${ac.getItemCount()} elements, ${ac.getActionCount()} actions, valid against the schema`);
  }
}
if (!n) {
  console.log('no card recorded');
  process.exit(1);
}
process.exit(bad ? 1 : 0);
