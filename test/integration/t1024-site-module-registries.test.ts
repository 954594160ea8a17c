/**
 * A site module supplies a scheduler policy and job-shell plugins by token
 * (ADR 0018, writing-a-module.md "Supplying a policy or a shell plugin"): a
 * file in the test's tmpdir, loaded on every rank with `flux exec -r all flux
 * module load PATH`, provides `lifo` in ISchedPolicies, and `stamp` and `pmi`
 * in IShellPlugins, where the built-ins are too. `[sched] policy = "lifo"` and
 * `flux config reload` make the scheduler start the newest job first; every
 * job's tasks get the plugin's variable on both ranks; its `pmi` replaces the
 * built-in PMI server (no PMI_FD, a PMI_SIZE of its own). Once the module is
 * removed, a job that was running keeps the plugins it started with (their
 * shell.exit still runs), the next job gets the built-in pmi back and no
 * stamp, and sched can no longer be loaded with lifo.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '../../cli/api';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';
import { lifoPolicySource } from '../helpers/site-policy';

const tmp = tmpdir('flux-ts-t1024-');
const conf = path.join(tmp.dir, 'conf');
const SITE = path.join(tmp.dir, 'site.js');
let inst: Instance | undefined;

fs.mkdirSync(conf);
fs.writeFileSync(
  SITE,
  `'use strict';
const { defineModule, token, IRegistries } = require('flux-ts/kernel/api');

${lifoPolicySource('lifo')}
/** stamp: every task learns who stamped it; the leader says when the job's shells are done */
const stamp = {
  name: 'stamp',
  shell(ctx) {
    return { 'task.init'(task) { task.env.SITE_STAMP = 'stamped by shell ' + ctx.shellRank; } };
  },
  leader(ctx) {
    return { 'shell.exit'() { ctx.log(4, 'stamp: shell.exit'); } };
  },
};

/** pmi: replaces the built-in (no PMI server, so no PMI_FD); PMI_SIZE says who set it */
const pmi = {
  name: 'pmi',
  shell(ctx) {
    return { 'task.exec'(task) { task.env.PMI_SIZE = 'site ' + ctx.size; } };
  },
};

module.exports = defineModule({
  name: 'site',
  description: 'a site policy and shell plugin',
  create(scope) {
    const registries = scope.container.resolve(IRegistries);
    registries.provide(token('flux.sched.policies'), 'lifo', lifo);
    registries.provide(token('flux.shell.plugins'), 'stamp', stamp);
    registries.provide(token('flux.shell.plugins'), 'pmi', pmi);
    return { handlers: [] };
  },
});
`,
);

test.before(async () => {
  inst = await startInstance(['--test-size=2', '-c', conf], { brokerEnv: { FLUX_RESOURCE_FAKE_CORES: '1' } });
});

test.after(async () => {
  await inst?.stop().catch(() => inst?.kill());
  tmp.cleanup();
});

const flux = (args: string[]) => inst!.flux(args, { cwd: tmp.dir, timeoutMs: 60_000 });
function ok(args: string[]): string {
  const r = flux(args);
  assert.is(r.code, 0, `flux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const state = (id: string) => flux(['jobs', '-a', '-n', '-o', '{state}', id]).stdout.trim();

async function schedPending(): Promise<number> {
  const h = await Client.connect(inst!.uri);
  try {
    return (await h.rpc<{ pending: number[] }>('sched.status', {})).pending.length;
  } finally {
    h.close();
  }
}

/** each task's `<rank>: <PMI_FD or no-fd> <PMI_SIZE>`, sorted */
function pmiEnv(): string {
  const out = ok(['run', '-N2', '-n2', '--label-io', 'sh', '-c', 'echo ${PMI_FD:-no-fd} $PMI_SIZE']);
  return out.split('\n').filter(Boolean).sort().join('\n');
}

test('before the site module, the built-in pmi gives every task its PMI socket', () => {
  assert.is(pmiEnv(), '0: 3 2\n1: 3 2');
});

test('the site module loads on every rank', () => {
  ok(['exec', '-r', 'all', 'flux', 'module', 'load', SITE]);
  assert.match(ok(['module', 'list']), /\nsite /);
});

test('its shell plugin runs in every job, on every rank', () => {
  const out = ok(['run', '-N2', '-n2', '--label-io', 'printenv', 'SITE_STAMP']);
  assert.is(out.split('\n').filter(Boolean).sort().join('\n'), '0: stamped by shell 0\n1: stamped by shell 1');
});

test('its pmi replaces the built-in on every rank', () => {
  assert.is(pmiEnv(), '0: no-fd site 2\n1: no-fd site 2');
});

test('[sched] policy = "lifo" picks its policy: the newest waiting job starts first', async () => {
  fs.writeFileSync(path.join(conf, 'sched.toml'), '[sched]\npolicy = "lifo"\n');
  ok(['config', 'reload']);
  assert.match(ok(['dmesg']), /sched\.info\[0\]: config reload: policy=lifo \(was fcfs\)/);
  // the blocker holds both cores while A, B and C (each on both, task 0 writing) queue behind it
  const blocker = ok(['submit', '-n2', 'sleep', '300']).trim();
  await waitUntil(() => state(blocker) === 'RUN', { what: `the blocker ${blocker} to run` });
  const ids = ['A', 'B', 'C'].map((n) => ok(['submit', '-n2', 'sh', '-c', `test "$FLUX_TASK_RANK" != 0 || echo ${n} >> order.txt`]).trim());
  await waitUntil(async () => (await schedPending()) === 3, { what: 'sched to hold A, B and C' });
  ok(['cancel', blocker]);
  await waitUntil(() => ids.every((id) => state(id) === 'INACTIVE'), { what: 'A, B and C to run and end' });
  assert.is(fs.readFileSync(path.join(tmp.dir, 'order.txt'), 'utf8'), 'C\nB\nA\n');
});

test('removed, the module takes its policy and plugins with it; a running job keeps what it started with', async () => {
  // the job holds both cores until ./go appears
  const job = ok(['submit', '-N2', '-n2', 'sh', '-c', 'echo $PMI_SIZE; while test ! -e go; do sleep 0.1; done']).trim();
  await waitUntil(() => state(job) === 'RUN', { what: `job ${job} to run` });
  ok(['exec', '-r', 'all', 'flux', 'module', 'remove', 'site']);
  assert.not.match(ok(['module', 'list']), /\nsite /);
  fs.writeFileSync(path.join(tmp.dir, 'go'), '');
  await waitUntil(() => state(job) === 'INACTIVE', { what: `job ${job} to end` });
  const attach = flux(['job', 'attach', '--label-io', job]);
  assert.is(attach.code, 0, attach.stderr);
  assert.is(attach.stdout.split('\n').filter(Boolean).sort().join('\n'), '0: site 2\n1: site 2');
  assert.match(attach.stderr, /stamp: shell\.exit/);
  // the next job: the built-in pmi, and no stamp
  assert.is(pmiEnv(), '0: 3 2\n1: 3 2');
  const r = flux(['run', '-N2', '-n2', 'printenv', 'SITE_STAMP']);
  assert.is(r.code, 1, 'printenv finds no SITE_STAMP');
  assert.is(r.stdout, '');
  assert.not.match(r.stderr, /stamp: shell\.exit/);
  const reload = flux(['module', 'reload', 'sched']);
  assert.is(reload.code, 1);
  assert.is(reload.stderr, 'flux-module: reload sched: unknown policy "lifo" (available: backfill, fcfs); the old module keeps running\n');
  // the running scheduler keeps the lifo it made until the config names another
  fs.writeFileSync(path.join(conf, 'sched.toml'), '[sched]\npolicy = "fcfs"\n');
  ok(['config', 'reload']);
  assert.match(ok(['dmesg']), /config reload: policy=fcfs \(was lifo\)/);
});

test.run();
