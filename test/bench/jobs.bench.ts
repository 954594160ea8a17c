/**
 * Job throughput bench: in a size-1 and a size-4 instance, 1000 jobs via
 * `flux submit --cc=1-1000 --quiet --wait true` (jobs/s; after 20 jobs, and
 * again in steady state: a round after 3000 more, once V8 has compiled the
 * broker's hot code, as in a long-running instance), the submit-only rate
 * (queue stopped), and rank 0 broker RSS before/after 1000 completed jobs,
 * beside flux-core 0.88's figures; then the "flat memory" table: rank 0 RSS
 * and V8 heap in use (after a full GC, via job-manager.stats-get {memory, gc}
 * with node --expose-gc, once the kvs has packed the inactive jobs' directories:
 * ADR 0020) after each of 5 rounds of 1000 jobs in a size-1 instance, with the
 * default inactive-num-limit (10000, not reached) and with inactive-num-limit = 1000.
 * A third row measures size 1 with a persistent statedir (a submit is
 * acknowledged once it is on disk: every printed id is durable; the job's
 * later events are committed in order behind it, ADR 0013), with what the
 * store did per job (write transactions, write-thread time committing: kvs.stats-get) and the
 * figures measured before group commit; `node dist/test/bench/jobs.bench.js
 * store` prints only the two size-1 rows. Then submit ingest in steady state
 * (bursts of 10,000 after a first of 1000; `jobs.bench.js ingest` prints only
 * that table). Then where a job's time goes in
 * the broker (job-time.ts: spawn, shell, store, messages, jobs, against the
 * floor of spawning /bin/true; `jobs.bench.js time` prints only that table).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '../../cli/api/client';
import { startInstance, type Instance } from '../helpers/flux';
import { printBreakdown, profiledRun } from './job-time';

const N = 1000;

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** CPU seconds (user + system) the process has used so far */
function cpuSecs(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // fields 14 and 15 (utime, stime) are the 12th and 13th after the command name
  return (Number(f[11]) + Number(f[12])) / 100;
}

function timed(inst: Instance, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = inst.flux(args, { timeoutMs: 300_000 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.code !== 0) throw new Error(`flux ${args.join(' ')} failed: ${r.stderr.slice(0, 300)}`);
  return secs;
}

interface Row {
  size: number;
  /** persistent statedir (every acknowledged job fsynced before the ack), or the temporary one */
  store: 'statedir' | 'temporary';
  jps: number;
  /** jobs/s of a round of N after 3N more: the broker's code compiled (a long-running instance) */
  steadyJps: number;
  submitJps: number;
  rssBefore: number;
  rssAfter: number;
  /** store write transactions per job in the timed run (each one commit; fsynced with a statedir) */
  txnsPerJob: number;
  /** milliseconds per job the store's write thread spent committing (pages and fsync) */
  commitMsPerJob: number;
  /** rank 0 broker's CPU (user + system, all its threads) per job in the timed run, ms */
  cpuMsPerJob: number;
}

interface StoreStats {
  txns: number;
  commitSeconds: number;
}

async function storeStats(uri: string): Promise<StoreStats> {
  const h = await Client.connect(uri);
  try {
    const r = await h.rpc<{ store?: StoreStats }>('kvs.stats-get', {});
    return r.store ?? { txns: 0, commitSeconds: 0 };
  } finally {
    h.close();
  }
}

/**
 * jobs/s of the size-1 rows before ADR 0013 (every kvs change acknowledged
 * after its fsync; a job's end waited on several), measured on the same
 * 2-core machine under other builds' load: a range, as the load varies
 */
const BEFORE: Record<Row['store'], string> = { temporary: '31-203', statedir: '17-171' };

async function measure(size: number, persistent = false): Promise<Row> {
  const dir = persistent ? fs.mkdtempSync(path.join(os.tmpdir(), 'flux-bench-state-')) : undefined;
  const inst = await startInstance([`--test-size=${size}`, ...(dir ? [`-Sstatedir=${dir}`] : [])]);
  try {
    const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
    const shape = size > 1 ? ['-N1'] : [];
    // warm up
    timed(inst, ['submit', '--cc=1-20', '--quiet', '--wait', ...shape, 'true']);
    const rssBefore = rssKiB(pid);
    const st0 = await storeStats(inst.uri);
    const cpu0 = cpuSecs(pid);
    const secs = timed(inst, ['submit', `--cc=1-${N}`, '--quiet', '--wait', ...shape, 'true']);
    const cpu1 = cpuSecs(pid);
    const st1 = await storeStats(inst.uri);
    const rssAfter = rssKiB(pid);
    // steady state: V8 compiles the broker's hot code over the first few thousand jobs
    for (let i = 0; i < 2; i++) timed(inst, ['submit', `--cc=1-${N}`, '--quiet', '--wait', ...shape, 'true']);
    const steadySecs = timed(inst, ['submit', `--cc=1-${N}`, '--quiet', '--wait', ...shape, 'true']);
    inst.flux(['queue', 'stop', '--quiet']);
    const submitSecs = timed(inst, ['submit', `--cc=1-${N}`, '--quiet', ...shape, 'true']);
    inst.flux(['cancel', '--all']);
    inst.flux(['queue', 'start', '--quiet']);
    return {
      size,
      store: dir ? 'statedir' : 'temporary',
      jps: N / secs,
      steadyJps: N / steadySecs,
      submitJps: N / submitSecs,
      rssBefore,
      rssAfter,
      txnsPerJob: (st1.txns - st0.txns) / N,
      commitMsPerJob: ((st1.commitSeconds - st0.commitSeconds) * 1000) / N,
      cpuMsPerJob: ((cpu1 - cpu0) * 1000) / N,
    };
  } finally {
    await inst.stop().catch(() => inst.kill());
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface IngestRow {
  store: Row['store'];
  n: number;
  /** the instance's first burst (start-up of its code), or one after */
  first: boolean;
  jps: number;
  /** rank 0 broker's CPU per job, microseconds */
  cpuUs: number;
}

/**
 * Submit ingest: `flux submit --cc=1-N --quiet true` with the queue stopped, in
 * a size-1 instance: a first burst of 1000 (the broker's code still cold),
 * then two of 10,000 (steady state), each job acknowledged once stored.
 */
async function ingest(persistent: boolean): Promise<IngestRow[]> {
  const dir = persistent ? fs.mkdtempSync(path.join(os.tmpdir(), 'flux-bench-state-')) : undefined;
  const inst = await startInstance(dir ? [`-Sstatedir=${dir}`] : []);
  const rows: IngestRow[] = [];
  try {
    const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
    inst.flux(['queue', 'stop', '--quiet']);
    for (const n of [1000, 10_000, 10_000]) {
      const cpu0 = cpuSecs(pid);
      const secs = timed(inst, ['submit', `--cc=1-${n}`, '--quiet', 'true']);
      rows.push({ store: dir ? 'statedir' : 'temporary', n, first: rows.length === 0, jps: n / secs, cpuUs: ((cpuSecs(pid) - cpu0) * 1e6) / n });
    }
    return rows;
  } finally {
    await inst.stop().catch(() => inst.kill());
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printIngest(rows: IngestRow[]): void {
  console.log('\nsubmit ingest: flux submit --cc=1-N --quiet true, queue stopped, size 1; goal >= 10,000 jobs/s (flux 0.88: ~1,550)');
  console.log('store      burst                jobs/s  broker cpu us/job');
  for (const r of rows) {
    const burst = `${r.n}${r.first ? ' (first)' : ''}`;
    console.log(`${r.store.padEnd(9)}  ${burst.padEnd(16)}  ${r.jps.toFixed(0).padStart(9)}  ${r.cpuUs.toFixed(0).padStart(17)}`);
  }
}

const ROUNDS = 5;

interface MemRow {
  label: string;
  /** KiB after warm-up, then after each round */
  rss: number[];
  /** KiB of V8 heap in use at the same points (external memory is left out: it is freed lazily, by MiB, after a GC) */
  heap: number[];
  /** inactive jobs the job manager holds at the end */
  inactive: number;
}

/** until the kvs has no directory waiting to be packed (at most 10 s) */
async function settle(uri: string): Promise<void> {
  const h = await Client.connect(uri);
  try {
    for (let i = 0; i < 100; i++) {
      const r = await h.rpc<{ pack?: { hinted: number } }>('kvs.stats-get', {});
      if ((r.pack?.hinted ?? 0) === 0) return;
      await new Promise((res) => setTimeout(res, 100));
    }
  } finally {
    h.close();
  }
}

async function flatMemory(label: string, toml: string | undefined): Promise<MemRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-bench-'));
  const args: string[] = [];
  if (toml !== undefined) {
    fs.writeFileSync(path.join(dir, 'job-manager.toml'), toml);
    args.push(`--config-path=${dir}`);
  }
  const inst = await startInstance(args, { env: { NODE_OPTIONS: '--expose-gc' } });
  const h = await Client.connect(inst.uri);
  try {
    const stats = () => h.rpc<{ inactive_jobs: number; memory: { rss: number; heapUsed: number } }>('job-manager.stats-get', { memory: true, gc: true });
    const rss: number[] = [];
    const heap: number[] = [];
    const sample = async () => {
      // the kvs packs an inactive job's directory 1-2 s after its last change (kvs.pack): measured once it has
      await settle(inst.uri);
      // the second full GC's figures: the first frees what waited on finalizers
      await stats();
      const m = (await stats()).memory;
      rss.push(m.rss / 1024);
      heap.push(m.heapUsed / 1024);
    };
    timed(inst, ['submit', '--cc=1-20', '--quiet', '--wait', 'true']);
    await sample();
    for (let i = 0; i < ROUNDS; i++) {
      timed(inst, ['submit', `--cc=1-${N}`, '--quiet', '--wait', 'true']);
      await sample();
    }
    return { label, rss, heap, inactive: (await stats()).inactive_jobs };
  } finally {
    h.close();
    await inst.stop().catch(() => inst.kill());
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** the store's table: jobs/s now, before ADR 0013 and Flux's, and what the store did per job */
function printStore(rows: Row[]): void {
  console.log(`\nstore: size 1, ${N} jobs (submit --cc --wait true); goal with a statedir: >= 5 x flux = 333 jobs/s, every acknowledged job durable`);
  console.log('store      jobs/s (now)  steady (after 3000)  jobs/s (before 0013)  jobs/s (flux 0.88)  submit jobs/s  txns/job  commit ms/job  broker cpu ms/job');
  for (const r of rows) {
    console.log(
      `${r.store.padEnd(9)}  ${r.jps.toFixed(1).padStart(12)}  ${r.steadyJps.toFixed(1).padStart(19)}  ${BEFORE[r.store].padStart(20)}  ${'66.6'.padStart(18)}  ${r.submitJps.toFixed(0).padStart(13)}  ${r.txnsPerJob.toFixed(2).padStart(8)}  ${r.commitMsPerJob.toFixed(2).padStart(13)}  ${r.cpuMsPerJob.toFixed(2).padStart(17)}`,
    );
  }
}

function printFlat(rows: MemRow[]): void {
  const mib = (k: number) => `${(k / 1024).toFixed(1)}`.padStart(7);
  console.log(`\nflat memory: rank 0 RSS (MiB, after GC) after each round of ${N} jobs, size 1`);
  console.log(`${'config'.padEnd(46)}  warm-up  ${Array.from({ length: ROUNDS }, (_, i) => `  rnd ${i + 1}`).join('')}  kept  per job rounds 2-${ROUNDS} (ts / flux)`);
  for (const r of rows) {
    for (const [what, v] of [['RSS', r.rss], ['heap used', r.heap]] as const) {
      const per = (v[ROUNDS]! - v[1]!) / ((ROUNDS - 1) * N);
      console.log(
        `${`${r.label} ${what}`.padEnd(46)}  ${mib(v[0]!)}  ${v.slice(1).map(mib).join('')}  ${String(r.inactive).padStart(4)}  ${`${per.toFixed(2)} KiB / ~512 KiB`.padStart(20)}`,
      );
    }
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'store') {
    // the kvs store alone: size 1, temporary statedir (kvs in memory only) vs persistent statedir (fsync before every ack)
    printStore([await measure(1), await measure(1, true)]);
    return;
  }
  if (process.argv[2] === 'ingest') {
    printIngest([...(await ingest(false)), ...(await ingest(true))]);
    return;
  }
  if (process.argv[2] === 'time') {
    // where a job's time goes (profiled broker), without and with a statedir
    printBreakdown([
      { label: 'temporary', b: await profiledRun(N, false) },
      { label: 'statedir', b: await profiledRun(N, true) },
    ]);
    return;
  }
  if (process.argv[2] === 'flat') {
    printFlat([
      await flatMemory('default (num-limit 10000, unreached)', undefined),
      await flatMemory('inactive-num-limit = 1000', '[job-manager]\ninactive-num-limit = 1000\n'),
    ]);
    return;
  }
  const rows: Row[] = [];
  for (const size of [1, 4]) rows.push(await measure(size));
  rows.push(await measure(1, true));
  const flux: Record<number, string> = { 1: '66.6', 4: '52.9 (-N1)' };
  console.log('size  store      jobs/s (flux-ts)  steady (after 3000)  jobs/s (flux 0.88)  submit jobs/s (ts / flux)  RSS before  RSS after  per job (ts / flux)');
  for (const r of rows) {
    const per = (r.rssAfter - r.rssBefore) / N;
    console.log(
      `${String(r.size).padStart(4)}  ${r.store.padEnd(9)}  ${r.jps.toFixed(1).padStart(16)}  ${r.steadyJps.toFixed(1).padStart(19)}  ${flux[r.size]!.padStart(18)}  ${`${r.submitJps.toFixed(0)} / ~1550`.padStart(25)}  ${`${(r.rssBefore / 1024).toFixed(1)} MiB`.padStart(10)}  ${`${(r.rssAfter / 1024).toFixed(1)} MiB`.padStart(9)}  ${`${per.toFixed(1)} KiB / 512 KiB`.padStart(19)}`,
    );
  }
  printStore(rows.filter((r) => r.size === 1));
  printIngest([...(await ingest(false)), ...(await ingest(true))]);
  printBreakdown([
    { label: 'temporary', b: await profiledRun(N, false) },
    { label: 'statedir', b: await profiledRun(N, true) },
  ]);
  printFlat([
    await flatMemory('default (num-limit 10000, unreached)', undefined),
    await flatMemory('inactive-num-limit = 1000', '[job-manager]\ninactive-num-limit = 1000\n'),
  ]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
