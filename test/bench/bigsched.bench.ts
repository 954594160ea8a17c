/**
 * A big cluster scheduled fast (issue 13): a size-1 instance describes 4,096
 * nodes x 64 cores in [resource] config, the resource module is reloaded with
 * monitor-force-up (the nodes without a broker are up), and a mixed queue of
 * 10,000 jobs (1 core to 64 whole nodes, random run durations under test
 * execution: nothing is spawned) is submitted with the queue stopped. Then the
 * queue starts and, for fcfs and for backfill, the table shows:
 *   jobs/s     jobs allocated (entering RUN) per second, queue start to last alloc
 *   util %     allocated core-seconds / (cores x that time)
 *   passes, ms/pass, max ms   the scheduler's passes and their time (sched.stats):
 *              a pass commits its allocations and answers job-manager, which
 *              handles each answer at once, inside the pass; `policy` is the
 *              policy's schedule() alone
 * Flux 0.88 with Fluxion reports ~250 jobs/s entering RUN on 4,000 simulated
 * nodes. `node dist/test/bench/bigsched.bench.js [NJOBS] [policy...]` runs a
 * smaller or a single case. A second table runs the same queue through the
 * scheduler alone (bigsched-sim.ts: Pool and policy in this process, virtual
 * clock) to show what the scheduler itself sustains; BENCH_WRAP=PROG runs the broker under `flux start
 * --wrap=PROG` (to profile it: a script that adds node --cpu-prof).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '../../cli/api/client';
import { startInstance } from '../helpers/flux';
import { CORES, NODES, jobspecs } from './bigsched-queue';
import { simulate } from './bigsched-sim';
import { resolvePolicy } from '../../modules/sched/registry';

const NJOBS = Number(process.argv[2] ?? 10_000);
const POLICIES = process.argv.length > 3 ? process.argv.slice(3) : ['fcfs', 'backfill'];

interface Stats {
  passes: number;
  pass_ms: number;
  pass_max_ms: number;
  policy_ms: number;
  allocs: number;
  last_alloc: number;
  allocated_cores: number;
  total_cores: number;
  core_seconds: number;
  now: number;
}

interface Row {
  policy: string;
  jps: number;
  util: number;
  passes: number;
  msPerPass: number;
  /** of which the policy's schedule() (the rest: commit, answers job-manager handles at once) */
  policyMsPerPass: number;
  maxMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(policy: string, uri: string, flux: (a: string[]) => { code: number; stderr: string }): Promise<Row> {
  const must = (a: string[]) => {
    const r = flux(a);
    if (r.code !== 0) throw new Error(`flux ${a.join(' ')}: ${r.stderr}`);
  };
  must(['module', 'reload', 'sched', `policy=${policy}`]);
  must(['queue', 'stop', '--quiet']);
  const h = await Client.connect(uri);
  try {
    const specs = jobspecs(NJOBS);
    for (let i = 0; i < specs.length; i += 500) {
      await Promise.all(specs.slice(i, i + 500).map((jobspec) => h.rpc('job-ingest.submit', { jobspec, urgency: 16, flags: 0 })));
    }
    const s0 = await h.rpc<Stats>('sched.stats', {}, { nodeid: 0 });
    const t0 = Date.now() / 1000;
    must(['queue', 'start', '--quiet']);
    let s = s0;
    const deadline = Date.now() + 600_000;
    while (s.allocs - s0.allocs < NJOBS) {
      if (Date.now() > deadline) throw new Error(`${policy}: only ${s.allocs - s0.allocs} of ${NJOBS} jobs allocated in 600 s`);
      await sleep(100);
      s = await h.rpc<Stats>('sched.stats', {}, { nodeid: 0 });
    }
    const secs = s.last_alloc - t0;
    const util = (s.core_seconds - s0.core_seconds) / (s.total_cores * (s.now - t0));
    // every job ends before the next policy: nothing left allocated
    while (s.allocated_cores > 0) {
      if (Date.now() > deadline) throw new Error(`${policy}: jobs still running after 600 s`);
      await sleep(100);
      s = await h.rpc<Stats>('sched.stats', {}, { nodeid: 0 });
    }
    const passes = s.passes - s0.passes;
    return { policy, jps: NJOBS / secs, util, passes, msPerPass: (s.pass_ms - s0.pass_ms) / passes, policyMsPerPass: (s.policy_ms - s0.policy_ms) / passes, maxMs: s.pass_max_ms };
  } finally {
    h.close();
  }
}

function table(what: string, rows: readonly Row[]): void {
  console.log(`${'policy'.padEnd(10)} ${'jobs/s'.padStart(8)} ${'util %'.padStart(7)} ${'passes'.padStart(7)} ${'ms/pass'.padStart(8)} ${'policy'.padStart(7)} ${'max ms'.padStart(8)}  (${what})`);
  for (const x of rows) {
    console.log(
      `${x.policy.padEnd(10)} ${x.jps.toFixed(0).padStart(8)} ${(x.util * 100).toFixed(1).padStart(7)} ${String(x.passes).padStart(7)} ${x.msPerPass.toFixed(2).padStart(8)} ${x.policyMsPerPass.toFixed(2).padStart(7)} ${x.maxMs.toFixed(1).padStart(8)}`,
    );
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-bench-bigsched-'));
  const conf = path.join(dir, 'big.toml');
  fs.writeFileSync(conf, `[resource]\nnoverify = true\nconfig = [ { hosts = "sim[0-${NODES - 1}]", cores = "0-${CORES - 1}" } ]\n`);
  // BENCH_WRAP=PROG: flux start --wrap=PROG (e.g. a script adding node --cpu-prof to the broker)
  const wrap = process.env['BENCH_WRAP'] ? [`--wrap=${process.env['BENCH_WRAP']}`] : [];
  const inst = await startInstance(['-c', conf, ...wrap], { timeoutMs: 60_000 });
  try {
    const flux = (a: string[]) => inst.flux(a, { timeoutMs: 120_000 });
    const r = flux(['module', 'reload', 'resource', 'monitor-force-up']);
    if (r.code !== 0) throw new Error(`monitor-force-up: ${r.stderr}`);
    const rows: Row[] = [];
    for (const p of POLICIES) rows.push(await measure(p, inst.uri, flux));
    console.log(`${NJOBS} jobs (1 core .. 64 nodes, 0.05-0.5 s under test execution) on ${NODES} x ${CORES} simulated nodes, size-1 instance`);
    table('instance', rows);
    console.log(`${'Flux+Fluxion'.padEnd(10)} ${'~250'.padStart(8)}   (4,000 simulated nodes, reference)`);
    console.log('\nthe scheduler alone (Pool + policy in one process, virtual clock: only pass time counts)');
    table('sim', POLICIES.map((p) => simulate(resolvePolicy(p), NJOBS)));
  } finally {
    await inst.stop().catch(() => inst.kill());
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  // exitCode, not exit(): the error line must not be cut short
  process.exitCode = 1;
});
