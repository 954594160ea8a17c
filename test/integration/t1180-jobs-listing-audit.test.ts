/**
 * flux jobs listing and formatting as Flux's: formats with several `?:`
 * columns that all go empty, and the other corners an audit of the listing
 * found different from flux-core 0.88.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;

test.before(async () => {
  inst = await startInstance(['--test-size=1']);
  for (const n of ['a1', 'a2', 'a3']) inst.flux(['submit', '--wait', `--job-name=${n}`, 'true']);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
});

test('several ?: columns empty in every row all go, with the spaces before them', () => {
  // the last column goes with the space before it
  const r = inst.flux(['jobs', '-a', '-o', '?:{sched.t_estimate} {name} ?+:{queue:3}']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n'), [' NAME', ' a3', ' a2', ' a1', '']);
  // the first column kept, a later one dropped
  const k = inst.flux(['jobs', '-a', '-n', '-o', '?:{name} ?:{queue} ?:{project}.']);
  assert.equal(k.stdout.split('\n'), ['a3.', 'a2.', 'a1.', '']);
});

test.run();
