/** `flux housekeeping`: list and kill the housekeeping that runs after jobs (list.ts, kill.ts). */
import type { CommandSpec, GroupSpec, OptionSpec } from '../../options';

export const housekeepingGroup: GroupSpec = {
  kind: 'group',
  path: ['housekeeping'],
  grammar: 'argparse',
  prog: 'flux-housekeeping',
  summary: 'List and terminate housekeeping tasks',
};

/** The spec of `flux housekeeping SUB` (Flux's flux-housekeeping is a Python command). */
export function housekeepingSpec(sub: string, summary: string, options: readonly OptionSpec[]): CommandSpec {
  return { path: ['housekeeping', sub], grammar: 'argparse', prog: `flux-housekeeping ${sub}`, errorName: 'flux-housekeeping', summary, options };
}

/** job-manager.stats-get's housekeeping: jobs (F58) -> the ranks still allocated and still running */
export interface HousekeepingStats {
  housekeeping?: { running?: Record<string, { t_start: number; pending: string; allocated: string }> };
}
