/**
 * flux exec --bg/--waitable/--label/--attach and flux sproc ps/kill/wait:
 * background processes outlive their client, log their output, can be
 * listed, signalled, waited for and followed; every misuse is one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { FLUX, ROOT, fluxAsync, processAlive, startInstance, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  await inst.stop();
});

/** `RANK: PID` lines of flux exec --bg */
function started(stdout: string): { rank: number; pid: number }[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => {
      const m = /^(\d+): (\d+)$/.exec(l);
      assert.ok(m, `not RANK: PID: ${l}`);
      return { rank: Number(m[1]), pid: Number(m[2]) };
    });
}

function ps(rank: number, format = '{pid} {state} {flags} {label}'): string[] {
  const r = inst.flux(['sproc', 'ps', '-n', '-r', String(rank), '-o', format]);
  assert.equal([r.code, r.stderr], [0, '']);
  return r.stdout.split('\n').filter(Boolean);
}

test('--bg prints RANK: PID for each rank and leaves the processes running after flux exec exits', () => {
  const r = inst.flux(['exec', '--bg', '--label=sleeper', 'sleep', '300']);
  assert.equal([r.code, r.stderr], [0, '']);
  const procs = started(r.stdout);
  assert.equal(procs.map((p) => p.rank), [0, 1]);
  for (const p of procs) assert.ok(processAlive(p.pid), `pid ${p.pid} gone`);
  assert.equal(ps(1), [`${procs[1]!.pid} R bg sleeper`]);
  // the default format: Flux's columns, - for empty values
  const full = inst.flux(['sproc', 'ps', '-r', '0']);
  assert.match(full.stdout, /^ {6}PID STAT FLAGS {7}LABEL {12}COMMAND\n/);
  assert.match(full.stdout, new RegExp(`\\n +${procs[0]!.pid} R   bg +sleeper +sleep 300\\n`));
});

test('a label is unique on a broker, also between two requests at once; an empty one is refused', async () => {
  let r = inst.flux(['exec', '-r', '0', '--label=sleeper', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-exec: Error: rank 0: true: label sleeper is already in use on rank 0\n']);
  r = inst.flux(['exec', '--label=', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-exec: --label must not be empty\n']);
  const both = await Promise.all([1, 2].map(() => fluxAsync(['exec', '-r', '1', '--bg', '--label=once', 'sleep', '300'], { env: { FLUX_URI: inst.uri } })));
  assert.equal(both.map((x) => x.code).sort(), [0, 1]);
  assert.equal(ps(1, '{label}').filter((l) => l === 'once'), ['once']);
  assert.is(inst.flux(['sproc', 'kill', '-r', '1', '9', 'once']).code, 0);
});

test('flux sproc kill by label; the end is logged, the process leaves ps', async () => {
  const pids = ps(0).map((l) => l.split(' ')[0]);
  let r = inst.flux(['sproc', 'kill', '-r', '0', '15', 'sleeper']);
  assert.equal([r.code, r.stderr], [0, '']);
  await waitUntil(() => inst.flux(['dmesg']).stdout.includes(`rexec.warning[0]: sleeper: sleep[${pids[0]}]: Killed by signal 15`), { what: 'the kill in the log' });
  await waitUntil(() => ps(0).length === 0, { what: 'rank 0 empty' });
  r = inst.flux(['sproc', 'kill', '-r', '1', 'KILL', 'sleeper']);
  assert.is(r.code, 0);
  await waitUntil(() => ps(1).length === 0, { what: 'rank 1 empty' });
  r = inst.flux(['sproc', 'kill', '-r', '0', '15', 'sleeper']);
  assert.equal([r.code, r.stderr], [1, 'flux-sproc: ERROR: kill: label sleeper: no such process on rank 0\n']);
});

test('a background process logs stdout at info and stderr at err, and its exit', async () => {
  const r = inst.flux(['exec', '-r', '0', '--bg', 'sh', '-c', 'echo some stdout; echo some stderr >&2; exit 1']);
  const { pid } = started(r.stdout)[0]!;
  const want = [`rexec.info[0]: sh[${pid}]: some stdout`, `rexec.err[0]: sh[${pid}]: some stderr`, `rexec.warning[0]: sh[${pid}]: Exit 1`];
  await waitUntil(() => {
    const log = inst.flux(['dmesg']).stdout;
    return want.every((w) => log.includes(w));
  }, { what: 'the output and exit in the log' });
  // not waitable: gone once it exited
  assert.equal(ps(0), []);
});

test('launch failures: exit 127, nothing kept; --waitable needs --bg', () => {
  let r = inst.flux(['exec', '-r', '0', '--bg', '--waitable', 'nosuchcommand']);
  assert.equal([r.code, r.stderr], [127, 'flux-exec: Error: rank 0: nosuchcommand: error launching process: No such file or directory\n']);
  assert.equal(ps(0), []);
  r = inst.flux(['exec', '-r', '0', '--waitable', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-exec: --waitable can only be used with --bg\n']);
});

test('a waitable process is a zombie until flux sproc wait collects its status and retained output', () => {
  const r = inst.flux(['exec', '-r', '0', '--bg', '--waitable', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  const { pid } = started(r.stdout)[0]!;
  let w = inst.flux(['sproc', 'wait', '-r', '0', '-o', String(pid)]);
  assert.equal([w.code, w.stdout, w.stderr], [3, 'out\n', 'err\n']);
  w = inst.flux(['sproc', 'wait', String(pid)]);
  assert.equal([w.code, w.stderr], [1, `flux-sproc: ERROR: wait: pid ${pid}: no such process on rank 0\n`]);
});

test('zombies show Z; wait by label; a non-waitable process cannot be waited for', async () => {
  inst.flux(['exec', '-r', '0', '--bg', '--waitable', '--label=z', 'false']);
  await waitUntil(() => ps(0).some((l) => / Z bg,waitable z$/.test(l)), { what: 'a zombie' });
  let w = inst.flux(['sproc', 'wait', 'z']);
  assert.is(w.code, 1);
  inst.flux(['exec', '-r', '0', '--bg', '--label=nw', 'sleep', '300']);
  w = inst.flux(['sproc', 'wait', 'nw']);
  assert.is(w.code, 1);
  assert.match(w.stderr, /^flux-sproc: ERROR: wait: nw: sleep\[\d+\] is not waitable/);
  assert.is(inst.flux(['sproc', 'kill', '9', 'nw']).code, 0);
});

test('kill --wait exits with 128 + the signal; a second waiter is refused', async () => {
  inst.flux(['exec', '-r', '0', '--bg', '--waitable', '--label=w', 'sleep', '300']);
  const first = spawn(FLUX, ['sproc', 'wait', 'w'], { env: { ...process.env, FLUX_URI: inst.uri, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` }, stdio: 'ignore' });
  try {
    await waitUntil(() => ps(0, '{statex} {label}').join() === 'R+ w', { what: 'the first waiter in place' });
    const r = inst.flux(['sproc', 'wait', 'w']);
    assert.is(r.code, 1);
    assert.match(r.stderr, /^flux-sproc: ERROR: wait: w: sleep\[\d+\] already has a waiter\n$/);
  } finally {
    first.kill('SIGKILL');
  }
  // the waiter went away (a waiting client counts as attached): the process stays, and kill -w collects it
  await waitUntil(() => ps(0, '{statex} {label}').join() === 'R w', { what: 'the waiter forgotten' });
  const r = inst.flux(['sproc', 'kill', '--wait', '15', 'w']);
  assert.equal([r.code, r.stderr], [143, '']);
  assert.equal(ps(0), []);
});

test('--attach follows a background process to its exit; a waitable zombie gives its status once', () => {
  inst.flux(['exec', '-r', '0', '--bg', '--label=att-run', 'sh', '-c', 'sleep 1; echo hi; exit 4']);
  let r = inst.flux(['exec', '-r', '0', '--attach', 'att-run']);
  assert.equal([r.code, r.stdout, r.stderr], [4, 'hi\n', '0: Exit 4\n']);
  inst.flux(['exec', '-r', '0', '--bg', '--waitable', '--label=att-reap', 'sh', '-c', 'exit 7']);
  r = inst.flux(['exec', '-r', '0', '--attach', 'att-reap']);
  assert.is(r.code, 7);
  r = inst.flux(['exec', '-r', '0', '--attach', 'att-reap']);
  assert.equal([r.code, r.stderr], [127, 'flux-exec: Error: rank 0: label att-reap: no such process on rank 0\n']);
});

test('--attach misuse: pid on several ranks, a COMMAND, --bg, an overflowing pid is a label', () => {
  let r = inst.flux(['exec', '--attach', '123456']);
  assert.equal([r.code, r.stderr], [1, 'flux-exec: --attach by pid requires a single target rank (use -r RANK)\n']);
  r = inst.flux(['exec', '-r', '0', '--attach', 'x', 'y']);
  assert.equal([r.code, r.stderr], [1, 'flux-exec: --attach takes a single PID or LABEL and no COMMAND\n']);
  r = inst.flux(['exec', '-r', '0', '--bg', '--attach=x']);
  assert.equal([r.code, r.stderr], [1, 'flux-exec: --attach cannot be used with --bg\n']);
  r = inst.flux(['exec', '-r', '0', '--attach', '4294967297']);
  assert.equal([r.code, r.stderr], [127, 'flux-exec: Error: rank 0: label 4294967297: no such process on rank 0\n']);
});

test('Ctrl-C detaches an attached client: the process runs on, shown R+ while attached', async () => {
  inst.flux(['exec', '-r', '0', '--bg', '--label=att-detach', 'sh', '-c', 'while :; do echo tick >&2; sleep 0.1; done']);
  const child = spawn(FLUX, ['exec', '-r', '0', '--attach', 'att-detach'], { env: { ...process.env, FLUX_URI: inst.uri, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` } });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  try {
    await waitUntil(() => err.includes('tick'), { what: 'attached output' });
    assert.equal(ps(0, '{statex} {attached} {label}'), ['R+ Y att-detach']);
    // a second client cannot attach, nor wait
    const r = inst.flux(['exec', '-r', '0', '--attach', 'att-detach']);
    assert.is(r.code, 1);
    assert.match(r.stderr, /att-detach: sh\[\d+\] already has a client attached\n$/);
    child.kill('SIGINT');
    assert.is(await exited, 0);
  } finally {
    child.kill('SIGKILL');
  }
  assert.match(err, /flux-exec: detached from att-detach on rank 0; it keeps running \(stop it with: flux sproc kill -r 0 15 att-detach\)\n$/);
  await waitUntil(() => ps(0, '{statex} {label}').join() === 'R att-detach', { what: 'detached and running' });
  assert.is(inst.flux(['sproc', 'kill', '-r', '0', '9', 'att-detach']).code, 0);
});

test('flux sproc: bad rank, unknown signal, unknown field, unknown service', () => {
  let r = inst.flux(['sproc', 'ps', '-r', 'x']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /flux-sproc ps: error: argument -r\/--rank: invalid int value: 'x'\n$/);
  r = inst.flux(['sproc', 'kill', 'FOO', '1']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /argument signum: invalid signal: 'FOO'\n$/);
  r = inst.flux(['sproc', 'ps', '-o', '{nosuch}']);
  assert.equal([r.code, r.stderr], [1, 'flux-sproc: ERROR: Error in user format: Unknown format field: nosuch\n']);
  r = inst.flux(['sproc', 'ps', '-s', 'nosuch']);
  assert.equal([r.code, r.stderr], [1, 'flux-sproc: ERROR: ps: No service matching nosuch.list is registered\n']);
  r = inst.flux(['sproc', 'wait', '-s', 'nosuch', '1']);
  assert.equal([r.code, r.stderr], [1, 'flux-sproc: ERROR: wait: No service matching nosuch.wait is registered\n']);
  r = inst.flux(['sproc', 'kill', '-s', 'nosuch', '15', '1']);
  assert.equal([r.code, r.stderr], [1, 'flux-sproc: ERROR: kill: No service matching nosuch.kill is registered\n']);
});

test.run();
