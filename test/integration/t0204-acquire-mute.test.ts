/**
 * flux resource acquire-mute (Flux's shutdown step): the scheduler hears of
 * no resource change after it. Without it a drained node holds a job back
 * (its reason says so); after it the drain is recorded but the scheduler,
 * not told, still runs jobs there.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop();
});

test('a drain holds a job back, until acquire-mute: then the scheduler is not told', async () => {
  assert.is(inst.flux(['resource', 'drain', '0', 'maint']).code, 0);
  const id = inst.flux(['submit', 'echo', 'held']).stdout.trim();
  await waitUntil(() => /drained/.test(inst.flux(['jobs', '-no', '{annotations.sched.reason_pending}', id]).stdout), { what: 'the job held by the drain' });
  assert.is(inst.flux(['cancel', id]).code, 0);
  assert.is(inst.flux(['resource', 'undrain', '0']).code, 0);

  const m = inst.flux(['resource', 'acquire-mute']);
  assert.equal([m.code, m.stdout, m.stderr], [0, '', '']);
  assert.match(inst.flux(['dmesg']).stdout, /resource\.info\[0\]: acquire-mute: the scheduler is told of no more resource changes/);
  assert.is(inst.flux(['resource', 'drain', '0', 'maint2']).code, 0);
  assert.is(inst.flux(['resource', 'status', '-no', '{state} {reason}']).stdout, 'drained maint2\n');
  const r = inst.flux(['run', 'echo', 'ran'], { timeoutMs: 30_000 });
  assert.equal([r.code, r.stdout], [0, 'ran\n']);
});

test.run();
