/**
 * Service protocols through the real socket (ADR 0014). A singleton-plus-one
 * instance (--test-size=2, so kvs on rank 1 is a follower) gets:
 * - malformed payloads for the converted services (broker, kvs, rexec, sched,
 *   job-ingest, resource, job-exec, cli-pool, job-manager, cron, heartbeat): each
 *   is answered EPROTO with one line naming the field, on rank 0 and rank 1,
 *   and the handler never ran (the store is unchanged);
 * - random JSON payloads (seeded; FUZZ_SEED=<seed> replays) for every method
 *   that is safe to call with anything: never a crash, every EPROTO names a
 *   field, and the broker still answers afterwards;
 * - one valid call of each converted method, whose answers are checked
 *   against the method's response schema;
 * - a site module that names its protocol file by path: its requests are
 *   checked the same way (and the events it declares), and a module whose handler its protocol does not
 *   declare is refused at load, naming the method;
 * - the declared events (ADR 0019) as the real publishers send them, each
 *   checked against its schema, and a malformed one published by hand is
 *   dropped by its subscribers with one log line naming topic and field.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { RawClient, requestBody } from '../helpers/raw-client';
import { Client } from '../../cli/api/client';
import { compileProtocol, why, type Protocol } from '../../lib/protocol/avro';
import { brokerProtocol } from '../../lib/protocol/broker';
import { kvsProtocol } from '../../lib/protocol/kvs';
import { rexecProtocol } from '../../lib/protocol/rexec';
import { schedProtocol } from '../../lib/protocol/sched';
import { jobIngestProtocol } from '../../lib/protocol/job-ingest';
import { resourceProtocol } from '../../lib/protocol/resource';
import { jobExecProtocol } from '../../lib/protocol/job-exec';
import { cliPoolProtocol } from '../../lib/protocol/cli-pool';
import { cronProtocol } from '../../lib/protocol/cron';
import { heartbeatProtocol } from '../../lib/protocol/heartbeat';
import { jobManagerProtocol } from '../../lib/protocol/job-manager';
import { overlayProtocol } from '../../lib/protocol/overlay';
import { eventProtocols } from '../../lib/protocol/events';
import { until } from '../helpers/wait';
import { JobStates } from '../../lib/protocol/job-states';

const EPROTO = 71;
const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 0x7fffffff);

const protocols: Record<string, Protocol> = {
  broker: compileProtocol(brokerProtocol),
  kvs: compileProtocol(kvsProtocol),
  rexec: compileProtocol(rexecProtocol),
  sched: compileProtocol(schedProtocol),
  'job-ingest': compileProtocol(jobIngestProtocol),
  resource: compileProtocol(resourceProtocol),
  'job-exec': compileProtocol(jobExecProtocol),
  'cli-pool': compileProtocol(cliPoolProtocol),
  cron: compileProtocol(cronProtocol),
  heartbeat: compileProtocol(heartbeatProtocol),
  'job-manager': compileProtocol(jobManagerProtocol),
  overlay: compileProtocol(overlayProtocol),
};

/** protocols whose method names are whole topics (the broker's own services, the overlay's) */
const WHOLE = new Set(['broker', 'overlay']);

const JOBSPEC = {
  version: 1,
  resources: [{ type: 'slot', count: 1, label: 'task', with: [{ type: 'core', count: 1 }] }],
  tasks: [{ command: ['true'], slot: 'task', count: { per_slot: 1 } }],
  attributes: { system: { duration: 0 } },
};

let inst: Instance | undefined;

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});

test.after(async () => {
  if (inst) {
    const rc = await inst.stop();
    inst = undefined;
    assert.is(rc, 0, 'flux start exit code');
  }
});

/** [topic, payload JSON text, the error text after `<topic>: malformed request: `] */
const MALFORMED: Array<[string, string, string]> = [
  ['kvs.get', '{"key":5}', 'key: expected string, got 5'],
  ['cron.stop', '{"id":"1"}', 'id: expected integer, got "1"'],
  ['kvs.get', '{}', 'key: expected string, got nothing'],
  ['kvs.get', '"key"', 'payload: expected object, got "key"'],
  ['kvs.put', '{"key":"p.q"}', 'value: expected JSON value, got nothing'],
  ['kvs.put', '{"key":["p"],"value":1}', 'key: expected string, got ["p"]'],
  ['kvs.unlink', '{"key":"p","recursive":"yes"}', 'recursive: expected null or boolean, got "yes"'],
  ['kvs.eventlog-append', '{"key":"p.log","entries":[{"name":"a"},7]}', 'entries.1: expected object, got 7'],
  ['kvs.watch', '{"key":"p","values":1}', 'values: expected null or boolean, got 1'],
  ['attr.get', '{"name":null}', 'name: expected string, got null'],
  ['attr.set', '{"name":"log-stderr-level","value":7}', 'value: expected string, got 7'],
  ['log.append', '{"entries":[{"text":"ok"},{"severity":3}]}', 'entries.1.text: expected string, got nothing'],
  ['module.load', '{"path":"kvs","args":"a=b"}', 'args: expected null or array, got "a=b"'],
  ['module.remove', '{"name":1}', 'name: expected string, got 1'],
  ['event.pub', '{"payload":{}}', 'topic: expected string, got nothing'],
  ['rexec.exec', '{"cmd":"true"}', 'cmd: expected array, got "true"'],
  ['rexec.exec', '{"cmd":["true",1]}', 'cmd.1: expected string, got 1'],
  ['rexec.kill', '{"pid":"1","signum":9}', 'pid: expected integer, got "1"'],
  ['rexec.write', '{"pid":1.5}', 'pid: expected integer, got 1.5'],
  ['sched.cancel', '{"id":-3}', 'id: expected job id or string, got -3'],
  ['sched.expiration', '{"id":1}', 'expiration: expected number, got nothing'],
  ['sched.prioritize', '{"jobs":[[1,"x",{}]]}', 'jobs.0.2: expected job id or string, got {}'],
  ['job-ingest.submit', '{"jobspec":{},"urgency":"high"}', 'urgency: expected null or integer, got "high"'],
  ['resource.drain', '{"targets":1,"reason":"x"}', 'targets: expected string, got 1'],
  ['resource.undrain', '{}', 'targets: expected string, got nothing'],
  ['resource.get', '{"down":"yes"}', 'down: expected null or boolean, got "yes"'],
  ['job-exec.kill', '{"id":"f1"}', 'id: expected job id, got "f1"'],
  ['job-exec.output-read', '{"id":1,"offset":"end"}', 'offset: expected null or number, got "end"'],
  ['job-exec.start', '{"id":1,"R":[],"jobspec":{}}', 'R: expected object, got []'],
  ['job-manager.list', '{"states":"all"}', 'states: expected null or integer, got "all"'],
  ['job-manager.raise', '{"id":1,"severity":"0"}', 'severity: expected null or integer, got "0"'],
  ['job-manager.urgency', '{"id":1}', 'urgency: expected integer, got nothing'],
  ['job-manager.update', '{"id":1,"updates":"x"}', 'updates: expected object, got "x"'],
  ['job-exec.shell-kill', '{"id":1}', 'signum: expected integer, got nothing'],
  ['job-exec.shell-stdin', '{"id":1,"eof":"yes"}', 'eof: expected null or boolean, got "yes"'],
  ['job-exec.shell-start', '{"id":1,"jobspec":{},"placement":{"rank":0}}', 'placement.shellRank: expected integer, got nothing'],
  ['job-exec.shell-ack', '{"id":1,"bytes":"4k"}', 'bytes: expected integer, got "4k"'],
  ['job-exec.shell-pids', '{}', 'id: expected job id, got nothing'],
  ['job-exec.pmi-exchange', '{"id":1,"shell":0,"seq":1,"kvs":{"a":1}}', 'kvs.a: expected string, got 1'],
  ['overlay.status', '{"timeout":"1s"}', 'timeout: expected null or number, got "1s"'],
  ['groups.get', '{"name":3}', 'name: expected string, got 3'],
  ['overlay.disconnect-subtree', '{"rank":"1"}', 'rank: expected integer, got "1"'],
];

test('malformed requests are answered EPROTO naming the field, on rank 0 and rank 1; the handler never ran', async () => {
  const i = inst!;
  const c = await RawClient.connect(i);
  try {
    let tag = 1;
    for (const nodeid of [0, 1]) {
      for (const [topic, payload, text] of MALFORMED) {
        // leader-only services (sched, job-ingest) are on rank 0 only
        if (nodeid === 1 && /^(sched|job-ingest|job-exec|job-manager|groups|cron)\./.test(topic)) continue;
        c.send(requestBody(topic, payload, { nodeid, matchtag: tag }));
        const r = await c.reply(tag++);
        assert.is(r.errnum, EPROTO, `${topic} ${payload} on rank ${nodeid}: ${r.errstr}`);
        assert.is(r.errstr, `${topic}: malformed request: ${text}`, `rank ${nodeid}`);
      }
    }
    assert.not.ok(c.closed, 'the client is answered, not dropped');
  } finally {
    c.close();
  }
  // nothing was stored by the refused puts and appends
  const ls = i.flux(['kvs', 'get', 'p.q']);
  assert.is.not(ls.code, 0);
  const up = i.flux(['getattr', 'size']);
  assert.is(up.stdout.trim(), '2', up.stderr);
});

/** mulberry32: seeded, so a failing run can be replayed */
let state = SEED >>> 0;
function rnd(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

/** a random JSON value, often shaped like the method's own fields */
function randomJson(names: readonly string[], depth = 0): unknown {
  switch (int(depth > 2 ? 5 : 7)) {
    case 0:
      return int(1e6) - 5e5;
    case 1:
      return pick(['', 'a', 'p.q', 'x'.repeat(int(50)), '..', '\u0000']);
    case 2:
      return pick([true, false, null]);
    case 3:
      return rnd() * 1e20;
    case 4:
      return pick([undefined, 2 ** 63, -0.5]);
    case 5:
      return Array.from({ length: int(4) }, () => randomJson(names, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(5) }, () => [rnd() < 0.7 && names.length > 0 ? pick(names) : pick(['', 'zz', 'entries']), randomJson(names, depth + 1)]));
  }
}

/**
 * Methods a fuzzer may call with anything: not those that stop or change
 * the instance (shutdown, config, module remove/reload, attr.set, log.clear)
 * nor rexec.exec/kill/write (a random command or pid is not the test's to run
 * or signal).
 */
const FUZZED = [
  'kvs.get',
  'kvs.put',
  'kvs.unlink',
  'kvs.dir',
  'kvs.link',
  'kvs.readlink',
  'kvs.mkdir',
  'kvs.eventlog-append',
  'kvs.eventlog-close',
  'kvs.watch-cancel',
  'kvs.stats-get',
  'kvs.namespace-list',
  'attr.get',
  'attr.list',
  'broker.ping',
  'log.append',
  'module.list',
  'state-machine.get',
  'config.get',
  'sched.cancel',
  'sched.feasibility',
  'sched.status',
  'sched.stats',
  'job-ingest.getinfo',
  'overlay.status',
  'groups.get',
];

function fieldsOf(topic: string): string[] {
  const dot = topic.indexOf('.');
  const mod = topic.slice(0, dot);
  // the broker's methods are whole topics (broker.ping, attr.get)
  const whole = [...WHOLE].map((w) => protocols[w]!).find((p) => p.methods.has(topic));
  const [proto, method] = whole ? [whole, topic] : [protocols[mod]!, topic.slice(dot + 1)];
  const m = proto?.methods.get(method);
  assert.ok(m, `${topic} is declared`);
  return (m!.request as unknown as { fields: Array<{ name: string }> }).fields.map((f) => f.name);
}

test(`random payloads never crash the broker (seed ${SEED})`, async () => {
  const i = inst!;
  const c = await RawClient.connect(i);
  let tag = 1000;
  let refused = 0;
  try {
    for (let n = 0; n < 600; n++) {
      const topic = pick(FUZZED);
      const v = randomJson(fieldsOf(topic));
      const text = v === undefined ? null : JSON.stringify(v);
      const leaderOnly = topic.startsWith('sched.') || topic.startsWith('job-ingest.') || topic.startsWith('groups.');
      c.send(requestBody(topic, text, { nodeid: leaderOnly ? 0 : pick([0, 1]), matchtag: tag }));
      const r = await c.reply(tag++);
      if (r.errnum === EPROTO) {
        refused++;
        assert.match(r.errstr ?? '', new RegExp(`^${topic.replace(/\./g, '\\.')}: malformed request: [\\w.]+: expected .+, got .+$`), `seed ${SEED}: ${text}`);
      }
    }
  } finally {
    c.close();
  }
  assert.ok(refused > 0, 'some were malformed');
  const up = i.flux(['getattr', 'size']);
  assert.is(up.code, 0, `seed ${SEED}: ${up.stderr}`);
  assert.is(up.stdout.trim(), '2');
  const kvs = i.flux(['kvs', 'put', 'after.fuzz=1']);
  assert.is(kvs.code, 0, `seed ${SEED}: ${kvs.stderr}`);
});

/** [protocol, method, request, rank] called once each; answers checked against the response schema */
const CALLS: Array<[string, string, unknown, number?]> = [
  ['broker', 'broker.ping', { seq: 1 }],
  ['broker', 'config.get', {}],
  ['broker', 'attr.get', { name: 'size' }],
  ['broker', 'attr.set', { name: 'log-stderr-level', value: '3' }],
  ['broker', 'attr.list', {}],
  ['broker', 'log.append', { entries: [{ text: 'protocol test', severity: 6 }] }],
  ['broker', 'log.dmesg', {}],
  ['broker', 'module.list', {}],
  ['broker', 'event.pub', { topic: 'protocol-test', payload: { a: 1 } }],
  ['broker', 'state-machine.get', {}],
  ['broker', 'log.stats-get', {}],
  ['broker', 'broker.stats-get', {}],
  ['broker', 'log.stream-cancel', { matchtag: 4242 }],
  ['kvs', 'put', { key: 'resp.a', value: { x: [1] } }],
  ['kvs', 'get', { key: 'resp.a' }],
  ['kvs', 'get', { key: 'resp.a' }, 1],
  ['kvs', 'link', { key: 'resp.l', target: 'resp.a' }],
  ['kvs', 'readlink', { key: 'resp.l' }],
  ['kvs', 'mkdir', { key: 'resp.d' }],
  ['kvs', 'dir', { key: 'resp' }],
  ['kvs', 'dir', { key: 'resp', extras: true }],
  ['kvs', 'eventlog-append', { key: 'resp.log', entries: [{ timestamp: 1, name: 'a', context: {} }] }],
  ['kvs', 'eventlog-close', { key: 'resp.log' }],
  ['kvs', 'watch', { key: 'resp.log' }],
  ['kvs', 'watch', { key: 'resp.a' }, 1],
  ['kvs', 'watch-cancel', { tag: 'none' }],
  ['kvs', 'stats-get', {}],
  ['kvs', 'stats-clear', {}],
  ['kvs', 'stats-clear', {}, 1],
  ['kvs', 'getroot', {}],
  ['kvs', 'getroot', {}, 1],
  ['kvs', 'wait-version', { version: 1 }],
  ['kvs', 'dropcache', {}],
  ['kvs', 'stream-cancel', { matchtag: 4242 }],
  ['kvs', 'commit', { ops: [{ op: 'put', key: 'resp.commit', value: 1 }, { op: 'unlink', key: 'resp.commit' }] }],
  ['kvs', 'pack', { key: 'resp' }],
  ['kvs', 'namespace-create', { namespace: 'resp-ns', owner: 4242 }],
  ['kvs', 'put', { key: 'resp.k', value: 1, namespace: 'resp-ns' }, 1],
  ['kvs', 'getroot', { namespace: 'resp-ns' }, 1],
  ['kvs', 'namespace-list', {}],
  ['kvs', 'namespace-list', {}, 1],
  ['kvs', 'namespace-remove', { namespace: 'resp-ns' }, 1],
  ['kvs', 'unlink', { key: 'resp', recursive: true }],
  ['rexec', 'exec', { cmd: ['sh', '-c', 'echo hi; echo err >&2; exit 3'] }],
  ['rexec', 'exec', { cmd: ['true'] }, 1],
  ['rexec', 'list', {}],
  // credit for a process rexec does not hold: nothing to do
  ['rexec', 'credit', { pid: 1, bytes: 0 }],
  ['rexec', 'list', {}, 1],
  ['job-ingest', 'submit', { jobspec: JOBSPEC }],
  ['job-ingest', 'getinfo', {}],
  ['sched', 'alloc', { id: 'protocol-test', jobspec: JOBSPEC }],
  ['sched', 'status', {}],
  ['sched', 'resource-status', {}],
  ['sched', 'stats', {}],
  ['sched', 'free', { id: 'protocol-test' }],
  ['sched', 'cancel', { id: 'none' }],
  ['sched', 'prioritize', { jobs: [] }],
  ['sched', 'feasibility', { jobspec: JOBSPEC }],
  ['sched', 'feasibility-batch', { jobspecs: [JOBSPEC, { version: 9 }] }],
  ['sched', 'feasibility.check', { jobspec: JOBSPEC }],
  ['resource', 'discover', {}, 1],
  ['resource', 'get', {}],
  ['resource', 'get', { down: true }],
  ['resource', 'status', {}],
  ['resource', 'sched-status', {}],
  ['resource', 'drain', { targets: '1', reason: 'protocol test' }],
  ['resource', 'status', {}],
  ['resource', 'undrain', { targets: '1' }],
  // 0: no expiration, as the instance has
  ['resource', 'set-expiration', { expiration: 0 }],
  ['job-exec', 'list', {}],
  ['job-exec', 'stats-get', {}],
  // a job that is not running here: nothing to signal, feed or list
  ['job-exec', 'shell-kill', { id: 424242, signum: 0 }, 1],
  ['job-exec', 'shell-stdin', { id: 424242, eof: true }, 1],
  ['job-exec', 'shell-pids', { id: 424242 }, 1],
  ['overlay', 'overlay.status', { timeout: 2 }],
  ['overlay', 'overlay.status', {}, 1],
  ['overlay', 'groups.get', { name: 'broker.online' }],
  ['overlay', 'groups.get', { name: 'broker.torpid' }],
  ['cli-pool', 'stats-get', {}],
  // the instance's first cron entry is id 1 (an hour's interval: it never runs here)
  ['cron', 'create', { type: 'interval', name: 'protocol', command: 'true', args: { interval: 3600 } }],
  ['cron', 'list', {}],
  ['cron', 'stop', { id: 1 }],
  ['cron', 'start', { id: 1 }],
  ['cron', 'sync', {}],
  ['cron', 'delete', { id: 1 }],
  ['heartbeat', 'stats-get', {}],
  ['job-manager', 'list', { states: JobStates.ALL, userid: -1 }],
  ['job-manager', 'getinfo', {}],
  ['job-manager', 'idle', {}],
  ['job-manager', 'drain', {}],
  ['job-manager', 'queue-status', {}],
  ['job-manager', 'queue-list', {}],
  ['job-manager', 'validate', { jobspec: JOBSPEC }],
  ['job-manager', 'validate-batch', { jobspecs: [JOBSPEC, { attributes: { system: { queue: 'nosuch' } } }] }],
  ['job-manager', 'stats-get', {}],
  ['job-manager', 'wait-inactive-many', { ids: [] }],
  ['job-manager', 'killall', { dry_run: true, userid: -1 }],
  ['job-manager', 'raiseall', { dry_run: true, userid: -1, type: 'cancel' }],
  ['job-manager', 'jobtap', {}],
  ['job-manager', 'purge', {}],
  ['job-manager', 'history.get', { slice: '[:1]' }],
  // no housekeeping runs here: nothing to signal (t1027 kills running housekeeping)
  ['job-manager', 'housekeeping-kill', { signum: 15 }],
];

/** methods not called above, and why */
const NOT_CALLED = new Set([
  'broker.shutdown', // stops the instance
  'config.reload', // t1031
  'config.load', // t1031
  'log.clear', // would empty what t0004 reads
  'log.disconnect', // no answer
  'module.load', // t0003, t0651 (answers {} as module.remove)
  'module.reload',
  'module.remove',
  'module.trace', // a stream that never ends: flux module trace in t0654
  'module.disconnect', // no answer
  'overlay.trace', // a stream that never ends: flux overlay trace in t0654
  'overlay.disconnect', // no answer
  'kvs.disconnect', // no answer
  'rexec.write', // needs a running process: flux exec in t0006
  'rexec.kill',
  'rexec.disconnect',
  'rexec.wait', // needs a background process: flux sproc wait in t1147
  'rexec.attach', // t1147 (flux exec --attach)
  'sched.expiration', // needs a running job with resources: t1030 (flux update duration)
  'job-ingest.feasibility-disable', // changes what every later submit is checked for
  'resource.register', // each rank's own report at its start
  'resource.reload', // t1002 (replaces the instance's resources)
  'resource.acquire-mute', // t0204 (mutes the scheduler for the rest of the instance)
  'resource.journal', // a stream that never ends: flux resource eventlog in t0200
  'resource.disconnect',
  // job-exec's job methods need a job job-manager started: every job test drives them
  // (t0400 run, t0401 signals, t0600 output, t0701 pmi, t1030 expiration, t0307 attach stdin)
  'job-exec.start',
  'job-exec.kill',
  'job-exec.expiration',
  'job-exec.stdin',
  'job-exec.output-read',
  'job-exec.output-size',
  'job-exec.pmi-exchange',
  'job-exec.hostpids',
  'job-exec.disconnect',
  // rank 0's job drives them on every rank (t0400 run, t0600 output flow control)
  'job-exec.shell-start',
  'job-exec.shell-ack', // sent without an answer
  // job-manager's methods on one job, and those that change the queue or the
  // scheduler's view: the job tests drive each (t0300-t0306, t1004, t1020, t1030)
  'job-manager.submit',
  'job-manager.raise',
  'job-manager.kill',
  'job-manager.memo',
  'job-manager.urgency',
  'job-manager.update',
  'job-manager.wait',
  'job-manager.pending-watch',
  'job-manager.wait-inactive',
  'job-manager.queue-enable',
  'job-manager.queue-start',
  'job-manager.sched-hello',
  'job-manager.sched-ready',
  'job-manager.purge-id',
  'job-manager.jobtap-query',
  'job-manager.post-event.post', // posts to a job: t1026
  'job-manager.disconnect',
  'overlay.disconnect-subtree', // drops a broker for good: t0115
  'overlay.disconnect-parent', // drops a broker's parent for good: t1050 (the heartbeat's timeout)
  'runat.push', // runs commands when the instance ends: t1149
]);

test('each converted method answers what its response schema says', async () => {
  const h = await Client.connect(inst!.uri);
  try {
    const called = new Set<string>();
    for (const [proto, method, req, rank] of CALLS) {
      const p = protocols[proto]!;
      const m = p.methods.get(method)!;
      const topic = WHOLE.has(proto) || method === 'feasibility.check' ? method : `${proto}.${method}`;
      called.add(topic);
      const answers: unknown[] = [];
      const opts = rank === undefined ? {} : { nodeid: rank };
      // sched.alloc's stream ends with its success answer, not ENODATA (RFC 27): asked once here
      if (m.stream && topic !== 'sched.alloc') await h.rpcStream(topic, req, (a) => answers.push(a), opts);
      else answers.push(await h.rpc(topic, req, opts));
      assert.ok(answers.length > 0, topic);
      for (const a of answers) assert.is(why(m.response, a), undefined, `${topic} answered ${JSON.stringify(a)}`);
    }
    for (const [proto, p] of Object.entries(protocols)) {
      for (const name of p.methods.keys()) {
        const topic = WHOLE.has(proto) || name === 'feasibility.check' ? name : `${proto}.${name}`;
        assert.ok(called.has(topic) || NOT_CALLED.has(topic), `${topic}: neither called nor listed as not called`);
      }
    }
  } finally {
    h.close();
  }
});

/** each declared event's schema, by topic */
const EVENTS = new Map(eventProtocols.flatMap((d) => [...compileProtocol(d).events]));

/** declared events this test does not make the instance publish, and why */
const NOT_PUBLISHED: Record<string, string> = {
  // published when a broker joins or goes silent: rank 1 joined before the test could subscribe
  // (resource on rank 0 subscribes to both: a malformed one would be in dmesg, checked below);
  // t0402 (node loss) and t0640 (torpid leaf) drive them
  'overlay.online': 't0402',
  'overlay.torpid': 't0640',
};

test('each declared event, as its real publisher sends it, fits its schema', async () => {
  const i = inst!;
  const h = await Client.connect(i.uri);
  const seen = new Map<string, unknown[]>();
  try {
    for (const topic of EVENTS.keys()) await h.subscribe(topic, (m) => seen.set(m.topic, [...(seen.get(m.topic) ?? []), m.payload]));
    // resource.update: drain and undrain rank 1
    assert.is(i.flux(['resource', 'drain', '1', 'events test']).code, 0);
    assert.is(i.flux(['resource', 'undrain', '1']).code, 0);
    // job-exception: a job cancelled; job-purge-inactive: then purged
    const sub = i.flux(['submit', 'sleep', '30']);
    assert.is(sub.code, 0, sub.stderr);
    const id = sub.stdout.trim();
    assert.is(i.flux(['job', 'wait-event', '-t', '30', id, 'start']).code, 0);
    assert.is(i.flux(['cancel', id]).code, 0);
    assert.is(i.flux(['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
    const purge = i.flux(['job', 'purge', '--force', '--num-limit=0']);
    assert.is(purge.code, 0, purge.stderr);
    // rexec.client-gone: a flux exec client leaves an instance of two brokers
    assert.is(i.flux(['exec', '-r', 'all', 'true']).code, 0);
    await until(() => [...EVENTS.keys()].every((t) => seen.has(t) || t in NOT_PUBLISHED), `every event seen: ${[...seen.keys()].join(' ')}`);
  } finally {
    h.close();
  }
  for (const [topic, payloads] of seen) {
    for (const p of payloads) assert.is(why(EVENTS.get(topic)!, p ?? {}), undefined, `${topic} published ${JSON.stringify(p)}`);
  }
  const dmesg = i.flux(['dmesg']);
  assert.not.match(dmesg.stdout, /malformed event dropped/, 'no real publisher sent a malformed event');
});

test('a malformed declared event is dropped by its subscribers with one log line; they keep working', async () => {
  const i = inst!;
  const h = await Client.connect(i.uri);
  try {
    // job-exec (rank 0) subscribes to job-purge-inactive; rexec (every rank) to rexec.client-gone
    await h.rpc('event.pub', { topic: 'job-purge-inactive', payload: { jobs: 'all' } }, { nodeid: 0 });
    await h.rpc('event.pub', { topic: 'rexec.client-gone', payload: { sender: 7 } }, { nodeid: 0 });
  } finally {
    h.close();
  }
  let lines: string[] = [];
  await until(() => {
    lines = i.flux(['dmesg']).stdout.split('\n').filter((l) => l.includes('malformed event dropped'));
    return lines.length >= 3;
  }, 'the drops are logged');
  assert.ok(lines.some((l) => /job-exec.*job-purge-inactive: malformed event dropped: jobs: expected array, got "all"/.test(l)), lines.join('\n'));
  assert.is(lines.filter((l) => l.includes('job-purge-inactive')).length, 1, 'one line for the one subscriber');
  // rexec on rank 0 and on rank 1: one line each
  assert.is(lines.filter((l) => /rexec.client-gone: malformed event dropped: sender: expected string, got 7/.test(l)).length, 2, lines.join('\n'));
  const ex = i.flux(['exec', '-r', 'all', 'echo', 'ok']);
  assert.is(ex.code, 0, ex.stderr);
  assert.is(ex.stdout, 'ok\nok\n');
});

const SITE_PROTOCOL = {
  protocol: 'greeter',
  messages: {
    hello: {
      request: [
        { name: 'who', type: 'string' },
        { name: 'times', type: ['null', 'int'], default: null },
      ],
      response: { type: 'record', name: 'GreeterHello', fields: [{ name: 'text', type: 'string' }] },
    },
    greetings: {
      request: [],
      response: { type: 'record', name: 'GreeterGreetings', fields: [{ name: 'who', type: { type: 'array', items: 'string' } }] },
    },
  },
  events: {
    'greeter.greeted': { payload: [{ name: 'who', type: 'string' }] },
  },
};

function siteModule(methodName: string): string {
  return `'use strict';
const { defineModule, methods, event } = require('flux-ts/kernel/api');
const method = methods();
module.exports = defineModule({
  name: 'greeter',
  protocol: './protocol.avsc',
  create: ({ handle }) => {
    const greeted = [];
    return {
      handlers: [
        method(${JSON.stringify(methodName)}, async (req) => {
          await handle.publish('greeter.greeted', { who: req.who });
          return { text: ('hello ' + req.who + ' ').repeat(req.times ?? 1).trim() };
        }),
        method('greetings', () => ({ who: greeted })),
        event('greeter.greeted', (_msg, ev) => greeted.push(ev.who)),
      ],
    };
  },
});
`;
}

test('a site module names its protocol file: its requests and events are checked; an undeclared method fails the load', async () => {
  const i = inst!;
  const t = tmpdir();
  try {
    fs.writeFileSync(path.join(t.dir, 'protocol.avsc'), JSON.stringify(SITE_PROTOCOL));
    fs.writeFileSync(path.join(t.dir, 'greeter.js'), siteModule('hello'));
    fs.writeFileSync(path.join(t.dir, 'bad.js'), siteModule('goodbye').replace("name: 'greeter'", "name: 'bad'"));
    const load = i.flux(['module', 'load', path.join(t.dir, 'greeter.js')]);
    assert.is(load.code, 0, load.stderr);
    const h = await Client.connect(i.uri);
    try {
      assert.equal(await h.rpc('greeter.hello', { who: 'ada', times: 2 }), { text: 'hello ada hello ada' });
      const e = await h.rpc('greeter.hello', { who: 7 }).then(
        () => undefined,
        (err: { errno: number; message: string }) => err,
      );
      assert.is(e?.errno, EPROTO);
      assert.is(e?.message, 'greeter.hello: malformed request: who: expected string, got 7');
      // its protocol's event: checked on delivery while the module is loaded
      await h.rpc('event.pub', { topic: 'greeter.greeted', payload: { who: 9 } });
      await h.rpc('event.pub', { topic: 'greeter.greeted', payload: { who: 'bob' } });
      await until(async () => (await h.rpc<{ who: string[] }>('greeter.greetings', {})).who.includes('bob'), 'bob greeted');
      assert.equal((await h.rpc<{ who: string[] }>('greeter.greetings', {})).who, ['ada', 'bob']);
      const drops = i.flux(['dmesg']).stdout.split('\n').filter((l) => l.includes('greeter.greeted'));
      assert.ok(drops.some((l) => /greeter.greeted: malformed event dropped: who: expected string, got 9/.test(l)), drops.join('\n'));
    } finally {
      h.close();
    }
    const bad = i.flux(['module', 'load', path.join(t.dir, 'bad.js')]);
    assert.is(bad.code, 1);
    assert.match(bad.stderr, /load bad: protocol greeter declares no method goodbye/);
    assert.is(i.flux(['module', 'remove', 'greeter']).code, 0);
  } finally {
    t.cleanup();
  }
});

test.run();
