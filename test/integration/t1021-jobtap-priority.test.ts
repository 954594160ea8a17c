/**
 * Priority plugins through the real `flux`: a site's job.priority.get plugin
 * (loaded by path) replaces .priority-default's answer and the jobs start in
 * its order; removing it gives the urgency back to pending jobs; the
 * multi-factor example lowers a user's priority after the user's jobs ran
 * (fair share), and keeps hold (urgency 0) and expedite (31).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;
const tmp = tmpdir('flux-t1021-');

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

function ok(r: { code: number; stdout: string; stderr: string }, what: string): string {
  assert.is(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}
const submit = (...args: string[]) => ok(inst.flux(['submit', ...args]), `submit ${args.join(' ')}`).trim();
const field = (id: string, f: string) => inst.flux(['jobs', '-n', '-o', `{${f}}`, id]).stdout.trim();
const waitClean = (id: string) => ok(inst.flux(['job', 'wait-event', '-t', '30', id, 'clean']), `wait clean ${id}`);

test("a site's priority plugin orders the queue; removing it restores the urgency", async () => {
  const plugin = path.join(tmp.dir, 'by-name.js');
  // priority = 1000 * N for a job named pN (others: no answer, so the urgency)
  fs.writeFileSync(
    plugin,
    [
      "module.exports = { jobtapPlugin: 1, name: 'by-name', create: () => ({",
      "  'job.priority.get': (job) => { const m = /^p(\\d+)$/.exec(job.name); return m ? 1000 * Number(m[1]) : undefined; },",
      '}) };',
      '',
    ].join('\n'),
  );
  ok(inst.flux(['jobtap', 'load', plugin]), 'load by-name');
  ok(inst.flux(['queue', 'stop']), 'queue stop');
  const log = path.join(tmp.dir, 'order');
  const ids = ['p1', 'p5', 'p3', 'plain'].map((n) => submit('-N1', '--exclusive', `--job-name=${n}`, 'sh', '-c', `echo ${n} >>${log}`));
  assert.equal(
    ids.map((id) => field(id, 'priority')),
    ['1000', '5000', '3000', '16'],
  );
  // flux jobs lists pending jobs by priority
  assert.equal(ok(inst.flux(['jobs', '-n', '-o', '{name}']), 'jobs').trim().split('\n'), ['p5', 'p3', 'p1', 'plain']);
  ok(inst.flux(['queue', 'start']), 'queue start');
  for (const id of ids) waitClean(id);
  assert.is(fs.readFileSync(log, 'utf8'), 'p5\np3\np1\nplain\n');

  // pending jobs get the urgency back when the plugin goes
  ok(inst.flux(['queue', 'stop']), 'queue stop');
  const pending = submit('--job-name=p7', 'true');
  assert.is(field(pending, 'priority'), '7000');
  ok(inst.flux(['jobtap', 'remove', 'by-name']), 'remove');
  await waitUntil(() => field(pending, 'priority') === '16', { what: 'priority back to the urgency' });
  assert.match(inst.flux(['job', 'eventlog', pending]).stdout, /priority priority=7000\n\S+ priority priority=16\n/);
  ok(inst.flux(['queue', 'start']), 'queue start');
  waitClean(pending);
});

test('multi-factor: fair share drops after the user runs, hold and expedite are kept', async () => {
  ok(inst.flux(['jobtap', 'load', 'multi-factor', 'urgency-weight=10', 'fairshare-weight=100000', 'usage-scale=0.1']), 'load multi-factor');
  ok(inst.flux(['queue', 'stop']), 'queue stop');
  const before = submit('true');
  const held = submit('--urgency=hold', 'true');
  const expedited = submit('--urgency=expedite', 'true');
  // no usage yet: 10 * 16 + 100000 * 1
  assert.is(field(before, 'priority'), '100160');
  assert.is(field(held, 'priority'), '0');
  assert.is(field(expedited, 'priority'), '4294967295');
  ok(inst.flux(['queue', 'start']), 'queue start');
  const ran = submit('sleep', '0.5');
  waitClean(ran);
  waitClean(before);
  waitClean(expedited);
  // the user used about a core-second or more: a new job of theirs gets less
  ok(inst.flux(['queue', 'stop']), 'queue stop');
  const after = submit('true');
  const p = Number(field(after, 'priority'));
  assert.ok(p > 160 && p < 100160 / 2, `priority after usage: ${p}`);
  const q = JSON.parse(ok(inst.flux(['jobtap', 'query', 'multi-factor']), 'query')) as { usage: Record<string, number>; fairshare: Record<string, number> };
  const uid = String(process.getuid?.() ?? 0);
  assert.ok((q.usage[uid] ?? 0) >= 0.5, JSON.stringify(q));
  assert.ok((q.fairshare[uid] ?? 1) < 0.5, JSON.stringify(q));
  ok(inst.flux(['cancel', held]), 'cancel held');
  ok(inst.flux(['queue', 'start']), 'queue start');
  waitClean(after);
  ok(inst.flux(['jobtap', 'remove', 'multi-factor']), 'remove');
});

test.run();
