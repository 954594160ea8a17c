/** The bigsched bench's queue: the same 10,000 jobs (fixed seed) for every policy and for the simulation. */

export const NODES = 4096;
export const CORES = 64;

/** a fixed-seed generator, so both policies see the same queue */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** the mixed queue: half single-node core jobs (1-64 cores), the rest 1-64 whole nodes, 0.05-0.5 s each */
export function jobspecs(n: number): unknown[] {
  const r = rng(13);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    const run = Math.round((0.05 + r() * 0.45) * 1000) / 1000;
    let resources: unknown[];
    if (u < 0.5) {
      const cores = 1 + Math.floor(r() * r() * CORES);
      resources = [{ type: 'slot', count: 1, label: 'task', with: [{ type: 'core', count: cores }] }];
    } else {
      // 1-8 nodes mostly, up to 64
      const v = r();
      const nodes = v < 0.6 ? 1 + Math.floor(r() * 8) : v < 0.9 ? 8 + Math.floor(r() * 25) : 32 + Math.floor(r() * 33);
      resources = [{ type: 'node', count: nodes, exclusive: true, with: [{ type: 'slot', count: 1, label: 'task', with: [{ type: 'core', count: 1 }] }] }];
    }
    out.push({
      version: 1,
      resources,
      tasks: [{ command: ['true'], slot: 'task', count: { per_slot: 1 } }],
      attributes: { system: { duration: 0, cwd: '/tmp', exec: { test: { run_duration: `${run}s` } } } },
    });
  }
  return out;
}

