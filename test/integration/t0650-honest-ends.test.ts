/**
 * Honest ends: nothing of an instance survives its leader. A broker killed with
 * SIGKILL takes with it the initial program and what it left in the background
 * (setsid included), the job tasks it started (and theirs), its warm clients;
 * the other brokers of the instance exit and take theirs. A canceled job ends
 * even when its task left a setsid child holding its output. Every process the
 * test starts carries T0650_MARK in its environment; the test then polls /proc
 * until none is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FLUX, ROOT, flux } from '../helpers/flux';
import { describe, findProcs } from '../helpers/procs';
import { waitUntil } from '../helpers/wait';

const MARK = `t0650-${process.pid}`;
const ENV = { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, T0650_MARK: MARK };

interface Started {
  proc: ChildProcess;
  uri: string;
  stderr(): string;
  exited: Promise<number>;
}

/** `flux start ARGS sh -c PROGRAM` in its own process group; PROGRAM prints $FLUX_URI first. */
function start(args: string[], program: string): Promise<Started> {
  const proc = spawn(FLUX, ['start', ...args, 'sh', '-c', program], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number>((resolve) => proc.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1))));
  return waitUntil(() => (out.includes('\n') ? out.slice(0, out.indexOf('\n')) : undefined), {
    what: `flux start ${args.join(' ')} to print its URI (stderr: ${err})`,
    timeoutMs: 30_000,
  }).then((uri) => ({ proc, uri, stderr: () => err, exited }));
}

function marked(): ReturnType<typeof findProcs> {
  return findProcs({ env: ['T0650_MARK', MARK] });
}

/** Whatever a failed test left: the front end's group, then everything marked. */
function teardown(s: Started | undefined): void {
  if (s?.proc.pid !== undefined) {
    try {
      process.kill(-s.proc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const p of [...marked(), ...findProcs({ args: 'sleep 3616' })]) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

async function jobRunning(uri: string, args: string[], count: number, marker: string): Promise<void> {
  const r = flux(['submit', ...args], { env: { ...ENV, FLUX_URI: uri } });
  assert.is(r.code, 0, r.stderr);
  await waitUntil(() => findProcs({ env: ['T0650_MARK', MARK], args: marker }).length === count, {
    what: `${count} task processes "${marker}" of job ${r.stdout.trim()}`,
  });
}

async function allGone(what: string): Promise<void> {
  await waitUntil(() => marked().length === 0, { what, timeoutMs: 30_000 }).catch((e: Error) => {
    throw new Error(`${e.message}\nleft:\n${describe(marked())}`);
  });
}

test('SIGKILL of rank 0: no process of the instance remains, on any rank', async () => {
  let s: Started | undefined;
  try {
    s = await start(['--test-size=2'], 'echo "$FLUX_URI"; setsid sleep 3601 & sleep 3602 & sleep 3603');
    const env = { ...ENV, FLUX_URI: s.uri };
    await jobRunning(s.uri, ['-N2', '-n2', 'sh', '-c', 'setsid sleep 3604 & exec sleep 3605'], 2, 'sleep 3604');
    await waitUntil(() => findProcs({ env: ['T0650_MARK', MARK], args: 'sleep 3605' }).length === 2, { what: 'both tasks' });
    const pid = Number(flux(['getattr', 'broker.pid'], { env }).stdout);
    assert.ok(pid > 0);
    const rank1 = Number(flux(['getattr', 'broker.pid'], { env: { ...env, FLUX_URI: s.uri.replace(/local-0$/, 'local-1') } }).stdout);
    assert.ok(rank1 > 0);
    const reapers = findProcs({ argv: 'flux-reaper' }).filter((p) => p.ppid === pid || p.ppid === rank1);
    assert.is(reapers.length, 2, describe(findProcs({ argv: 'flux-reaper' })));
    // the instance's processes: initial program, its background jobs, tasks, brokers, warm clients
    assert.ok(marked().length >= 10, describe(marked()));
    process.kill(pid, 'SIGKILL');
    const rc = await s.exited;
    assert.match(s.stderr(), new RegExp(`flux-start: 0 \\(pid ${pid}\\) Killed`));
    assert.is.not(rc, 0);
    await allGone('every process of the instance to end after rank 0 was killed');
    await waitUntil(() => reapers.every((r) => findProcs({ argv: `flux-reaper ${r.ppid}` }).length === 0), { what: 'the reapers to exit' });
  } finally {
    teardown(s);
  }
});

test('SIGKILL of the broker of `flux start` (no --test-size): the initial program and jobs die', async () => {
  let s: Started | undefined;
  try {
    // sleep 3616 has an empty environment: only its session names it as the initial program's
    s = await start([], 'echo "$FLUX_URI"; setsid sleep 3611 & sleep 3612 & env -i sleep 3616 & sleep 3613');
    await jobRunning(s.uri, ['sh', '-c', 'setsid sleep 3614 & exec sleep 3615'], 1, 'sleep 3614');
    const pid = Number(flux(['getattr', 'broker.pid'], { env: { ...ENV, FLUX_URI: s.uri } }).stdout);
    assert.ok(findProcs({ env: ['T0650_MARK', MARK], args: 'sleep 3611' }).length === 1);
    await waitUntil(() => findProcs({ args: 'sleep 3616' }).length === 1, { what: 'sleep 3616' });
    process.kill(pid, 'SIGKILL');
    await s.exited;
    await allGone('every process of the instance to end after its broker was killed');
    await waitUntil(() => findProcs({ args: 'sleep 3616' }).length === 0, { what: 'sleep 3616, left in the initial program\'s session, to be killed' });
    // the rundir the broker made (its socket, the job's directory) goes too: its reaper removes it
    const rundir = path.dirname(s.uri.replace(/^local:\/\//, ''));
    await waitUntil(() => !fs.existsSync(rundir), { what: `the killed broker's rundir ${rundir} to be removed` });
  } finally {
    teardown(s);
  }
});

test('SIGKILL of rank 1: what it started dies with it, on its own', async () => {
  let s: Started | undefined;
  try {
    s = await start(['--test-size=2', '--test-exit-timeout=none'], 'echo "$FLUX_URI"; exec cat >/dev/null');
    const env = { ...ENV, FLUX_URI: s.uri };
    await jobRunning(s.uri, ['-N2', '-n2', 'sh', '-c', 'setsid sleep 363$FLUX_TASK_RANK & exec sleep 364$FLUX_TASK_RANK'], 1, 'sleep 3631');
    await waitUntil(() => findProcs({ env: ['T0650_MARK', MARK], args: 'sleep 3641' }).length === 1, { what: 'the task of rank 1' });
    const rank1 = Number(flux(['getattr', 'broker.pid'], { env: { ...env, FLUX_URI: s.uri.replace(/local-0$/, 'local-1') } }).stdout);
    assert.ok(rank1 > 0);
    process.kill(rank1, 'SIGKILL');
    await waitUntil(() => findProcs({ env: ['T0650_MARK', MARK], argv: 'sleep 36' }).every((p) => !/^sleep 36[34]1$/.test(p.args)), {
      what: 'the task of rank 1 and its setsid child to end',
    });
    s.proc.stdin!.end();
    await s.exited;
    await allGone('every process of the instance to end');
  } finally {
    teardown(s);
  }
});

test('a clean end leaves nothing either: what the initial program moved to its own session is killed', async () => {
  let s: Started | undefined;
  try {
    s = await start([], 'echo "$FLUX_URI"; setsid sleep 3621 & exec cat >/dev/null');
    await waitUntil(() => findProcs({ env: ['T0650_MARK', MARK], args: 'sleep 3621' }).length === 1, { what: 'sleep 3621' });
    s.proc.stdin!.end();
    assert.is(await s.exited, 0, s.stderr());
    // killed before flux start exited; SIGKILL takes effect at once, but give the kernel a moment
    await allGone('the initial program\'s setsid child to be gone when flux start has exited');
  } finally {
    teardown(s);
  }
});

test('a canceled job whose task left a setsid child holding its output ends after the SIGKILL; the child dies with the instance', async () => {
  let s: Started | undefined;
  try {
    s = await start([], 'echo "$FLUX_URI"; exec cat >/dev/null');
    const env = { ...ENV, FLUX_URI: s.uri };
    const id = flux(['submit', 'sh', '-c', 'setsid sleep 3651 & exec sleep 3652'], { env }).stdout.trim();
    await waitUntil(() => findProcs({ env: ['T0650_MARK', MARK], args: 'sleep 3651' }).length === 1, { what: 'the setsid child' });
    assert.is(flux(['cancel', id], { env }).code, 0);
    // SIGTERM, SIGKILL 5 s later, and the output its setsid child still holds is not waited for
    const ended = flux(['job', 'wait-event', '-t', '20', id, 'clean'], { env });
    assert.is(ended.code, 0, ended.stderr);
    assert.is(flux(['jobs', '-n', '-o', '{status}', id], { env }).stdout, 'CANCELED\n');
    s.proc.stdin!.end();
    assert.is(await s.exited, 0, s.stderr());
    await allGone('the setsid child to be gone with the instance');
  } finally {
    teardown(s);
  }
});

test.run();
