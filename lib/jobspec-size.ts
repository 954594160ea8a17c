/** What a V1 jobspec asks for in all (RFC 25 counts multiplied through its resource tree). */

type Obj = Record<string, unknown>;

export interface JobSize {
  /** undefined when the jobspec names no node */
  nnodes?: number;
  ncores?: number;
  ngpus?: number;
}

export function jobSize(jobspec: Readonly<Obj> | undefined): JobSize {
  const out: JobSize = { ncores: 0, ngpus: 0 };
  const walk = (vs: unknown, mult: number): void => {
    if (!Array.isArray(vs)) return;
    for (const v of vs as Obj[]) {
      const n = typeof v['count'] === 'number' ? v['count'] : 1;
      if (v['type'] === 'node') out.nnodes = (out.nnodes ?? 0) + mult * n;
      if (v['type'] === 'core') out.ncores! += mult * n;
      if (v['type'] === 'gpu') out.ngpus! += mult * n;
      walk(v['with'], mult * n);
    }
  };
  walk(jobspec?.['resources'], 1);
  return out;
}
