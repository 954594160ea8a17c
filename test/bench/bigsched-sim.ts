/**
 * The scheduler alone, in this process: the sched module's Pool (4,096 x 64)
 * and a policy plugin get the bench's queue at once and a virtual clock; each
 * pass is what SchedModule.pass does (schedule() on a clone, then commit each
 * allocation), and each job ends run_duration after its start (virtual time),
 * freeing its resources before the next pass. Only the passes are timed (real
 * time): jobs/s is what the scheduler could sustain if nothing else in the
 * broker cost anything; utilisation is over virtual time.
 */
import { Pool } from '../../modules/sched/pool';
import { parseJobspec } from '../../modules/sched/jobspec';
import type { PendingJob, SchedPolicyPlugin } from '../../modules/sched/plugin-api';
import { rv1Expand, rlistSummary, type RankResources, type Rv1 } from '../../kernel/api';
import { CORES, NODES, jobspecs } from './bigsched-queue';

export interface SimResult {
  policy: string;
  jps: number;
  util: number;
  passes: number;
  msPerPass: number;
  policyMsPerPass: number;
  maxMs: number;
}

function coresOf(R: Rv1): number {
  return rv1Expand(R).reduce((n, r) => n + r.cores.length, 0);
}

export function simulate(plugin: SchedPolicyPlugin, njobs: number): SimResult {
  const nodes: RankResources[] = [];
  for (let r = 0; r < NODES; r++) nodes.push({ rank: r, hostname: `sim${r}`, cores: [...Array(CORES).keys()], gpus: [] });
  const pool = new Pool(nodes);
  const policy = plugin.create(new Map());
  const specs = jobspecs(njobs) as Array<{ attributes: { system: { exec: { test: { run_duration: string } } } } }>;
  const run = new Map<number, number>();
  specs.forEach((js, i) => {
    const job: PendingJob = { id: i + 1, priority: 16, userid: 0, t_submit: i, request: parseJobspec(js) };
    run.set(i + 1, parseFloat(js.attributes.system.exec.test.run_duration));
    policy.enqueue(job);
  });
  // running jobs by end time (virtual seconds)
  const ends: Array<{ at: number; id: number; R: Rv1; cores: number }> = [];
  let now = 0;
  let started = 0;
  let passes = 0;
  let passMs = 0;
  let policyMs = 0;
  let maxMs = 0;
  let coreSec = 0;
  let lastStart = 0;
  const total = NODES * CORES;
  while (started < njobs) {
    const t0 = performance.now();
    const decisions = policy.schedule(pool.clone(), 1e9 + now);
    policyMs += performance.now() - t0;
    for (const d of decisions) {
      if (d.type !== 'alloc') continue;
      pool.take(d.R);
      rlistSummary(rv1Expand(d.R)); // the annotation the module sends with each alloc
      const id = Number(d.id);
      const cores = coresOf(d.R);
      ends.push({ at: now + run.get(id)!, id, R: d.R, cores });
      coreSec += cores * run.get(id)!;
      started++;
      lastStart = now;
    }
    const ms = performance.now() - t0;
    passes++;
    passMs += ms;
    maxMs = Math.max(maxMs, ms);
    if (started >= njobs) break;
    if (ends.length === 0) throw new Error(`${plugin.name}: nothing runs and ${njobs - started} jobs wait`);
    // the next end (and all at that time) free their resources, then a pass
    ends.sort((a, b) => a.at - b.at);
    now = ends[0]!.at;
    while (ends.length > 0 && ends[0]!.at <= now) {
      const e = ends.shift()!;
      const t1 = performance.now();
      pool.give(e.R);
      policy.free(e.id);
      passMs += performance.now() - t1;
    }
  }
  const span = Math.max(...ends.map((e) => e.at), lastStart);
  return { policy: plugin.name, jps: njobs / (passMs / 1000), util: coreSec / (total * span), passes, msPerPass: passMs / passes, policyMsPerPass: policyMs / passes, maxMs };
}
