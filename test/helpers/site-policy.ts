/**
 * The JavaScript text of a scheduler policy for a site module's file (the
 * contract of docs/guide/writing-a-sched-policy.md): the newest job first,
 * nothing older starting while it does not fit. Declares `const VAR`.
 */
export function lifoPolicySource(name: string, variable = name): string {
  return `/** ${name}: the newest job first; nothing older starts while it does not fit */
const ${variable} = {
  schedPolicy: 1,
  name: '${name}',
  description: 'newest job first',
  create() {
    let pending = [];
    const newer = (a, b) => a.t_submit - b.t_submit || Number(a.id) - Number(b.id);
    return {
      name: '${name}',
      hello() {},
      free() {},
      enqueue(job) { pending.push(job); pending.sort(newer); },
      cancel(id) { const n = pending.length; pending = pending.filter((j) => String(j.id) !== String(id)); return pending.length !== n; },
      queue() { return pending; },
      schedule(pool) {
        const out = [];
        while (pending.length > 0) {
          const job = pending[pending.length - 1];
          const R = pool.match(job.request);
          if (!R) break;
          pool.take(R);
          pending.pop();
          out.push({ type: 'alloc', id: job.id, R });
        }
        return out;
      },
    };
  },
};
`;
}
