/**
 * Batch jobs, allocations and nested instances as a Flux user meets them:
 * - the front end's -p/-r are getopt flags as in Flux: `flux -pp CMD` runs CMD
 *   against the grandparent (bundled), `--par` is `--parent`, `--` ends them;
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { FLUX, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

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

test('flux batch --wrap with the script on stdin: its directives count, the command line over them', () => {
  const input = '#flux: -N1 --job-name=fromstdin\n#flux: --setattr=user.y=2\nhostname\n';
  const r = inst.flux(['batch', '--wrap', '--dry-run', '--setattr=user.y=3'], { input });
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { resources: { type: string; count: number }[]; attributes: { system: { job: { name: string }; files: { script: { data: string } } }; user: { y: number } } };
  assert.is(j.attributes.system.job.name, 'fromstdin');
  assert.equal([j.resources[0]!.type, j.resources[0]!.count], ['node', 1]);
  assert.is(j.attributes.user.y, 3);
  assert.is(j.attributes.system.files.script.data, `#!/bin/sh\n${input}`);
});

test('flux batch DIR: Python\'s OSError text', () => {
  const r = inst.flux(['batch', '-N1', tmp.dir]);
  assert.is(r.code, 1);
  assert.is(r.stderr, `flux-batch: ERROR: [Errno 21] Is a directory: '${tmp.dir}'\n`);
});

test('flux alloc --bg: an instance that fails to start shows why on stderr', () => {
  const r = inst.flux(['alloc', '-N1', '--bg', '--broker-opts=-Snosuch.attr=1'], { timeoutMs: 60_000 });
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.some((l) => l.includes('nosuch.attr')), r.stderr);
  assert.match(lines[lines.length - 1]!, /^flux-alloc: ERROR: ƒ\w+: unexpectedly exited$/);
});

test('flux alloc --bg: ctrl-C while it waits for resources cancels the job, with one line', async () => {
  const busy = inst.flux(['submit', '-N1', 'sleep', '300']).stdout.trim();
  try {
    const proc = spawn(FLUX, ['alloc', '-N1', '--bg', '-v'], { env: inst.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
    await waitUntil(() => err.includes('waiting for resources'), { what: 'alloc --bg waiting', timeoutMs: 30_000 });
    proc.kill('SIGINT');
    assert.is(await exited, 1, err);
    const id = /^(ƒ\w+):/.exec(err)?.[1] ?? '?';
    assert.is(err.replace(/: +\d+\.\d{3}s:/, ': T:'), `${id}: T: waiting for resources\n${id}: Interrupt: canceling job\n`);
    assert.is(out, '');
    assert.is(inst.flux(['jobs', '-no', '{result}', id]).stdout, 'CANCELED\n');
  } finally {
    inst.flux(['cancel', busy]);
  }
});

test.run();
