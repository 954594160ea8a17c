/**
 * protocol bench (ADR 0015): what a typical hot-path payload costs to encode
 * and decode as JSON text inside the Avro envelope (what the wire carries),
 * against Avro binary with (a) the schema as the protocol file writes it
 * (free-form parts, jobspec and R, stay JSON text inside: logicalType json)
 * and (b) a schema typed all the way down (jobspec and R as Avro records);
 * and what the host's request check (lib/protocol/avro.ts checkRequest) adds
 * to each request. In process, no sockets: `npm run bench protocol`.
 */
import * as avro from 'avsc';
import { checkRequest, compileProtocol } from '../../lib/protocol/avro';
import { kvsProtocol } from '../../lib/protocol/kvs';
import { jobIngestProtocol } from '../../lib/protocol/job-ingest';
import { brokerProtocol } from '../../lib/protocol/broker';

const jobspec = {
  version: 1,
  resources: [{ type: 'slot', count: 1, label: 'task', with: [{ type: 'core', count: 1 }] }],
  tasks: [{ command: ['true'], slot: 'task', count: { per_slot: 1 } }],
  attributes: {
    system: {
      duration: 0,
      cwd: '/home/user/project',
      environment: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`VAR_${i}`, `value-of-variable-${i}`])),
      shell: { options: { rlimit: { core: 0, nofile: 1024 } } },
    },
  },
};

const R = {
  version: 1,
  execution: { R_lite: [{ rank: '0', children: { core: '0' } }], nodelist: ['node0'], starttime: 1.7e9, expiration: 0 },
};

/** a jobspec schema typed all the way (RFC 14 V1, environment as a map) */
const typedJobspec: avro.Schema = {
  type: 'record',
  name: 'Jobspec',
  fields: [
    { name: 'version', type: 'int' },
    {
      name: 'resources',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Resource',
          fields: [
            { name: 'type', type: 'string' },
            { name: 'count', type: 'int' },
            { name: 'label', type: ['null', 'string'], default: null },
            { name: 'with', type: ['null', { type: 'array', items: 'Resource' }], default: null },
          ],
        },
      },
    },
    {
      name: 'tasks',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Task',
          fields: [
            { name: 'command', type: { type: 'array', items: 'string' } },
            { name: 'slot', type: 'string' },
            { name: 'count', type: { type: 'record', name: 'Count', fields: [{ name: 'per_slot', type: ['null', 'int'], default: null }] } },
          ],
        },
      },
    },
    {
      name: 'attributes',
      type: {
        type: 'record',
        name: 'Attributes',
        fields: [
          {
            name: 'system',
            type: {
              type: 'record',
              name: 'System',
              fields: [
                { name: 'duration', type: 'double' },
                { name: 'cwd', type: 'string' },
                { name: 'environment', type: { type: 'map', values: 'string' } },
                {
                  name: 'shell',
                  type: {
                    type: 'record',
                    name: 'Shell',
                    fields: [{ name: 'options', type: { type: 'map', values: { type: 'map', values: 'long' } } }],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as avro.Schema;

const typedR: avro.Schema = {
  type: 'record',
  name: 'R',
  fields: [
    { name: 'version', type: 'int' },
    {
      name: 'execution',
      type: {
        type: 'record',
        name: 'Execution',
        fields: [
          {
            name: 'R_lite',
            type: { type: 'array', items: { type: 'record', name: 'RLite', fields: [{ name: 'rank', type: 'string' }, { name: 'children', type: { type: 'map', values: 'string' } }] } },
          },
          { name: 'nodelist', type: { type: 'array', items: 'string' } },
          { name: 'starttime', type: 'double' },
          { name: 'expiration', type: 'double' },
        ],
      },
    },
  ],
} as unknown as avro.Schema;

const kvs = compileProtocol(kvsProtocol);
const ingest = compileProtocol(jobIngestProtocol);
const broker = compileProtocol(brokerProtocol);
const asWritten = (t: avro.Type) => t;
/** what a sched protocol file would write: R is free-form JSON */
const alloc = compileProtocol({
  protocol: 'sched',
  messages: {
    alloc: {
      request: [],
      response: {
        type: 'record',
        name: 'AllocW',
        fields: [
          { name: 'id', type: { type: 'double', logicalType: 'jobid' } },
          { name: 'R', type: { type: 'string', logicalType: 'json-object' } },
        ],
      },
    },
  },
});

interface Case {
  name: string;
  value: unknown;
  /** the type as the protocol file writes it (free-form parts as JSON text) */
  written: avro.Type;
  /** typed all the way down */
  typed: avro.Type;
  /** the request check the host runs, when it is a request */
  check?: () => unknown;
}


const submitReq = { jobspec, urgency: 16, flags: 0 };
const cases: Case[] = [
  {
    name: 'job-ingest.submit request',
    value: submitReq,
    written: asWritten(ingest.methods.get('submit')!.request),
    typed: avro.Type.forSchema({ type: 'record', name: 'SubmitT', fields: [{ name: 'jobspec', type: typedJobspec }, { name: 'urgency', type: 'int' }, { name: 'flags', type: 'int' }] } as unknown as avro.Schema),
    check: () => checkRequest(ingest.methods.get('submit')!, submitReq),
  },
  {
    name: 'sched.alloc response (R)',
    value: { id: 123456789012, R },
    written: alloc.methods.get('alloc')!.response,
    typed: avro.Type.forSchema({ type: 'record', name: 'AllocT', fields: [{ name: 'id', type: 'double' }, { name: 'R', type: typedR }] } as unknown as avro.Schema),
  },
  {
    name: 'kvs.eventlog-append request',
    value: { key: 'job.0000.0123.4567.8900.eventlog', entries: [{ timestamp: 1.7e9, name: 'alloc', context: { annotations: { sched: { queue: 'batch' } } } }] },
    written: kvs.methods.get('eventlog-append')!.request,
    typed: avro.Type.forSchema({
      type: 'record',
      name: 'AppendT',
      fields: [
        { name: 'key', type: 'string' },
        { name: 'entries', type: { type: 'array', items: { type: 'record', name: 'EntryT', fields: [{ name: 'timestamp', type: 'double' }, { name: 'name', type: 'string' }, { name: 'context', type: { type: 'map', values: { type: 'map', values: { type: 'map', values: 'string' } } } }] } } },
      ],
    } as unknown as avro.Schema),
    check: () => checkRequest(kvs.methods.get('eventlog-append')!, { key: 'job.0000.0123.4567.8900.eventlog', entries: [{ timestamp: 1.7e9, name: 'alloc', context: {} }] }),
  },
  {
    name: 'kvs.get request',
    value: { key: 'job.0000.0123.4567.8900.R' },
    written: kvs.methods.get('get')!.request,
    typed: kvs.methods.get('get')!.request,
    check: () => checkRequest(kvs.methods.get('get')!, { key: 'job.0000.0123.4567.8900.R' }),
  },
  {
    name: 'attr.get response',
    value: { value: 'local:///tmp/flux-abc/local-0', flags: 0 },
    written: broker.methods.get('attr.get')!.response,
    typed: broker.methods.get('attr.get')!.response,
  },
];

/**
 * ns per operation: the best of 9 samples of ~30 ms each (the least disturbed
 * by other work on a shared machine)
 */
function perOp(fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn();
  let n = 1000;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    if (Number(process.hrtime.bigint() - t0) > 3e7) break;
    n *= 2;
  }
  let best = Infinity;
  for (let k = 0; k < 9; k++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
  }
  return best;
}

const us = (ns: number) => (ns / 1000).toFixed(2).padStart(7);
const rows: string[] = [];
rows.push(`${'payload'.padEnd(30)} ${'JSON B'.padStart(7)} ${'JSON us'.padStart(7)} ${'Avro(file) B'.padStart(12)} ${'us'.padStart(7)} ${'Avro(typed) B'.padStart(13)} ${'us'.padStart(7)} ${'check us'.padStart(8)}`);
for (const c of cases) {
  const jsonBuf = Buffer.from(JSON.stringify(c.value));
  const json = perOp(() => JSON.parse(Buffer.from(JSON.stringify(c.value)).toString('utf8')));
  const written = c.value;
  const wBuf = c.written.toBuffer(written);
  const w = perOp(() => c.written.fromBuffer(c.written.toBuffer(written)));
  const tBuf = c.typed.toBuffer(c.value);
  const t = perOp(() => c.typed.fromBuffer(c.typed.toBuffer(c.value)));
  const chk = c.check ? us(perOp(() => void c.check!())) : '      -';
  rows.push(`${c.name.padEnd(30)} ${String(jsonBuf.length).padStart(7)} ${us(json)} ${String(wBuf.length).padStart(12)} ${us(w)} ${String(tBuf.length).padStart(13)} ${us(t)} ${chk.padStart(8)}`);
}
process.stdout.write('encode + decode of one payload (microseconds), and bytes on the wire; check = the host\'s request check\n');
process.stdout.write(rows.join('\n') + '\n');
