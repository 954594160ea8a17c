/**
 * Every byte of output arrives (issue 9): a command whose stdout is a pipe
 * ends only once the reader has been handed all of it, however slow the
 * reader, through the warm client pool or in a fresh Node (FLUX_CLI_POOL=0);
 * a reader that closes early (`| head -1`) ends it quietly with status 141, as
 * it would `seq`, and flux run, which owns its job, cancels it first (the
 * producer of a local pipeline dies of SIGPIPE; an abandoned job would run on
 * and fill its output log) while flux job attach only detaches; a write error
 * is one line and status 1. For flux run, flux job attach, flux jobs, flux dmesg, flux job eventlog and flux submit
 * --dry-run, each with outputs far larger than a pipe holds.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { readCommand, readFlux, type PipeResult, type ReaderKind } from '../helpers/pipe-reader';
import { until } from '../helpers/wait';

let inst: Instance | undefined;
const tmp = tmpdir();
const LINES = 200_000;
const SEQ = Array.from({ length: LINES }, (_, i) => `${i + 1}\n`).join('');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pools = [1, 0] as const;
const readers: ReaderKind[] = ['slow', 'fast', 'head'];

/** a command of the test's own, never through the pool (it must not take a warm client) */
const cold = (args: string[]) => inst!.flux(args, { env: { FLUX_CLI_POOL: '0' } });

/** no active job, and nobody watching the kvs: every attach has all it will get */
function jobsIdle(): boolean {
  if (cold(['jobs', '-no', '{id}']).stdout.trim() !== '') return false;
  const kvs = JSON.parse(cold(['module', 'stats', 'kvs']).stdout || '{}') as { watchers?: number };
  return kvs.watchers === 0;
}

/** wait until the pool has an idle client, so that pool=1 runs are served by one */
async function poolIdle(): Promise<void> {
  for (let k = 0; k < 200; k++) {
    const s = JSON.parse(cold(['module', 'stats', 'cli-pool']).stdout || '{}') as { idle?: number };
    if ((s.idle ?? 0) >= 1) return;
    await sleep(50);
  }
  throw new Error('the pool has no idle client');
}

/**
 * `flux ARGS > file`: what the command prints when nothing can be lost (Node
 * writes a file synchronously), in the environment of a run with `pool`.
 */
function reference(args: string[], pool: 0 | 1 = 0): Buffer {
  const f = path.join(tmp.dir, 'reference.out');
  const r = run('sh', ['-c', `exec "$0" "$@" > ${f}`, 'flux', ...args], { env: { ...inst!.env, FLUX_CLI_POOL: String(pool) } });
  assert.is(r.code, 0, r.stderr);
  return fs.readFileSync(f);
}

/** Run `flux ARGS` under each reader, through the pool and not, and check what arrived. */
async function everyReader(args: string[], expectedOf: (pool: 0 | 1) => Buffer, what: string, ready?: () => boolean): Promise<void> {
  for (const pool of pools) {
    const expected = expectedOf(pool);
    assert.ok(expected.length > 512 * 1024, `${what}: the output (${expected.length} bytes) must be far larger than a pipe holds`);
    for (const kind of readers) {
      if (pool === 1) await poolIdle();
      const r: PipeResult = await readFlux(args, kind, { env: { ...inst!.env, FLUX_CLI_POOL: String(pool) }, ready });
      const where = `${what}, ${kind} reader, FLUX_CLI_POOL=${pool}`;
      assert.is(r.stderr, '', `${where}: nothing on stderr (no stack trace)`);
      if (kind === 'head') {
        assert.is(r.code, 141, `${where}: a reader that went away ends the command as SIGPIPE ends a tool`);
        assert.ok(r.out.length > 0 && expected.subarray(0, r.out.length).equals(r.out), `${where}: the first bytes arrived`);
        continue;
      }
      assert.is(r.code, 0, where);
      assert.is(r.out.length, expected.length, `${where}: byte count`);
      assert.ok(r.out.equals(expected), `${where}: every byte arrived, in order`);
      if (kind === 'slow' && pool === 1) {
        assert.ok(
          r.writers.length > 0 && r.writers.every((p) => p !== r.pid),
          `${where}: a warm client wrote it, not the launcher's own Node (writers ${r.writers.join(' ')}, launcher ${r.pid})`,
        );
      }
    }
  }
}

let seqJob = '';

test.before(async () => {
  inst = await startInstance();
});

test.after(async () => {
  try {
    if (inst) await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

test(`flux run seq 1 ${LINES}: exactly ${LINES} lines to a slow, a fast and a closing reader`, async () => {
  await everyReader(['run', 'seq', '1', String(LINES)], () => Buffer.from(SEQ), 'flux run', jobsIdle);
});

test('flux job attach of a finished job replays all of its output to every reader', async () => {
  const r = cold(['submit', '--wait', 'seq', '1', String(LINES)]);
  assert.is(r.code, 0, r.stderr);
  seqJob = r.stdout.trim();
  await everyReader(['job', 'attach', seqJob], () => Buffer.from(SEQ), 'flux job attach', jobsIdle);
});

test('flux job eventlog -p guest.output: every event to every reader', async () => {
  assert.ok(seqJob !== '', 'the attach test submitted the job');
  const args = ['job', 'eventlog', '-p', 'guest.output', seqJob];
  await everyReader(args, (pool) => reference(args, pool), 'flux job eventlog');
});

test('flux jobs -a: every line to every reader', async () => {
  const r = cold(['submit', '--cc=1-20', '--wait', 'true']);
  assert.is(r.code, 0, r.stderr);
  const args = ['jobs', '-a', '-no', `{id} ${'x'.repeat(60_000)}`];
  await everyReader(args, (pool) => reference(args, pool), 'flux jobs -a');
});

test('flux submit --dry-run: the whole jobspec to every reader', async () => {
  const big = Array.from({ length: 8 }, (_, i) => `${i}`.repeat(100_000));
  const args = ['submit', '--dry-run', 'echo', ...big];
  await everyReader(args, (pool) => reference(args, pool), 'flux submit --dry-run');
});

test('flux dmesg: the whole ring buffer to every reader', async () => {
  for (let i = 0; i < 10; i++) assert.is(cold(['logger', `drain-${i} ${'y'.repeat(100_000)}`]).code, 0);
  // later log lines (the pool's own) may join the buffer: compare from our first message to our last
  const cut = (b: Buffer) => {
    const s = b.toString();
    const from = s.lastIndexOf('\n', s.indexOf('drain-0 ')) + 1;
    const to = s.indexOf('\n', s.indexOf('drain-9 ')) + 1;
    return from > 0 && to > from ? s.slice(from, to) : '';
  };
  const expected = cut(reference(['dmesg']));
  assert.ok(expected.length > 1_000_000, 'dmesg holds our ten messages');
  for (const pool of pools) {
    for (const kind of readers) {
      if (pool === 1) await poolIdle();
      const r = await readFlux(['dmesg'], kind, { env: { ...inst!.env, FLUX_CLI_POOL: String(pool) } });
      const where = `flux dmesg, ${kind} reader, FLUX_CLI_POOL=${pool}`;
      assert.is(r.stderr, '', where);
      if (kind === 'head') {
        assert.is(r.code, 141, where);
        continue;
      }
      assert.is(r.code, 0, where);
      assert.ok(cut(r.out) === expected, `${where}: all ten messages arrived whole (${r.out.length} bytes)`);
    }
  }
});

test('a command leaves the pipe as it found it: a tool after it in the same pipe loses nothing', async () => {
  // `{ flux CMD; seq ...; } | slow reader`: Node makes the pipe non-blocking while it
  // runs; left so, seq would fail with EAGAIN ("Resource temporarily unavailable")
  for (const pool of pools) {
    if (pool === 1) await poolIdle();
    const script = 'flux getattr size && flux run echo job && exec seq 1 300000';
    const r = await readCommand(['sh', '-c', script], 'slow', {
      env: { ...inst!.env, FLUX_CLI_POOL: String(pool) },
      ready: seqBlocked,
      watchNode: false,
    });
    assert.is(r.stderr, '', `FLUX_CLI_POOL=${pool}`);
    assert.is(r.code, 0, `FLUX_CLI_POOL=${pool}`);
    assert.is(r.out.toString(), `1\njob\n${Array.from({ length: 300_000 }, (_, i) => `${i + 1}\n`).join('')}`, `FLUX_CLI_POOL=${pool}`);
  }
});

/** a `seq` process is blocked writing to a full pipe (or gone) */
function seqBlocked(): boolean {
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    try {
      if (fs.readFileSync(`/proc/${ent}/comm`, 'utf8').trim() !== 'seq') continue;
      const wchan = fs.readFileSync(`/proc/${ent}/wchan`, 'utf8');
      if (wchan.includes('pipe_write')) return true;
    } catch {
      /* gone */
    }
  }
  return false;
}

test('a write error is one line and status 1, never a silent 0', () => {
  for (const pool of pools) {
    const r = run('sh', ['-c', 'flux jobs -a > /dev/full'], { env: { ...inst!.env, FLUX_CLI_POOL: String(pool) } });
    assert.is(r.code, 1, `FLUX_CLI_POOL=${pool}`);
    assert.is(r.stderr, 'flux-jobs: write error: No space left on device\n', `FLUX_CLI_POOL=${pool}`);
  }
  // a closed stdout: Node would write to the /dev/null it opened in its place
  for (const cmd of ['flux getattr rank', 'flux run echo hi', 'flux jobs -a']) {
    const r = run('sh', ['-c', `${cmd} >&-`], { env: inst!.env });
    assert.is(r.code, 1, cmd);
    assert.match(r.stderr, /^flux-\w+: write error: Bad file descriptor\n$/, cmd);
  }
  // a command that writes nothing is not affected, and what it starts does not inherit the mark
  const q = run('sh', ['-c', `flux run sh -c 'test -z "$FLUX_TS_STDOUT_CLOSED"' >&-; echo rc=$?`], { env: inst!.env });
  assert.equal([q.stdout, q.stderr], ['rc=0\n', '']);
});

/** `bash -c SCRIPT` against the instance, with or without the pool */
const bash = (script: string, pool: 0 | 1) => run('bash', ['-c', script], { env: { ...inst!.env, FLUX_CLI_POOL: String(pool) }, timeoutMs: 60_000 });

/** wait until job `id` is inactive; its result and exception note */
async function ended(id: string): Promise<string> {
  await until(() => cold(['jobs', '-no', '{state}', id]).stdout.trim() === 'INACTIVE', `job ${id} to be inactive`);
  return cold(['jobs', '-no', '{result} {exception.type} {exception.note}', id]).stdout.trim();
}

test('flux run whose reader goes away cancels its job (EPIPE), exits 141, and frees its cores', async () => {
  for (const pool of pools) {
    if (pool === 1) await poolIdle();
    const where = `FLUX_CLI_POOL=${pool}`;
    const yes = bash('flux run yes | head -1; echo "${PIPESTATUS[*]}"; flux job last', pool);
    const [line, status, id] = yes.stdout.split('\n');
    assert.is(`${line}\n${status}`, 'y\n141 0', `${where}: ${yes.stderr}`);
    assert.is(yes.stderr, '', where);
    assert.is(await ended(id!), 'CANCELED cancel flux-run: stdout closed (EPIPE)', where);

    const zero = bash('flux run cat </dev/zero | head -c 10 | od -An -c; echo "${PIPESTATUS[*]}"; flux job last', pool);
    const z = zero.stdout.split('\n');
    assert.is(`${z[0]!.replace(/\s+/g, ' ')}\n${z[1]}`, ' \\0 \\0 \\0 \\0 \\0 \\0 \\0 \\0 \\0 \\0\n141 0 0', `${where}: ${zero.stderr}`);
    assert.is(await ended(z[2]!), 'CANCELED cancel flux-run: stdout closed (EPIPE)', where);

    // stderr's reader goes while stdout's is slow: what stdout's reader was sent before is all
    // there, then the job is canceled. The `sleep 1` is a slow reader, not a wait for a condition:
    // stdout's reader must not wait for stderr's to go, since flux run paces the job's output on
    // its slowest reader and would never reach the stderr lines (it is correct with any delay)
    const err = bash(`{ flux run sh -c 'seq 1 100000; yes >&2' 2> >(head -1 >/dev/null); echo "rc=$?" >&2; } | (sleep 1; wc -l); flux job last`, pool);
    const [count, errId] = err.stdout.trim().split('\n');
    assert.is(count!.trim(), '100000', `${where}: ${err.stderr}`);
    assert.is(err.stderr, 'rc=141\n', where);
    assert.is(await ended(errId!), 'CANCELED cancel flux-run: stderr closed (EPIPE)', where);
  }
  const r = cold(['run', '-n2', 'true']);
  assert.is(r.code, 0, `the cores are free again: ${r.stderr}`);
});

test('flux job attach whose reader goes away only detaches: the job runs on', async () => {
  const id = cold(['submit', 'sh', '-c', 'seq 1 100000; exec sleep 300']).stdout.trim();
  const r = bash(`flux job attach ${id} | head -1; echo "\${PIPESTATUS[*]}"`, 0);
  assert.is(r.stdout, '1\n141 0\n', r.stderr);
  assert.is(cold(['jobs', '-no', '{state}', id]).stdout.trim(), 'RUN');
  assert.is(cold(['cancel', id]).code, 0);
  assert.is(await ended(id), 'CANCELED cancel');
});

test.run();
