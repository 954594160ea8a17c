/**
 * Batch jobs, allocations and nested instances as a Flux user meets them:
 * - the front end's -p/-r are getopt flags as in Flux: `flux -pp CMD` runs CMD
 *   against the grandparent (bundled), `--par` is `--parent`, `--` ends them;
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance;
const tmp = tmpdir();

test.before(async () => {
  inst = await startInstance(['--test-size=1']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
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

test('a stray word in a directive is dropped: the command line\'s options after SCRIPT still count', () => {
  const script = path.join(tmp.dir, 'stray.sh');
  fs.writeFileSync(script, '#!/bin/sh\n#flux: -N1\n#flux: --job-name=my job\necho hi\n');
  const r = inst.flux(['batch', '--dry-run', '--setattr=user.x=1', script, 'arg1']);
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { tasks: { command: string[] }[]; attributes: { system: { job: { name: string } }; user: { x: number } } };
  assert.is(j.attributes.system.job.name, 'my');
  assert.is(j.attributes.user.x, 1);
  assert.equal(j.tasks[0]!.command, ['flux', 'broker', '{{tmpdir}}/script', 'arg1']);
  assert.is(inst.flux(['jobs', '-a', '--name=my', '-no', '{id}']).stdout, '', 'nothing was submitted');
});

test.run();
