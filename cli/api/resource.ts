/**
 * The scheduler's view of the instance's resources, as `flux resource list`
 * shows it and Flux's Python `flux.resource.resource_list` returns it: the
 * nodes, cores and GPUs that are up, down, allocated, free, and in all.
 */
import type { Client } from './client';
import type { SchedStatus } from '../commands/resource/common';

export interface ResourceSet {
  nnodes: number;
  ncores: number;
  ngpus: number;
  /** hostlist (RFC 29), e.g. "node[0-3]" */
  nodelist: string;
  /** idset (RFC 22) of broker ranks, e.g. "0-3" */
  ranks: string;
  /** RFC 20 properties of these ranks */
  properties: string[];
}

export interface ResourceList {
  up: ResourceSet;
  down: ResourceSet;
  allocated: ResourceSet;
  free: ResourceSet;
  all: ResourceSet;
}

export async function resourceList(h: Client): Promise<ResourceList> {
  // loaded on first use: what flux resource list computes with brings the kernel's formats (a slower require)
  const { listRow, resourcesIn, LIST_STATES } = await import('../commands/resource/common');
  const st = await h.rpc<SchedStatus>('resource.sched-status', {});
  const out = {} as ResourceList;
  for (const s of LIST_STATES) {
    const row = listRow(s, resourcesIn(st, s));
    out[s] = {
      nnodes: Number(row['nnodes']),
      ncores: Number(row['ncores']),
      ngpus: Number(row['ngpus']),
      nodelist: String(row['nodelist']),
      ranks: String(row['ranks']),
      properties: String(row['properties']).split(',').filter((p) => p !== ''),
    };
  }
  return out;
}
