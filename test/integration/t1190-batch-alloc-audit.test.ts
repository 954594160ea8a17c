/**
 * Batch jobs, allocations and nested instances as a Flux user meets them:
 * - the front end's -p/-r are getopt flags as in Flux: `flux -pp CMD` runs CMD
 *   against the grandparent (bundled), `--par` is `--parent`, `--` ends them;
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;

test.before(async () => {
  inst = await startInstance(['--test-size=1']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

test('flux -pp in a grandchild instance reaches the root; -p -p, -rp, --par and -- too', () => {
  const cmds = [
    'flux -pp getattr instance-level',
    'flux -p -p getattr instance-level',
    'flux -rp getattr instance-level',
    'flux --par getattr instance-level',
    'flux -- getattr instance-level',
  ].join('; ');
  const r = inst.flux(['alloc', '-N1', 'flux', 'alloc', '-N1', 'sh', '-c', cmds], { timeoutMs: 120_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '0\n0\n0\n1\n2\n');
});

test('a bad front-end flag in a bundle, or one given an argument, is named as liboptparse names it', () => {
  let r = inst.flux(['-px', 'getattr', 'instance-level']);
  assert.is(r.code, 1);
  assert.is(r.stderr, "flux: unrecognized option '-x'\nTry `flux --help' for more information.\n");
  r = inst.flux(['--parent=1', 'getattr', 'instance-level']);
  assert.is(r.code, 1);
  assert.is(r.stderr, "flux: unrecognized option '-p'\nTry `flux --help' for more information.\n");
  r = inst.flux(['--ver']);
  assert.is(r.code, 1);
  assert.match(r.stderr, "flux: unrecognized option '--ver'\n");
});

test.run();
