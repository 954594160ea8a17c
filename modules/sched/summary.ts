/**
 * The `sched.resource_summary` annotation of an allocation
 * (`rank[0-3]/core[0-63]`), read straight off R_lite: rv1Build already groups
 * ranks of one shape, so nothing needs expanding (rlistSummary(rv1Expand(R))
 * gives the same text at a cost per core).
 */
import type { Rv1 } from '../../kernel/api';

const bracket = (ids: string) => (/[,-]/.test(ids) ? `[${ids}]` : ids);

export function allocSummary(R: Rv1): string {
  const parts: string[] = [];
  for (const e of R.execution.R_lite) {
    const kids: string[] = [];
    const c = e.children?.core;
    const g = e.children?.gpu;
    if (c) kids.push(`core${bracket(c)}`);
    if (g) kids.push(`gpu${bracket(g)}`);
    parts.push(`rank${bracket(e.rank)}${kids.length > 0 ? `/${kids.join(',')}` : ''}`);
  }
  return parts.join(' ');
}
