/**
 * A user's audit of the less-trodden commands: what each fix changed, as the
 * user sees it (output, exit codes), against a real 2-broker instance.
 * flux proxy to an unreachable instance, --user=NAME of another user, flux
 * ping --count=0 and --batch without --count, flux bulksubmit's substitution.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
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

test('flux ping --count=0 pings until interrupted; --batch needs --count; -u shows the credentials', async () => {
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
  let r = inst.flux(['ping', '--batch', '1']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-ping: --batch should only be used with --count\n']);
  // -u, --userid: the request's credentials as the service echoes them (the owner, connected locally)
  for (const target of ['1', 'kvs']) {
    r = inst.flux(['ping', '-u', '-c', '1', target]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout.split('\n')[1]!, new RegExp(`^\\d+!(broker|kvs)\\.ping pad=0 userid=${os.userInfo().uid} rolemask=0x5 seq=0 time=\\d+\\.\\d{3} ms \\(`));
  }
});

test('flux bulksubmit --dry-run: Python format fields, linked inputs, changed options shown as Flux shows them', () => {
  const dry = (...args: string[]) => ok(['bulksubmit', '--dry-run', ...args]);
  assert.is(dry('echo', '{} {}', ':::', 'a', 'b', ':::', 'x'), 'bulksubmit: submit echo a x\nbulksubmit: submit echo b x\n');
  // a linked input goes in at its place, cycled over the combinations of the others
  assert.is(
    dry('echo', '{0}{1}{2}', ':::', 'a', 'b', ':::+', '1', '2', ':::', 'x', 'y'),
    ['a1x', 'a2y', 'b1x', 'b2y'].map((w) => `bulksubmit: submit echo ${w}\n`).join(''),
  );
  assert.is(dry('echo', '{0.%}|{0./}|{0.//}|{0./%}', ':::', '/a/b/c.txt', '.bashrc'), 'bulksubmit: submit echo /a/b/c|c.txt|/a/b|c\nbulksubmit: submit echo .bashrc|.bashrc||.bashrc\n');
  assert.is(dry('--output=o.{seq:03}.{{id}}', 'echo', '{0!r}', '{{name}}', ':::', 'a'), "bulksubmit: submit --output=o.000.{{id}} echo 'a' {{name}}\n");
  assert.is(dry('--progress', '-n', '{}', '--job-name=j{seq1}', '-o', 'x={}', 'hostname', ':::', '1', '2'), [
    'bulksubmit: submitting a total of 2 jobs',
    "bulksubmit: submit -n1 -o ['x=1'] --job-name=j1 hostname",
    "bulksubmit: submit -n2 -o ['x=2'] --job-name=j2 hostname",
    '',
  ].join('\n'));
  assert.is(dry('--cc=1-2', 'echo', '{cc}', ':::', 'a'), 'bulksubmit: submit --cc=1-2 echo {cc}\n');
  // --shuffle reorders the jobs, each keeps the {seq} of its input
  const lines = dry('--shuffle', 'echo', '{seq}{}', ':::', 'a', 'b', 'c', 'd').trim().split('\n').sort();
  assert.equal(lines, ['0a', '1b', '2c', '3d'].map((w) => `bulksubmit: submit echo ${w}`));
});

test('flux bulksubmit: bad replacements and no inputs are errors (exit 1), as in Flux', () => {
  const err = (args: string[], input?: string) => {
    const r = inst.flux(['bulksubmit', '--dry-run', ...args], { input });
    return [r.code, r.stdout, r.stderr];
  };
  assert.equal(err(['echo', '{foo}', ':::', 'a']), [1, '', "flux-bulksubmit: ERROR: Invalid replacement string in command: '{foo}'\n"]);
  assert.equal(err(['echo', '{2}', ':::', 'a']), [1, '', "flux-bulksubmit: ERROR: Invalid replacement string in command: '{2}'\n"]);
  assert.equal(err(['-n', '{2}', 'echo', ':::', 'a']), [1, '', "flux-bulksubmit: ERROR: Invalid replacement index in -n{2}'\n"]);
  assert.equal(err(['--job-name={x}', 'echo', ':::', 'a']), [1, '', "flux-bulksubmit: ERROR: Replacement key 'x' not found in '--job-name={x}'\n"]);
  assert.equal(err(['echo', '{.}', ':::', 'a']), [1, '', 'flux-bulksubmit: ERROR: Empty attribute in format string\n']);
  assert.equal(err(['echo', '{}', ':::']), [1, '', 'flux-bulksubmit: ERROR: no jobs provided for bulk submission\n']);
  assert.equal(err(['echo', '{}'], ''), [1, '', 'flux-bulksubmit: ERROR: no jobs provided for bulk submission\n']);
});

test('flux bulksubmit --cc: one job per id and input, {cc} and FLUX_JOB_CC set', () => {
  const out = ok(['bulksubmit', '--quiet', '--watch', '--cc=1-2', 'sh', '-c', 'echo {cc}{}:$FLUX_JOB_CC', ':::', 'a', 'b']);
  assert.equal(out.trim().split('\n').sort(), ['1a:1', '1b:1', '2a:2', '2b:2']);
});

test('flux pstree JOBID: an unknown id is reported, nothing is drawn for it; filters with ids warn', () => {
  let r = inst.flux(['pstree', 'f1234']);
  assert.equal([r.code, r.stdout, r.stderr], [0, '', 'JobID f1234 unknown\n']);
  const job = ok(['submit', '--job-name=tree', 'sleep', '300']).trim();
  r = inst.flux(['pstree', '-a', job, 'f1234']);
  assert.equal([r.code, r.stderr], [0, 'flux-pstree: WARNING: filtering options ignored with jobid list\nJobID f1234 unknown\n']);
  // pending (any of its states) or running, as far as it got
  assert.match(r.stdout, /^tree:[DPSR]\n$/);
  ok(['cancel', job]);
  ok(['job', 'wait-event', '-t', '30', job, 'clean']);
  // nothing running and the root skipped: no output at all
  r = inst.flux(['pstree', '--skip-root=yes']);
  assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
});

test('flux uri JOBID of a job that is no instance: Flux\'s messages', async () => {
  const done = ok(['submit', '--wait', 'true']).trim();
  let r = inst.flux(['uri', done]);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', `flux-uri: ERROR: jobid ${done} is not running\n`]);
  const running = ok(['submit', 'sleep', '300']).trim();
  await waitUntil(() => ok(['jobs', '-no', '{state}', running]).trim() === 'RUN', { what: `${running} running` });
  r = inst.flux(['uri', running]);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', `flux-uri: ERROR: URI not found for job ${running}\n`]);
  r = inst.flux(['uri', 'f1234']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-uri: ERROR: jobid f1234 not found\n']);
  ok(['cancel', running]);
});

test('a hostlist or idset of a billion entries is one error line, not a crash of the heap', () => {
  let r = inst.flux(['hostlist', '-u', 'foo[1-1000000000]'], { timeoutMs: 20_000 });
  assert.equal([r.code, r.stdout, r.stderr], [1, '', "flux-hostlist: ERROR: invalid hostlist 'foo[1-1000000000]': more than 1048576 hosts\n"]);
  r = inst.flux(['exec', '-r', '0-4000000000', 'true'], { timeoutMs: 20_000 });
  assert.equal([r.code, r.stdout, r.stderr], [1, '', "flux-exec: failed to decode idset '0-4000000000': Invalid argument\n"]);
  // large but bounded lists still work
  assert.is(ok(['hostlist', '-c', 'foo[1-100000]']), '100000\n');
});

test('flux hostlist -c, -n, -e and plain output of literal hostlists work from the ranges, past the bound on expanded lists', async () => {
  const big = 'n[1-2000000]';
  assert.is(ok(['hostlist', big]), 'n[1-2000000]\n');
  assert.is(ok(['hostlist', big, 'n[2000001-3000000]', 'm[08-09],m[10-100]']), 'n[1-3000000],m[08-99,100]\n');
  assert.is(ok(['hostlist', '-c', big]), '2000000\n');
  assert.is(ok(['hostlist', '-c', 'foo[1-1000000000]', 'bar,n[7-8]']), '1000000003\n');
  assert.is(ok(['hostlist', '-n', '1999999', big]), 'n2000000\n');
  assert.is(ok(['hostlist', '-n', '-1', 'x[001-900000],y[1-900000]']), 'y900000\n');
  assert.is(ok(['hostlist', '-n', '0-2,1500000', big]), 'n[1-3,1500001]\n');
  assert.is(ok(['hostlist', '-c', '-n', '0-4', big]), '5\n');
  const e = await inst.fluxAsync(['hostlist', '-e', '-d', ',', big]);
  assert.is(e.code, 0, e.stderr);
  const hosts = e.stdout.split(',');
  assert.equal([hosts.length, hosts[0], hosts[1048576], hosts[1999999]], [2000000, 'n1', 'n1048577', 'n2000000\n']);
  const n = inst.flux(['hostlist', '-n', '2000000', big]);
  assert.equal([n.code, n.stdout, n.stderr], [1, '', 'flux-hostlist: ERROR: Invalid index 2000000\n']);
});

test('flux bulksubmit --define=NAME=CODE: a method on the inputs, evaluated without Python for the common subset', () => {
  let r = inst.flux(['bulksubmit', '--dry-run', '--define=p2=2**int(x)', '--define=half=int(x)/2', '-n', '{.p2}', 'echo', '{0.p2:>3}', '{0.half}'], { input: '1\n2\n3\n' });
  assert.equal([r.code, r.stderr], [0, '']);
  assert.is(r.stdout, 'bulksubmit: submit -n2 echo   2 0.5\nbulksubmit: submit -n4 echo   4 1.0\nbulksubmit: submit -n8 echo   8 1.5\n');
  r = inst.flux(['bulksubmit', '--dry-run', '--define=up=x.upper()', "--define=stem=x.split('.')[0]", '--define=z=x.zfill(6)', '--define=big=2**int(x[1:2])*10**20', 'echo', '{.up}', '{0.stem}', '{0.z}', '{0.up!r}', ':::', 'a1.txt', 'b9.c']);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.is(r.stdout, "bulksubmit: submit echo A1.TXT a1 a1.txt 'A1.TXT'\nbulksubmit: submit echo B9.C b9 00b9.c 'B9.C'\n");
  r = inst.flux(['bulksubmit', '--dry-run', '--define=m=-int(x)//3', '--define=r=-int(x)%3', '--define=f=float(x)*2', 'echo', '{0.m} {0.r} {0.f} {0.f:.2f}', ':::', '7']);
  assert.equal([r.code, r.stdout, r.stderr], [0, 'bulksubmit: submit echo -3 2 14.0 14.00\n', '']);
  r = inst.flux(['bulksubmit', '--dry-run', '--define=q="debug" if int(x) < 4 else "batch"', '--define=big=1 < int(x) <= 5', 'echo', '{.q}', '{.big}', ':::', '3', '5', '9']);
  assert.equal([r.code, r.stdout, r.stderr], [0, 'bulksubmit: submit echo debug True\nbulksubmit: submit echo batch True\nbulksubmit: submit echo batch False\n', '']);
  // a Python error is its message; what the subset does not hold is one line saying so; jobs really get the value
  r = inst.flux(['bulksubmit', '--dry-run', '--define=i=int(x)', 'echo', '{.i}', ':::', 'abc']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', "flux-bulksubmit: ERROR: invalid literal for int() with base 10: 'abc'\n"]);
  r = inst.flux(['bulksubmit', '--dry-run', '--define=i=__import__("os").getpid()', 'echo', '{.i}', ':::', '1']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-bulksubmit: ERROR: --define=i=__import__\("os"\)\.getpid\(\): flux-ts cannot evaluate '__import__\("os"\)\.getpid\(\)' \(it runs no Python: [^\n]*\)\n$/);
  r = inst.flux(['bulksubmit', '--dry-run', '--define=i', 'echo', ':::', '1']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-bulksubmit: ERROR: --define=i: expected NAME=CODE\n']);
  r = inst.flux(['bulksubmit', '--watch', '--define=sq=int(x)**2', 'echo', '{.sq}', ':::', '12']);
  assert.equal([r.code, r.stdout.trim().split('\n').at(-1)], [0, '144'], r.stderr);
});

test('flux shutdown --background (Flux\'s name for --nowait) starts the shutdown and returns', async () => {
  const other = await startInstance(['--test-size=1']);
  try {
    const r = other.flux(['shutdown', '--background']);
    assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
    // the instance goes by itself: its front end exits
    await waitUntil(() => other.proc.exitCode !== null || other.proc.signalCode !== null, { what: 'the instance to exit' });
  } finally {
    await other.stop().catch(() => other.kill());
  }
});

test.run();
