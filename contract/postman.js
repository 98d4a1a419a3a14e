#!/usr/bin/env node
// Turn the committed openapi.yaml into a Postman collection that checks the live
// server against it, request by request.
//
//   node contract/postman.js [--spec openapi.yaml] [--output contract/out/hiremix.postman_collection.json]
//   contract/node_modules/.bin/newman run contract/out/hiremix.postman_collection.json \
//       --env-var baseUrl=http://127.0.0.1:8000 --env-var apiKey=$HIREMIX_KEY
//
// openapi-to-postmanv2 makes one request per operation, with the parameters and
// body of the documented examples (parametersResolution: Example). This script then
//
// - makes one request per documented example: every named request-body example of
//   every content type, and every documented 2xx response media type (sent as
//   Accept), so each documented example is sent exactly as written;
// - sends the key as `Authorization: Bearer {{apiKey}}` on operations that declare
//   security, and no credentials on those that do not;
// - adds assertions to every request: the documented 2xx status, the documented
//   Content-Type, the body against the documented response schema (or no body for
//   a response documented without content), and Location on a 201. JSON bodies are
//   checked with pm.response.to.have.jsonSchema (Ajv, draft-07; the 3.1 schema is
//   made self-contained first); a structured schema for a media type the sandbox
//   cannot parse (YAML) shows up as a skipped check, never as a silent pass;
// - orders the requests so that every id is made before it is used: each 201
//   answer's Location is matched against the path templates and its path
//   parameters (`id`, `profile_id`, `version`) become collection variables, which
//   later requests use in place of the documented example ids (in the path, and
//   wherever a request body quotes that example id). Creates run first, then the
//   other writes, then reads, then deletes.
//
// The collection is generated, not committed: it follows openapi.yaml by itself.
'use strict';

const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const converter = require('openapi-to-postmanv2');

const ROOT = path.resolve(__dirname, '..');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// Keywords that JSON Schema 2020-12 (OpenAPI 3.1) has and draft-07 lacks. Postman's
// sandbox validates with Ajv 6 (draft-07), which would silently ignore them, so a
// schema that uses one is refused rather than checked less than it says.
const NOT_IN_DRAFT_07 = ['prefixItems', '$defs', 'dependentRequired', 'dependentSchemas', 'unevaluatedProperties',
  'unevaluatedItems', 'minContains', 'maxContains', '$anchor', '$dynamicRef', '$dynamicAnchor'];

function parseArgs(argv) {
  const args = { spec: path.join(ROOT, 'openapi.yaml'), output: path.join(__dirname, 'out', 'hiremix.postman_collection.json') };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === '--spec' || flag === '--output') {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      args[flag.slice(2)] = path.resolve(argv[i + 1]);
      i += 1;
    } else {
      throw new Error(`unknown argument ${flag}; usage: postman.js [--spec openapi.yaml] [--output collection.json]`);
    }
  }
  return args;
}

function convert(text) {
  const options = {
    parametersResolution: 'Example', // request parameters and bodies from the documented examples
    folderStrategy: 'Tags',
    enableOptionalParameters: false, // optional parameters stay off unless an example is sent on purpose
    alwaysInheritAuthentication: true, // auth is set below, on the collection
    requestNameSource: 'Fallback',
  };
  return new Promise((resolve, reject) => {
    converter.convertV2({ type: 'string', data: text }, options, (error, result) => {
      if (error) reject(error);
      else if (!result.result) reject(new Error(`openapi-to-postmanv2: ${result.reason}`));
      else resolve(result.output[0].data);
    });
  });
}

function resolveRef(spec, node) {
  let current = node;
  const seen = new Set();
  while (current && current.$ref) {
    if (seen.has(current.$ref)) throw new Error(`circular $ref ${current.$ref}`);
    seen.add(current.$ref);
    if (!current.$ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${current.$ref}`);
    current = current.$ref.slice(2).split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((object, key) => (object === undefined ? undefined : object[key]), spec);
    if (current === undefined) throw new Error(`unresolvable $ref ${[...seen].pop()}`);
  }
  return current;
}

// The response schema as a self-contained draft-07 schema: components it uses become
// `definitions`; a $ref with siblings becomes allOf (2020-12 applies both, draft-07
// would ignore the siblings).
function jsonSchemaFor(spec, schema, where) {
  const definitions = {};
  const pending = [];
  const rewrite = (node, at) => {
    if (Array.isArray(node)) return node.map((item, i) => rewrite(item, `${at}/${i}`));
    if (!node || typeof node !== 'object') return node;
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if (NOT_IN_DRAFT_07.includes(key)) {
        throw new Error(`${where}: the schema at ${at} uses '${key}', which Postman's draft-07 validator would ignore`);
      }
      if (key === '$ref') continue;
      if (['properties', 'patternProperties', 'definitions'].includes(key)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, rewrite(sub, `${at}/${key}/${name}`)]));
      } else if (['enum', 'const', 'default', 'example', 'examples', 'required'].includes(key)) {
        out[key] = value;
      } else {
        out[key] = rewrite(value, `${at}/${key}`);
      }
    }
    if (node.$ref) {
      const match = /^#\/components\/schemas\/([^/]+)$/.exec(node.$ref);
      if (!match) throw new Error(`${where}: unsupported $ref ${node.$ref}`);
      const name = match[1].replace(/~1/g, '/').replace(/~0/g, '~');
      if (!(name in definitions)) {
        definitions[name] = null;
        pending.push(name);
      }
      const ref = { $ref: `#/definitions/${match[1]}` };
      return Object.keys(out).length ? { ...out, allOf: [...(out.allOf || []), ref] } : ref;
    }
    return out;
  };
  let root = rewrite(schema, where);
  if (root.$ref) root = { allOf: [root] }; // keep `definitions` beside it meaningful in draft-07
  while (pending.length) {
    const name = pending.shift();
    const component = spec.components && spec.components.schemas && spec.components.schemas[name];
    if (!component) throw new Error(`${where}: no component schema ${name}`);
    definitions[name] = rewrite(component, `#/components/schemas/${name}`);
  }
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...root, ...(Object.keys(definitions).length ? { definitions } : {}) };
}

function isJson(mediaType) {
  return /^application\/(?:[\w.+-]+\+)?json$/i.test(mediaType);
}

function templateOf(url) {
  return `/${url.path.map((part) => (part.startsWith(':') ? `{${part.slice(1)}}` : part)).join('/')}`;
}

function templateRegex(template) {
  const names = [];
  const source = template.split(/(\{[^}]+\})/).map((part) => {
    const param = /^\{([^}]+)\}$/.exec(part);
    if (param) {
      names.push(param[1]);
      return '([^/?#]+)';
    }
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return { source: `^${source}$`, names };
}

function operations(spec) {
  const found = [];
  for (const [template, pathItem] of Object.entries(spec.paths || {})) {
    for (const method of METHODS) {
      const op = pathItem[method];
      if (!op) continue;
      if (!op.operationId) throw new Error(`${method.toUpperCase()} ${template} has no operationId`);
      const params = [...(pathItem.parameters || []), ...(op.parameters || [])].map((p) => resolveRef(spec, p));
      const successes = Object.keys(op.responses || {}).filter((code) => /^2\d\d$/.test(code)).sort();
      if (!successes.length) throw new Error(`${op.operationId}: no documented 2xx response`);
      // Several 2xx (a PUT: 201 stored, 200 unchanged) must document the same body; the last is the one
      // checked for its headers (Location on a 201), and any of them is the documented status.
      const status = successes[successes.length - 1];
      const response = resolveRef(spec, op.responses[status]);
      for (const other of successes) {
        if (JSON.stringify(resolveRef(spec, op.responses[other]).content) !== JSON.stringify(response.content)) {
          throw new Error(`${op.operationId}: the documented ${other} and ${status} answers have different bodies`);
        }
      }
      const security = op.security !== undefined ? op.security : spec.security;
      found.push({
        op, method, template, params, status: Number(status), statuses: successes.map(Number), response,
        needsKey: Array.isArray(security) && security.length > 0 && !security.some((alt) => Object.keys(alt).length === 0),
      });
    }
  }
  return found;
}

// Which path parameters a 201 answer's Location gives, and who gives them.
function producers(ops) {
  const byParam = {};
  for (const info of ops) {
    if (info.status !== 201 || !info.response.headers || !info.response.headers.Location) continue;
    // POST /things makes /things/{thing}; POST /things/{a}/versions makes /things/{a}/versions/{v}.
    for (const other of ops) {
      const match = new RegExp(`^${info.template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\{([^}/]+)\\}$`).exec(other.template);
      if (!match) continue;
      const param = match[1];
      if (byParam[param] && byParam[param] !== info.op.operationId) {
        throw new Error(`path parameter {${param}} is made by both ${byParam[param]} and ${info.op.operationId}; give them distinct names`);
      }
      byParam[param] = info.op.operationId;
    }
  }
  // A 201 can make an id addressed elsewhere (POST /v1/recommendations/{id}/share-links makes
  // /v1/share-links/{share_link_id}): its links name the operations that take `$response.body#/id`, and its
  // Location gives the id. Only for parameters that no path above names.
  const byLink = {};
  for (const info of ops) {
    if (info.status !== 201 || !info.response.headers || !info.response.headers.Location) continue;
    for (const link of Object.values(info.response.links || {})) {
      for (const [param, expression] of Object.entries(link.parameters || {})) {
        if (expression !== '$response.body#/id' || byParam[param]) continue;
        if (byLink[param] && byLink[param] !== info.op.operationId) {
          throw new Error(`path parameter {${param}} is made by both ${byLink[param]} and ${info.op.operationId}; give them distinct names`);
        }
        byLink[param] = info.op.operationId;
      }
    }
  }
  return { ...byParam, ...byLink, ...Object.fromEntries(Object.entries(bodyMade(ops, { ...byParam, ...byLink }))
    .map(([param, made]) => [param, made.operationId])) };
}

// Any other 2xx answer can make an id that no Location names (POST .../test queues a delivery that
// .../deliveries/{delivery_id}/resend takes): its links say which field of the body carries it.
function bodyMade(ops, madeElsewhere) {
  const made = {};
  for (const info of ops) {
    if (info.status < 200 || info.status > 299) continue;
    for (const link of Object.values(info.response.links || {})) {
      for (const [param, expression] of Object.entries(link.parameters || {})) {
        const field = /^\$response\.body#\/(\w+)$/.exec(expression);
        if (!field || madeElsewhere[param] || (made[param] && made[param].operationId !== info.op.operationId)) continue;
        made[param] = { operationId: info.op.operationId, field: field[1] };
      }
    }
  }
  return made;
}

function headerAndCaptureLines(info, captureTemplates) {
  const { status } = info;
  const name = info.op.operationId;
  const lines = [];
  for (const [headerName, header] of Object.entries(info.response.headers || {})) {
    if (header.required || (headerName === 'Location' && status === 201)) {
      const only = info.statuses.length > 1 && !header.required ? `if (pm.response.code === ${status}) ` : '';
      lines.push(
        `pm.test(${JSON.stringify(`${name}: has the documented ${headerName} header`)}, function () {`,
        `    ${only}pm.response.to.have.header(${JSON.stringify(headerName)});`,
        '});',
      );
    }
  }
  const fromBody = Object.entries(info.bodyMade || {});
  if (fromBody.length) {
    // Keep the ids this answer's body carries (its links name the fields), for the requests that follow.
    lines.push(
      'if (pm.response.code >= 200 && pm.response.code < 300) {',
      ...fromBody.map(([param, field]) => `    pm.collectionVariables.set(${JSON.stringify(param)}, pm.response.json()[${JSON.stringify(field)}]);`),
      '}',
    );
  }
  if (captureTemplates.length) {
    // Keep the ids this answer's Location names, for the requests that follow.
    lines.push(
      `const templates = ${JSON.stringify(captureTemplates)};`,
      'if (pm.response.code >= 200 && pm.response.code < 300) { // a wrong 2xx fails above; its ids still serve',
      "    const location = (pm.response.headers.get('Location') || '').replace(/^[a-z]+:\\/\\/[^/]+/i, '').split('?')[0];",
      '    for (const template of templates) {',
      '        const match = new RegExp(template.source).exec(location);',
      '        if (match) template.names.forEach(function (name, i) { pm.collectionVariables.set(name, decodeURIComponent(match[i + 1])); });',
      '    }',
      '}',
    );
  }
  return lines;
}

function testScript(info, mediaType, schema, captureTemplates) {
  const { status } = info;
  const name = info.op.operationId;
  const lines = [
    '// Generated by contract/postman.js from openapi.yaml.',
    `pm.test(${JSON.stringify(`${name}: status is the documented ${info.statuses.join(' or ')}`)}, function () {`,
    info.statuses.length > 1
      ? `    pm.expect(pm.response.code, 'answer ' + pm.response.text().slice(0, 300)).to.be.oneOf(${JSON.stringify(info.statuses)});`
      : `    pm.expect(pm.response.code, 'answer ' + pm.response.text().slice(0, 300)).to.eql(${status});`,
    '});',
  ];
  if (mediaType) {
    lines.push(
      `pm.test(${JSON.stringify(`${name}: Content-Type is ${mediaType}`)}, function () {`,
      "    const contentType = (pm.response.headers.get('Content-Type') || '').split(';')[0].trim().toLowerCase();",
      `    pm.expect(contentType).to.eql(${JSON.stringify(mediaType.toLowerCase())});`,
      '});',
    );
  } else {
    lines.push(
      `pm.test(${JSON.stringify(`${name}: no body, as documented`)}, function () {`,
      "    pm.expect(pm.response.text()).to.eql('');",
      '});',
    );
  }
  if (schema) {
    const label = `${name}: body matches the documented ${status} schema`;
    if (isJson(mediaType)) {
      lines.push(
        `const schema = ${JSON.stringify(schema)};`,
        `pm.test(${JSON.stringify(label)}, function () {`,
        '    pm.response.to.have.jsonSchema(schema);',
        '});',
      );
    } else {
      // Text bodies: a `type: string` schema is checked as text. The sandbox has no parser
      // for other media types (YAML, say), so a structured schema for one is reported as
      // a skipped check, visible in newman's summary, instead of passing silently.
      if (schema.type !== undefined && schema.type !== 'string') {
        lines.push(`pm.test.skip(${JSON.stringify(`${label} (not checked: Postman cannot parse ${mediaType} to check a ${JSON.stringify(schema.type)} schema)`)}, function () {});`);
        return lines.concat(headerAndCaptureLines(info, captureTemplates));
      }
      const limits = [];
      if (schema.minLength !== undefined) limits.push(`    pm.expect(pm.response.text().length).to.be.at.least(${schema.minLength});`);
      if (schema.maxLength !== undefined) limits.push(`    pm.expect(pm.response.text().length).to.be.at.most(${schema.maxLength});`);
      if (schema.pattern !== undefined) limits.push(`    pm.expect(pm.response.text()).to.match(new RegExp(${JSON.stringify(schema.pattern)}, 'u'));`);
      lines.push(`pm.test(${JSON.stringify(label)}, function () {`, "    pm.expect(pm.response.text()).to.be.a('string');", ...limits, '});');
    }
  }
  return lines.concat(headerAndCaptureLines(info, captureTemplates));
}

function phaseOf(info) {
  if (info.method === 'post' && info.status === 201) return 0; // creates: they make the ids
  if (info.method === 'delete') return 3;
  if (['get', 'head', 'options'].includes(info.method)) return 2;
  return 1;
}

async function build(args) {
  const text = fs.readFileSync(args.spec, 'utf8');
  const spec = yaml.load(text);
  const collection = await convert(text);
  const ops = operations(spec);
  const madeBy = producers(ops);
  for (const [param, made] of Object.entries(bodyMade(ops, {}))) {
    if (madeBy[param] !== made.operationId) continue; // made elsewhere (a Location) first
    const info = ops.find((candidate) => candidate.op.operationId === made.operationId);
    info.bodyMade = { ...(info.bodyMade || {}), [param]: made.field };
  }
  const templates = ops.map((info) => ({ template: info.template, ...templateRegex(info.template) }));

  // The converter's request of each operation, by method and path template.
  const converted = new Map();
  const walk = (items) => items.forEach((item) => {
    if (item.item) walk(item.item);
    else converted.set(`${item.request.method.toLowerCase()} ${templateOf(item.request.url)}`, item);
  });
  walk(collection.item);

  const exampleIds = {}; // documented example of a made path parameter -> parameter name
  for (const info of ops) {
    for (const param of info.params) {
      if (param.in === 'path' && madeBy[param.name] && param.example !== undefined) exampleIds[String(param.example)] = param.name;
    }
  }

  const steps = [];
  ops.forEach((info, index) => {
    const base = converted.get(`${info.method} ${info.template}`);
    if (!base) throw new Error(`openapi-to-postmanv2 made no request for ${info.op.operationId}`);
    const uses = new Set();
    const pathVariables = (base.request.url.variable || []).map((variable) => {
      if (madeBy[variable.key]) {
        uses.add(variable.key);
        return { ...variable, value: `{{${variable.key}}}` };
      }
      if (variable.value === undefined || variable.value === '') {
        throw new Error(`${info.op.operationId}: path parameter {${variable.key}} has no documented example and no request makes one`);
      }
      return variable;
    });

    // Request variants: each named example of each request content type.
    const bodies = [];
    const requestBody = info.op.requestBody && resolveRef(spec, info.op.requestBody);
    if (requestBody) {
      for (const [mediaType, content] of Object.entries(requestBody.content || {})) {
        if (content.examples) {
          for (const [exampleName, example] of Object.entries(content.examples)) {
            bodies.push({ mediaType, label: exampleName, value: resolveRef(spec, example).value });
          }
        } else if (content.example !== undefined) {
          bodies.push({ mediaType, label: Object.keys(requestBody.content).length > 1 ? mediaType : null, value: content.example });
        } else {
          throw new Error(`${info.op.operationId}: the ${mediaType} request body has no documented example`);
        }
      }
    } else {
      bodies.push(null);
    }
    // Response variants: each documented media type of the 2xx answer, asked for by Accept.
    const contents = Object.entries(info.response.content || {});
    const answers = contents.length ? contents.map(([mediaType, content]) => ({ mediaType, schema: content.schema })) : [null];
    const captureTemplates = info.status === 201 && info.response.headers && info.response.headers.Location
      ? [...new Map(templates.filter((t) => t.names.some((n) => madeBy[n] === info.op.operationId))
        .map(({ source, names }) => [source, { source, names }])).values()]
      : [];

    for (const body of bodies) {
      for (const answer of answers) {
        const request = JSON.parse(JSON.stringify(base.request));
        const stepUses = new Set(uses);
        request.url.variable = pathVariables;
        request.auth = info.needsKey ? null : { type: 'noauth' }; // null: the collection's Bearer {{apiKey}}
        request.header = (request.header || []).filter((h) => !['content-type', 'accept'].includes(h.key.toLowerCase()));
        if (body) {
          let raw = typeof body.value === 'string' ? body.value : JSON.stringify(body.value, null, 2);
          if (typeof body.value !== 'string') {
            // A body that quotes a documented example id gets the id made earlier in the run.
            raw = JSON.stringify(body.value, (key, value) => {
              if (typeof value === 'string' && exampleIds[value]) {
                stepUses.add(exampleIds[value]);
                return `{{${exampleIds[value]}}}`;
              }
              return value;
            }, 2);
          }
          request.header.push({ key: 'Content-Type', value: body.mediaType });
          request.body = { mode: 'raw', raw, options: { raw: { language: isJson(body.mediaType) ? 'json' : 'text' } } };
        } else {
          delete request.body;
        }
        if (answer) request.header.push({ key: 'Accept', value: answer.mediaType });
        const labels = [body && body.label, answers.length > 1 && answer ? `Accept ${answer.mediaType}` : null].filter(Boolean);
        const name = [info.op.operationId, ...labels].join(' · ');
        request.name = name;
        let schema = answer && answer.schema ? resolveRef(spec, answer.schema) : null;
        if (schema && isJson(answer.mediaType)) schema = jsonSchemaFor(spec, answer.schema, `${info.op.operationId} ${info.status} ${answer.mediaType}`);
        steps.push({
          index, phase: phaseOf(info), uses: stepUses, makes: info.op.operationId,
          item: {
            name,
            request,
            response: (base.response || []).filter((r) => String(r.code) === String(info.status)),
            event: [{ listen: 'test', script: { type: 'text/javascript', exec: testScript(info, answer && answer.mediaType, schema, captureTemplates) } }],
            protocolProfileBehavior: base.protocolProfileBehavior,
          },
        });
      }
    }
  });

  // Order: every step after the steps that make what it uses, and a delete after every step that uses
  // an id made from the id it deletes (a recommendation's delete after its share links' steps: it takes
  // them along); otherwise creates, other writes, reads, deletes, each in the document's order.
  const usedByMaker = {};
  steps.forEach((step) => { usedByMaker[step.makes] = new Set([...(usedByMaker[step.makes] || []), ...step.uses]); });
  const madeFrom = (param) => Object.keys(madeBy).filter((other) => other !== param && usedByMaker[madeBy[other]]
    && usedByMaker[madeBy[other]].has(param));
  const ordered = [];
  const remaining = [...steps];
  while (remaining.length) {
    const ready = remaining.filter((step) => [...step.uses].every((param) => {
      const maker = madeBy[param];
      if (remaining.some((other) => other.makes === maker && other !== step)) return false;
      if (step.phase !== 3) return true;
      const derived = madeFrom(param);
      return !remaining.some((other) => other !== step && [...other.uses].some((used) => derived.includes(used)));
    }));
    if (!ready.length) throw new Error(`cannot order the requests: ${remaining.map((s) => s.item.name).join(', ')}`);
    ready.sort((a, b) => a.phase - b.phase || a.index - b.index);
    const next = ready[0];
    remaining.splice(remaining.indexOf(next), 1);
    ordered.push(next.item);
  }

  const variables = [{ key: 'baseUrl', value: (spec.servers && spec.servers[0] && spec.servers[0].url) || 'http://127.0.0.1:8000' },
    { key: 'apiKey', value: '' }];
  for (const [param] of Object.entries(madeBy)) {
    const documented = Object.keys(exampleIds).find((value) => exampleIds[value] === param);
    variables.push({ key: param, value: documented === undefined ? '' : documented, description: `set from the Location of ${madeBy[param]}` });
  }
  return {
    info: {
      ...collection.info,
      name: `${collection.info.name} contract`,
      description: `${(collection.info.description && collection.info.description.content) || ''}\n\nGenerated by contract/postman.js from openapi.yaml: every documented example, in an order that makes ids before using them, each checked against the documented status, Content-Type and schema. Set apiKey (and baseUrl), then run the whole collection.`,
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{apiKey}}', type: 'string' }] },
    variable: variables,
    item: ordered,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const collection = await build(args);
  fs.mkdirSync(path.dirname(args.output), { recursive: true });
  fs.writeFileSync(args.output, `${JSON.stringify(collection, null, 2)}\n`);
  process.stdout.write(`${collection.item.length} requests written to ${path.relative(process.cwd(), args.output) || args.output}\n`);
}

main().catch((error) => {
  process.stderr.write(`postman.js: ${error.message}\n`);
  process.exit(1);
});
