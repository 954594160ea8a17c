/**
 * alloc-check.so (Flux's plugin of that name): resources are never given to
 * two jobs at once. Each job's R is added to the allocated set at its
 * `alloc` event and taken out at its `free`; a job given a core or GPU
 * already allocated gets a fatal exception `type=alloc-check` "resources
 * already allocated". Jobs allocated before the plugin was loaded are not
 * known to it.
 */
import { rv1Check } from '../../../lib/formats';
import { defineJobtapPlugin } from '../../../modules/job-manager/plugin-api';

/** `rank/core3`, `rank/gpu0` for each resource of R */
export function resourceKeys(R: unknown): string[] {
  const out: string[] = [];
  for (const r of rv1Check(R)) {
    for (const c of r.cores) out.push(`${r.rank}/core${c}`);
    for (const g of r.gpus) out.push(`${r.rank}/gpu${g}`);
  }
  return out;
}

/** The allocated set: add a job's resources unless one is taken; take them out again. */
export class Allocated {
  private readonly owner = new Map<string, number>();
  private readonly byJob = new Map<number, string[]>();

  /** false (nothing added) when a resource is allocated to another job */
  add(id: number, keys: readonly string[]): boolean {
    if (keys.some((k) => this.owner.has(k))) return false;
    for (const k of keys) this.owner.set(k, id);
    this.byJob.set(id, [...keys]);
    return true;
  }

  remove(id: number): void {
    for (const k of this.byJob.get(id) ?? []) if (this.owner.get(k) === id) this.owner.delete(k);
    this.byJob.delete(id);
  }

  get size(): number {
    return this.owner.size;
  }
}

export default defineJobtapPlugin({
  name: 'alloc-check.so',
  description: 'raise an exception on a job given resources another job holds',
  create(ctx) {
    const allocated = new Allocated();
    return {
      'job.event.alloc': (job) => {
        let keys: string[];
        try {
          keys = resourceKeys(job.R);
        } catch (e) {
          ctx.log('err', `${job.id}: job.event.alloc: failed to parse R: ${(e as Error).message}`);
          return;
        }
        if (!allocated.add(job.id, keys)) ctx.raise(job.id, 'alloc-check', 0, 'resources already allocated');
      },
      'job.event.free': (job) => allocated.remove(job.id),
      'job.state.inactive': (job) => allocated.remove(job.id),
    };
  },
});
