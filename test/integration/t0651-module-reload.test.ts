/**
 * A bad reload keeps the old service: `flux module reload` that fails says so
 * in one line, exits 1, and leaves the old module serving — the scheduler
 * (jobs still run) and a site module (its state and arguments).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;
const tmp = tmpdir();
const counter = path.join(tmp.dir, 'counter.js');
const notPolicy = path.join(tmp.dir, 'not-a-policy.js');
const stuck = path.join(tmp.dir, 'stuck.js');

// stuck: its stop() never ends (a module waiting on something that will not come)
const STUCK = `const api = require('flux-ts/kernel/api');
module.exports = { default: api.defineModule({ name: 'stuck', create: () => ({
  handlers: [api.request('stats-get', () => ({ up: true }))],
  stop() { return new Promise(() => {}); },
}) }) };
`;

// counter: its stats say how often they were asked for (state in memory) and the
// greeting it was loaded with; create() refuses bad=..., start() fails on fail
const COUNTER = `const api = require('flux-ts/kernel/api');
module.exports = { default: api.defineModule({ name: 'counter', create: (scope) => {
  const args = api.parseArgs(scope.args);
  if (args.has('bad')) throw new api.FluxError(api.Errno.EINVAL, 'bad=' + args.get('bad') + ': no such setting');
  let n = 0;
  return {
    handlers: [api.request('stats-get', () => ({ n: ++n, greeting: args.get('greeting') || '' }))],
    start() { if (args.has('fail')) throw new Error('cannot open the widget database'); },
  };
} }) };
`;

test.before(async () => {
  fs.writeFileSync(counter, COUNTER);
  fs.writeFileSync(notPolicy, 'module.exports = { nope: 1 };\n');
  fs.writeFileSync(stuck, STUCK);
  inst = await startInstance();
});
test.after(async () => {
  try {
    await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

/** the counter's stats: how often they were asked for, and its greeting */
function count(): { n: number; greeting: string } {
  const r = inst.flux(['module', 'stats', 'counter']);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { n: number; greeting: string };
}

function runs(): void {
  const r = inst.flux(['run', 'echo', 'ran'], { timeoutMs: 30_000 });
  assert.equal([r.code, r.stdout, r.stderr], [0, 'ran\n', '']);
}

function schedRow(): string | undefined {
  return inst.flux(['module', 'list']).stdout.split('\n').find((l) => l.startsWith('sched '));
}

test('sched: a policy file that is not a policy; the scheduler keeps scheduling', () => {
  runs();
  const r = inst.flux(['module', 'reload', 'sched', `policy=${notPolicy}`]);
  assert.is(r.code, 1);
  assert.is(r.stderr, `flux-module: reload sched: policy ${notPolicy}: does not export a flux-ts scheduler policy; the old module keeps running\n`);
  assert.match(schedRow() ?? '', / R /);
  runs();
});

test('sched: a policy that does not exist, and a bad option', () => {
  let r = inst.flux(['module', 'reload', 'sched', 'policy=/nonexistent/policy.js']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-module: reload sched: .*; the old module keeps running\n$/);
  r = inst.flux(['module', 'reload', 'sched', 'policy=nosuchpolicy']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-module: reload sched: .*nosuchpolicy.*; the old module keeps running\n$/);
  runs();
});

test('sched: a good reload still works, and jobs run after it', () => {
  const r = inst.flux(['module', 'reload', 'sched', 'policy=backfill']);
  assert.equal([r.code, r.stderr], [0, '']);
  runs();
  assert.is(inst.flux(['module', 'reload', 'sched']).code, 0);
  runs();
});

test('site module: a reload refused by create() leaves the old one untouched, state and all', () => {
  let r = inst.flux(['module', 'load', counter, 'greeting=hello']);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.equal(count(), { n: 1, greeting: 'hello' });
  r = inst.flux(['module', 'reload', counter, 'bad=7']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-module: reload counter: bad=7: no such setting; the old module keeps running\n');
  // the same module object: its count went on
  assert.equal(count(), { n: 2, greeting: 'hello' });
  r = inst.flux(['module', 'reload', path.join(tmp.dir, 'nosuch.js')]);
  assert.is(r.code, 1);
  r = inst.flux(['module', 'reload', '--name=counter', notPolicy]);
  assert.is(r.code, 1);
  assert.is(r.stderr, `flux-module: ${notPolicy}: does not export a flux-ts module; the old module keeps running\n`);
  assert.equal(count(), { n: 3, greeting: 'hello' });
});

test('site module: a start() that fails brings the old module back with its arguments', () => {
  let r = inst.flux(['module', 'reload', counter, 'greeting=bye', 'fail']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-module: reload counter: cannot open the widget database; the old module was restored and keeps running\n');
  // restored: started afresh (state in memory does not survive), with its old arguments
  assert.equal(count(), { n: 1, greeting: 'hello' });
  assert.match(inst.flux(['dmesg']).stdout, /reload counter: cannot open the widget database; the old module was restored/);
  r = inst.flux(['module', 'reload', counter, 'greeting=bye']);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.equal(count(), { n: 1, greeting: 'bye' });
  assert.is(inst.flux(['module', 'remove', 'counter']).code, 0);
});

test('--cancel takes down a module whose stop() never ends; a reload with it replaces one', async () => {
  assert.is(inst.flux(['module', 'load', stuck]).code, 0);
  // without --cancel the remove waits on stop(): the module stays finalizing (F) until a remove --cancel takes it down
  const waiting = inst.fluxAsync(['module', 'remove', 'stuck'], { timeoutMs: 60_000 });
  await waitUntil(() => /^stuck +\d+ +F /m.test(inst.flux(['module', 'list']).stdout), { what: 'stuck finalizing' });
  const r = inst.flux(['module', 'remove', '--cancel', 'stuck']);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.equal([(await waiting).code, (await waiting).stderr], [0, '']);
  assert.not.match(inst.flux(['module', 'list']).stdout, /^stuck /m);
  assert.match(inst.flux(['dmesg']).stdout, /broker\.debug\[0\]: rmmod stuck \(canceled\)/);
  assert.is(inst.flux(['module', 'load', stuck]).code, 0);
  const re = inst.flux(['module', 'reload', '--cancel', stuck]);
  assert.equal([re.code, re.stderr], [0, '']);
  assert.is(JSON.parse(inst.flux(['module', 'stats', 'stuck']).stdout).up, true);
  assert.is(inst.flux(['module', 'remove', '--cancel', 'stuck']).code, 0);
});

test('--exec and --loader: flux-ts runs every module inside its broker', () => {
  for (const [verb, opt] of [['load', '--exec'], ['reload', '--loader=/usr/bin/python3']] as const) {
    const r = inst.flux(['module', verb, opt, counter]);
    assert.is(r.code, 1);
    assert.is(r.stderr, `flux-module: ${opt.replace(/=.*/, '')}: flux-ts runs every module inside its broker (a module of its own process is not supported)\n`);
  }
});

test.run();
