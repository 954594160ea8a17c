/** The sched module: swap policies with flux module reload, unknown names, a site policy by path. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance | undefined;
const tmp = tmpdir('t0201-');

test.before(async () => {
  inst = await startInstance();
});

test.after(async () => {
  if (inst) await inst.stop().catch(() => inst!.kill());
  tmp.cleanup();
});

function policyLine(): string {
  const r = inst!.flux(['dmesg']);
  const lines = r.stdout.split('\n').filter((l) => /sched\.info\[0\]: ready: policy=/.test(l));
  return lines[lines.length - 1] ?? '';
}

test('fcfs is the default', () => {
  assert.match(policyLine(), /policy=fcfs ranks 0$/);
});

test('module reload sched policy=backfill swaps the policy', () => {
  const r = inst!.flux(['module', 'reload', 'sched', 'policy=backfill', 'select=high']);
  assert.is(r.code, 0, r.stderr);
  assert.match(policyLine(), /policy=backfill/);
  assert.match(inst!.flux(['module', 'list']).stdout, /\nsched /);
});

test('an unknown policy fails the reload, names the known ones, and keeps the old policy', () => {
  const r = inst!.flux(['module', 'reload', 'sched', 'policy=easy']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-module: reload sched: unknown policy "easy" (available: backfill, fcfs); the old module keeps running\n');
  assert.match(policyLine(), /policy=backfill/);
  assert.is(inst!.flux(['module', 'load', 'sched', 'policy=easy']).stderr, 'flux-module: load sched: File exists\n');
});

test('a bad policy option fails the reload (and a load)', () => {
  let r = inst!.flux(['module', 'reload', 'sched', 'select=middle']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-module: reload sched: policy fcfs: select must be low or high, not "middle"; the old module keeps running\n');
  assert.match(policyLine(), /policy=backfill/);
  assert.is(inst!.flux(['module', 'remove', 'sched']).code, 0);
  r = inst!.flux(['module', 'load', 'sched', 'select=middle']);
  assert.is(r.stderr, 'flux-module: load sched: policy fcfs: select must be low or high, not "middle"\n');
  assert.is(inst!.flux(['module', 'load', 'sched']).code, 0);
});

test('a site policy outside the tree loads by path', () => {
  const file = path.join(tmp.dir, 'lifo.js');
  fs.writeFileSync(
    file,
    `module.exports = { schedPolicy: 1, name: 'site-lifo', description: 'test', create: () => ({ name: 'site-lifo',
      hello() {}, enqueue() {}, cancel() { return false; }, free() {}, schedule() { return []; }, queue() { return []; } }) };`,
  );
  const r = inst!.flux(['module', 'reload', 'sched', `policy=${file}`]);
  assert.is(r.code, 0, r.stderr);
  assert.match(policyLine(), /policy=site-lifo/);
  assert.is(inst!.flux(['module', 'reload', 'sched']).code, 0);
  assert.match(policyLine(), /policy=fcfs/);
});

test.run();
