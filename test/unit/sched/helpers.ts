/** Test helpers for scheduler unit tests: pools, jobspecs and pending jobs without a broker. */
import { rv1Expand, type Rv1 } from '../../../kernel/api';
import { Pool } from '../../../modules/sched/pool';
import { parseJobspec } from '../../../modules/sched/jobspec';
import type { PendingJob } from '../../../modules/sched/plugin-api';

/** n nodes of c cores (and g gpus) named node0.. */
export function pool(n: number, c: number, g = 0, down: number[] = []): Pool {
  const ranks = [...Array(n).keys()].map((rank) => ({
    rank,
    hostname: `node${rank}`,
    cores: [...Array(c).keys()],
    gpus: [...Array(g).keys()],
  }));
  return new Pool(ranks, down);
}

/** A jobspec as `flux run` builds it: -n ntasks [-c cores] [-g gpus] [-N nodes] [-t duration]. */
export function jobspec(o: { n?: number; c?: number; g?: number; N?: number; t?: number }): unknown {
  const n = o.n ?? o.N ?? 1;
  const slotWith: unknown[] = [{ type: 'core', count: o.c ?? 1 }];
  if (o.g) slotWith.push({ type: 'gpu', count: o.g });
  const resources =
    o.N !== undefined
      ? [{ type: 'node', count: o.N, ...(o.n === undefined ? { exclusive: true } : {}), with: [{ type: 'slot', count: Math.ceil(n / o.N), label: 'task', with: slotWith }] }]
      : [{ type: 'slot', count: n, label: 'task', with: slotWith }];
  return {
    version: 1,
    resources,
    tasks: [{ command: ['true'], slot: 'task', count: { per_slot: 1 } }],
    attributes: { system: { duration: o.t ?? 0 } },
  };
}

let nextId = 1;
export function job(o: Parameters<typeof jobspec>[0], extra: Partial<PendingJob> = {}): PendingJob {
  const id = nextId++;
  return { id, priority: 16, userid: 0, t_submit: id, request: parseJobspec(jobspec(o)), ...extra };
}

/** `rank[..]` summary: ranks of R */
export function ranksOf(R: Rv1): number[] {
  return rv1Expand(R).map((r) => r.rank);
}
