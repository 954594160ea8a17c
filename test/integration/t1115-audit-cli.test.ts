/**
 * A user's audit of the less-trodden commands: what each fix changed, as the
 * user sees it (output, exit codes), against a real 2-broker instance.
 * flux proxy to an unreachable instance, --user=NAME of another user, flux
 * ping --count=0 and --batch without --count.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { FLUX, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;
let tmp: { dir: string; cleanup(): void };

const ok = (args: string[], input?: string): string => {
  const r = inst.flux(args, { cwd: tmp.dir, input });
  assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

test.before(async () => {
  tmp = tmpdir('flux-audit-');
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

test('flux proxy: an instance that cannot be reached is an error, COMMAND is not run', () => {
  let r = inst.flux(['proxy', `local://${tmp.dir}/nosuch/local`, 'echo', 'RAN']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', `flux-proxy: local://${tmp.dir}/nosuch/local: No such file or directory\n`]);
  // a path that is no broker socket
  r = inst.flux(['proxy', `local://${tmp.dir}`, 'echo', 'RAN']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', `flux-proxy: local://${tmp.dir}: Connection refused\n`]);
  // the instance that is there still works
  assert.is(ok(['proxy', inst.uri, 'flux', 'getattr', 'size']), '2\n');
});

test('--user=NAME of another user: selects that user, whose jobs are none of ours', () => {
  const held = ok(['submit', '--urgency=hold', 'true']).trim();
  let r = inst.flux(['jobs', '-n', '--user=nobody']);
  assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
  r = inst.flux(['cancel', '--all', '--user=nobody']);
  assert.equal([r.code, r.stderr], [0, 'flux-cancel: Matched 0 jobs\n']);
  r = inst.flux(['pgrep', '--user=nobody', 'true']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', '']);
  // ours is still pending, and a user that does not exist is still an error
  assert.is(ok(['jobs', '-n', '-o', '{id.f58} {state}', held]), `${held} SCHED\n`);
  r = inst.flux(['jobs', '--user=nosuchuser-x']);
  assert.equal([r.code, r.stderr], [1, 'flux-jobs: ERROR: Invalid user nosuchuser-x specified\n']);
  r = inst.flux(['cancel', '--all', '--user=nosuchuser-x']);
  assert.equal([r.code, r.stderr], [1, 'flux-cancel: ERROR: Invalid user nosuchuser-x specified\n']);
  ok(['cancel', held]);
});

test('flux ping --count=0 pings until interrupted; --batch needs --count', async () => {
  const child = spawn(FLUX, ['ping', '--count=0', '--interval=0.05s', '1'], { env: { ...process.env, ...inst.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  child.stdout.on('data', (d) => (out += d));
  const done = new Promise<void>((res) => child.on('exit', () => res()));
  void done.then(() => (exited = true));
  try {
    await waitUntil(() => exited || out.split('\n').filter((l) => l.startsWith('1!broker.ping')).length >= 3, { what: 'three ping responses' });
    assert.not.ok(exited, `flux ping --count=0 exited after: ${out}`);
    assert.match(out, /^flux-ping 1!broker\n1!broker\.ping pad=0 seq=0 time=/);
  } finally {
    child.kill('SIGINT');
    await done;
  }
  const r = inst.flux(['ping', '--batch', '1']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-ping: --batch should only be used with --count\n']);
});

test.run();
