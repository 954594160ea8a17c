/**
 * Brokers in one process (flux start --test-in-process), measured, never
 * asserted. Two parts:
 *  - in this process, the brokers flux start --test-in-process builds (Broker +
 *    the in-process overlay), for N = 64, 256, 1024 (kary:32): the time until
 *    every link is made and until rank 0 is in RUN (every rank through rc1),
 *    process memory per broker, the time an event published at rank 0 takes to
 *    reach a subscriber on every rank, and the cost of an RPC per tree level
 *    (broker.ping to a rank at each level, kary:2 and kary:32, N = 1024);
 *  - through the flux command: `flux start --test-size=N --test-in-process`
 *    running `flux exec -r all true`, timed inside the initial program.
 * INPROC_SIZES=64,256 picks the sizes (the default is 64,256,1024). Rundirs go
 * to /dev/shm when there is one: binding a thousand unix sockets (one local
 * connector per rank) costs ~2.7 ms each on a VM's ext4 /tmp, ~0.1 ms on tmpfs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker, SharedProcess, parseBrokerArgs } from '../../kernel/main';
import { InprocHub } from '../../overlay/factory';
import { FLUX, ROOT } from '../helpers/flux';

const SIZES = (process.env['INPROC_SIZES'] ?? '64,256,1024').split(',').map(Number);
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;
const TMP = ((): string => {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
})();

interface Up {
  brokers: Broker[];
  hub: InprocHub;
  shared: SharedProcess;
  rundir: string;
  linkedMs: number;
  runMs: number;
  /** CPU (user + system) this process spent until rank 0 was in RUN */
  cpuMs: number;
  done: Promise<number[]>;
}

/** Start n brokers here (as flux start --test-in-process does), without an initial program. */
async function up(n: number, topo: string): Promise<Up> {
  const rundir = fs.mkdtempSync(path.join(TMP, 'flux-bench-'));
  const shared = new SharedProcess(() => {});
  const hub = new InprocHub({ size: n, hosts: Array(n).fill(os.hostname()) as string[], signals: shared.signals });
  const base = parseBrokerArgs([`-Stbon.topo=${topo}`, '-Sbroker.rc2_none=1', `-Srundir=${rundir}`, '-Slog-stderr-level=3']);
  const t0 = now();
  const c0 = process.cpuUsage();
  let ran: () => void = () => {};
  const running = new Promise<void>((resolve) => (ran = resolve));
  const brokers: Broker[] = [];
  const runs: Array<Promise<number>> = [];
  for (let r = 0; r < n; r++) {
    const b = new Broker({ ...base, setattrs: [...base.setattrs] }, { treeFactory: hub.factory(r), shared, onRun: r === 0 ? () => ran() : undefined });
    brokers.push(b);
    runs.push(b.run().finally(() => hub.gone(r)));
  }
  await running;
  const runMs = now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  return { brokers, hub, shared, rundir, linkedMs: hub.linkedAt !== undefined ? hub.linkedAt - t0 : NaN, runMs, cpuMs, done: Promise.all(runs) };
}

async function down(u: Up): Promise<void> {
  u.brokers[0]!.requestShutdown();
  await u.done;
  await u.shared.finish();
  fs.rmSync(u.rundir, { recursive: true, force: true });
}

/** ms for one event published at rank 0 to reach a subscriber on every rank (median of `runs`). */
async function fanout(u: Up, runs: number): Promise<number> {
  const n = u.brokers.length;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    let got = 0;
    let t0 = 0;
    let all: (ms: number) => void = () => {};
    const reached = new Promise<number>((resolve) => (all = resolve));
    const offs = u.brokers.map((b) =>
      b.self.subscribe(`bench.fanout.${i}`, () => {
        if (++got === n) all(now() - t0);
      }),
    );
    await new Promise((r) => setImmediate(r));
    t0 = now();
    await u.brokers[0]!.publish(`bench.fanout.${i}`, { i });
    times.push(await reached);
    offs.forEach((off) => off());
  }
  return median(times);
}

/** Mean RPC time (µs) from rank 0 to a rank at each level, and the slope per level. */
async function perLevel(u: Up, n: number, k: number): Promise<{ levels: Array<[number, number]>; slope: number }> {
  const levelOf = (r: number): number => (r === 0 ? 0 : 1 + levelOf(Math.floor((r - 1) / k)));
  const byLevel = new Map<number, number>();
  for (let r = 0; r < n; r++) if (!byLevel.has(levelOf(r))) byLevel.set(levelOf(r), r === 0 ? 0 : firstAt(levelOf(r)));
  function firstAt(l: number): number {
    let r = 0;
    for (let i = 0; i < l; i++) r = r * k + 1;
    return r;
  }
  const self = u.brokers[0]!.self;
  const ping = (rank: number, i: number) => self.rpc('broker.ping', { seq: i }, { nodeid: rank });
  const targets = [...byLevel].sort((a, b) => a[0] - b[0]);
  // warm every path first, then the best of 5 rounds of 100 per level
  for (const [, rank] of targets) for (let i = 0; i < 200; i++) await ping(rank, i);
  const best = new Map<number, number>();
  for (let round = 0; round < 5; round++) {
    for (const [level, rank] of targets) {
      const t0 = now();
      for (let i = 0; i < 100; i++) await ping(rank, i);
      const us = ((now() - t0) / 100) * 1000;
      best.set(level, Math.min(best.get(level) ?? Infinity, us));
    }
  }
  const levels: Array<[number, number]> = targets.map(([level]) => [level, best.get(level)!]);
  const xs = levels.map(([l]) => l);
  const ys = levels.map(([, us]) => us);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return { levels, slope };
}

/** `flux exec -r all true` inside `flux start --test-size=n --test-in-process` (ms, timed by the initial program), and the whole run. */
function execAll(n: number): { execMs: number; totalMs: number; hwmMiB: number } {
  // flux start is the initial program's parent: its peak RSS once every rank has run a process
  const script = "a=$(date +%s%N); flux exec -r all true || exit 1; b=$(date +%s%N); echo $(( (b - a) / 1000000 )) $(awk '/^VmHWM/ {print $2}' /proc/$PPID/status)";
  const t0 = now();
  const r = spawnSync(FLUX, ['start', `--test-size=${n}`, '--test-in-process', 'sh', '-c', script], {
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: TMP, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
    timeout: 300_000,
  });
  const totalMs = now() - t0;
  if (r.status !== 0) throw new Error(`flux start --test-size=${n} --test-in-process: exit ${r.status}: ${r.stderr}`);
  const [exec, hwm] = r.stdout.trim().split(' ');
  return { execMs: Number(exec), totalMs, hwmMiB: Number(hwm) / 1024 };
}

async function main(): Promise<void> {
  console.log(`in-process brokers (${os.cpus().length} CPUs; node ${process.version}; rundirs in ${TMP})`);
  console.log('');
  console.log('     N  links made  rank 0 in RUN  CPU until RUN  RSS growth/broker  event to all (median of 5)');
  for (const n of SIZES) {
    const before = rssMiB();
    const u = await up(n, 'kary:32');
    const per = ((rssMiB() - before) * 1024) / n;
    const ev = await fanout(u, 5);
    console.log(`${String(n).padStart(6)}  ${u.linkedMs.toFixed(0).padStart(7)} ms  ${u.runMs.toFixed(0).padStart(10)} ms  ${u.cpuMs.toFixed(0).padStart(10)} ms  ${per.toFixed(0).padStart(13)} KiB  ${ev.toFixed(2).padStart(8)} ms`);
    await down(u);
    (globalThis as { gc?: () => void }).gc?.();
  }
  const big = Math.max(...SIZES);
  console.log('');
  console.log(`RPC cost per tree level (broker.ping from rank 0, N = ${big}, best of 5 rounds of 100 after 200 warm-up)`);
  for (const k of [2, 32]) {
    const u = await up(big, `kary:${k}`);
    const { levels, slope } = await perLevel(u, big, k);
    console.log(`  kary:${k}: ${levels.map(([l, us]) => `level ${l} ${us.toFixed(0)} µs`).join(', ')}; per level ${slope.toFixed(1)} µs`);
    await down(u);
  }
  console.log('');
  console.log('through the flux command: flux start --test-size=N --test-in-process sh -c "flux exec -r all true"');
  for (const n of SIZES) {
    const { execMs, totalMs, hwmMiB } = execAll(n);
    console.log(
      `${String(n).padStart(6)}  flux exec -r all true ${String(execMs).padStart(6)} ms   whole flux start ${totalMs.toFixed(0).padStart(6)} ms   peak RSS ${hwmMiB.toFixed(0)} MiB (${((hwmMiB * 1024) / n).toFixed(0)} KiB/broker)`,
    );
  }
}

// the brokers of the in-process runs leave handles: exit, but only once the table (and any error) is written out
main().then(
  () => process.stdout.write('', () => process.exit(0)),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`, () => process.exit(1));
  },
);
