/**
 * The `instance.*` fields of flux-jobs(1) and flux-pstree(1): facts about a
 * job that is itself a Flux instance, asked of that instance (its job counts
 * and its resources). Empty for a job that is not one.
 */
import type { Client } from '../api/client';
import { rv1Expand, type Rv1 } from '../../lib/formats/rv1';
import type { JobRecord } from './job-info';
import { JobStates } from '../../lib/protocol/job-states';

export const INSTANCE_HEADINGS: Record<string, string> = {
  'instance.stats': 'STATS',
  'instance.stats.total': 'NJOBS',
  'instance.stats.pending': 'PD',
  'instance.stats.running': 'R',
  'instance.stats.successful': 'CD',
  'instance.stats.failed': 'F',
  'instance.stats.inactive': 'INACTIVE',
  'instance.stats.active': 'ACTIVE',
  'instance.progress': 'PROG',
  'instance.utilization': 'CORE%',
  'instance.gpu_utilization': 'GPU%',
  'instance.resources.all.nnodes': 'NODES',
  'instance.resources.all.ncores': 'CORES',
  'instance.resources.all.ngpus': 'GPUS',
  'instance.resources.allocated.nnodes': 'USED',
  'instance.resources.allocated.ncores': 'USED',
  'instance.resources.allocated.ngpus': 'USED',
  'instance.resources.free.nnodes': 'FREE',
  'instance.resources.free.ncores': 'FREE',
  'instance.resources.free.ngpus': 'FREE',
  'instance.resources.down.nnodes': 'DOWN',
  'instance.resources.down.ncores': 'DOWN',
  'instance.resources.down.ngpus': 'DOWN',
};

/** does a format use any instance.* field (then the instances must be asked) */
export function usesInstanceFields(fields: readonly string[]): boolean {
  return fields.some((f) => f.startsWith('instance.'));
}

export function resourceCounts(r: Rv1 | undefined): { nnodes: number; ncores: number; ngpus: number } {
  const rs = r ? rv1Expand(r) : [];
  return { nnodes: rs.length, ncores: rs.reduce((s, x) => s + x.cores.length, 0), ngpus: rs.reduce((s, x) => s + x.gpus.length, 0) };
}

/** the instance.* fields of the instance `child` (a job of ours that runs Flux) */
export async function instanceFields(child: Client): Promise<Record<string, unknown>> {
  const [list, st] = await Promise.all([
    child.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states: JobStates.ALL, userid: -1 }),
    child.rpc<{ all?: Rv1; allocated?: Rv1; down?: Rv1 }>('resource.sched-status', {}),
  ]);
  const jobs = list.jobs;
  const pending = jobs.filter((j) => (j.state & 14) !== 0).length;
  const running = jobs.filter((j) => (j.state & 48) !== 0).length;
  const inactive = jobs.filter((j) => j.state === 64);
  const successful = inactive.filter((j) => j.result === 1).length;
  const failed = inactive.length - successful;
  const total = jobs.length;
  const all = resourceCounts(st.all);
  const allocated = resourceCounts(st.allocated);
  const down = resourceCounts(st.down);
  const out: Record<string, unknown> = {
    'instance.stats': `PD:${pending} R:${running} CD:${successful} F:${failed}`,
    'instance.stats.total': total,
    'instance.stats.pending': pending,
    'instance.stats.running': running,
    'instance.stats.successful': successful,
    'instance.stats.failed': failed,
    'instance.stats.inactive': inactive.length,
    'instance.stats.active': pending + running,
    'instance.progress': total > 0 ? inactive.length / total : 0,
    'instance.utilization': all.ncores > 0 ? allocated.ncores / all.ncores : 0,
    // no GPUs: a blank column, not 0%
    'instance.gpu_utilization': all.ngpus > 0 ? allocated.ngpus / all.ngpus : ' ',
  };
  for (const [state, c] of Object.entries({ all, allocated, down })) {
    for (const [k, v] of Object.entries(c)) out[`instance.resources.${state}.${k}`] = v;
  }
  for (const k of ['nnodes', 'ncores', 'ngpus'] as const) {
    out[`instance.resources.free.${k}`] = Math.max(0, all[k] - allocated[k] - down[k]);
  }
  return out;
}
