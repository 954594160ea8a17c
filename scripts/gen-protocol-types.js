#!/usr/bin/env node
/**
 * Protocol files -> TypeScript (ADR 0014). For kernel/protocol.avsc (the
 * broker's own services), overlay/protocol.avsc and every
 * modules/<name>/protocol.avsc, writes lib/protocol/<name>.ts: the protocol
 * document itself (the module's manifest names it, the module host compiles it
 * and checks each request against it), the request/response types of every
 * method, which the handlers and the client API (cli/api) both import, and
 * the payload type of every event the file declares (its `events`, ADR 0019).
 * lib/protocol/events.ts gathers the events of every file: the documents the
 * broker checks each event against, and the `Events` map (topic -> payload)
 * that types publish() and subscribe(). `npm run build` runs this before tsc; the
 * output is committed. `--check` writes nothing and exits 1 when a file is
 * not what the protocol files give (test/unit/api/protocol-files.test.ts).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'lib', 'protocol');

/** [name, source file] for every protocol file */
function sources() {
  const out = [];
  const kernel = path.join(ROOT, 'kernel', 'protocol.avsc');
  if (fs.existsSync(kernel)) out.push(['broker', kernel]);
  const overlay = path.join(ROOT, 'overlay', 'protocol.avsc');
  if (fs.existsSync(overlay)) out.push(['overlay', overlay]);
  const mods = path.join(ROOT, 'modules');
  for (const d of fs.readdirSync(mods).sort()) {
    const f = path.join(mods, d, 'protocol.avsc');
    if (fs.existsSync(f)) out.push([d, f]);
  }
  return out;
}

const pascal = (s) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

const PRIM = { null: 'null', boolean: 'boolean', int: 'number', long: 'number', float: 'number', double: 'number', string: 'string', bytes: 'Buffer' };

function docComment(doc, indent) {
  if (!doc) return '';
  return `${indent}/** ${String(doc).replace(/\*\//g, '*\\/')} */\n`;
}

/** Generates declarations for one protocol; named types are emitted once. */
class Gen {
  constructor(file) {
    this.file = file;
    this.decls = [];
    this.named = new Set();
  }

  /** The TS type of an Avro schema (emitting declarations for named types). */
  type(s) {
    if (typeof s === 'string') {
      if (s in PRIM) return PRIM[s];
      const short = s.slice(s.lastIndexOf('.') + 1);
      if (this.named.has(short)) return short;
      throw new Error(`${this.file}: unknown type ${s}`);
    }
    if (Array.isArray(s)) return [...new Set(s.map((b) => this.type(b)))].join(' | ');
    if (s.logicalType === 'json') return 'unknown';
    if (s.logicalType === 'json-object') return 'object';
    if (s.logicalType === 'jobid') return 'number';
    switch (s.type) {
      case 'record':
        this.record(s.name, s.fields, s.doc);
        return s.name;
      case 'enum': {
        this.named.add(s.name);
        this.decls.push(`${docComment(s.doc, '')}export type ${s.name} = ${s.symbols.map((x) => `'${x}'`).join(' | ')};\n`);
        return s.name;
      }
      case 'array':
        return `Array<${this.type(s.items)}>`;
      case 'map':
        return `{ [key: string]: ${this.type(s.values)} }`;
      case 'fixed':
        return 'Buffer';
      default:
        return this.type(s.type);
    }
  }

  /** An interface for a record (its name as in the schema). */
  record(name, fields, doc) {
    if (this.named.has(name)) throw new Error(`${this.file}: type ${name} defined twice`);
    this.named.add(name);
    const lines = [];
    for (const f of fields) {
      const opt = f.default !== undefined ? '?' : '';
      lines.push(`${docComment(f.doc, '  ')}  ${f.name}${opt}: ${this.type(f.type)};\n`);
    }
    // a record without fields: nothing to read (extra fields are ignored), and `{}` answers it
    if (lines.length === 0) this.decls.push(`${docComment(doc, '')}export type ${name} = Record<string, never>;\n`);
    else this.decls.push(`${docComment(doc, '')}export interface ${name} {\n${lines.join('')}}\n`);
  }
}

const constOf = (name) => `${name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())}Protocol`;

/** `{text, events: [topics]}` for one protocol file */
function generate(name, file) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const rel = path.relative(ROOT, file);
  const prefix = pascal(name);
  const g = new Gen(rel);
  for (const t of doc.types ?? []) g.type(t);
  const table = [];
  for (const [method, m] of Object.entries(doc.messages)) {
    const base = pascal(method).startsWith(prefix) ? pascal(method) : `${prefix}${pascal(method)}`;
    g.record(`${base}Request`, m.request, m.doc ? `${method}: ${m.doc}` : undefined);
    const res = g.type(m.response);
    if (res !== `${base}Response`) g.decls.push(`export type ${base}Response = ${res};\n`);
    table.push(`  '${method}': { request: ${base}Request; response: ${base}Response };\n`);
  }
  // events: whole topics; their payload is a record, as a request is (ADR 0019)
  const events = [];
  for (const [topic, e] of Object.entries(doc.events ?? {})) {
    if (!Array.isArray(e.payload)) throw new Error(`${rel}: event ${topic}: payload must be a list of fields`);
    const t = `${pascal(topic)}Event`;
    g.record(t, e.payload, e.doc ? `${topic}: ${e.doc}` : undefined);
    events.push(`  '${topic}': ${t};\n`);
  }
  const constName = constOf(name);
  const eventMap =
    events.length === 0 ? '' : `\n/** Every event this protocol declares: topic -> payload (kernel/api publish/subscribe, ADR 0019). */\nexport interface ${prefix}Events {\n${events.join('')}}\n`;
  const text = (
    `// Generated by scripts/gen-protocol-types.js from ${rel}: do not edit (ADR 0014).\n` +
    `import type { ProtocolDoc } from './avro';\n\n` +
    `/** The protocol document: the module's manifest names it; the module host checks each request against it. */\n` +
    `export const ${constName}: ProtocolDoc = ${JSON.stringify(doc, null, 2)};\n\n` +
    g.decls.join('\n') +
    `\n/** Every method's request and response types (kernel/api methods<${prefix}Protocol>()). */\n` +
    `export interface ${prefix}Protocol {\n${table.join('')}}\n` +
    eventMap
  );
  return { text, events: events.length === 0 ? undefined : { prefix, constName, topics: Object.keys(doc.events) } };
}

/** lib/protocol/events.ts: every file's events, in one map (a topic declared twice is an error) */
function eventsFile(withEvents) {
  const seen = new Map();
  for (const [name, e] of withEvents) {
    for (const t of e.topics) {
      if (seen.has(t)) throw new Error(`event ${t} is declared by both ${seen.get(t)} and ${name}`);
      seen.set(t, name);
    }
  }
  const imports = withEvents.map(([name, e]) => `import { ${e.constName}, type ${e.prefix}Events } from './${name}';\n`).join('');
  return (
    `// Generated by scripts/gen-protocol-types.js from every protocol file's events: do not edit (ADR 0019).\n` +
    `import type { ProtocolDoc } from './avro';\n` +
    imports +
    `\n/** The protocol documents that declare events: the broker checks each event it delivers against them (lib/protocol/event-check.ts). */\n` +
    `export const eventProtocols: readonly ProtocolDoc[] = [${withEvents.map(([, e]) => e.constName).join(', ')}];\n\n` +
    `/** Every declared event: topic -> payload type. */\n` +
    `export interface Events extends ${withEvents.map(([, e]) => `${e.prefix}Events`).join(', ')} {}\n`
  );
}

function main() {
  const check = process.argv.includes('--check');
  let stale = 0;
  const outputs = [];
  const withEvents = [];
  for (const [name, file] of sources()) {
    const g = generate(name, file);
    outputs.push([path.join(OUT, `${name}.ts`), g.text, file]);
    if (g.events) withEvents.push([name, g.events]);
  }
  if (withEvents.length > 0) outputs.push([path.join(OUT, 'events.ts'), eventsFile(withEvents), 'every protocol file']);
  for (const [out, text, file] of outputs) {
    const old = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : undefined;
    if (old === text) continue;
    if (check) {
      console.error(`${path.relative(ROOT, out)} is not what ${path.isAbsolute(file) ? path.relative(ROOT, file) : file} gives: run node scripts/gen-protocol-types.js`);
      stale++;
    } else {
      fs.writeFileSync(out, text);
    }
  }
  if (stale > 0) process.exitCode = 1;
}

main();
