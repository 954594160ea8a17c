/**
 * What `flux top` shows of one instance, asked in one round of RPCs: its
 * size, depth, uptime, version and time left; nodes, cores and GPUs in use;
 * job counts; and its running jobs, newest first.
 */
import type { Client } from '../api/client';
import type { Rv1 } from '../../lib/formats/rv1';
import type { JobRecord } from '../jobspec/job-info';
import { resourceCounts } from '../jobspec/instance-fields';
import { username } from '../jobspec/jobs-fields';

/** job states (RFC 21 bits) */
const PENDING = 2 | 4 | 8;
const RUNNING = 16 | 32;
const INACTIVE = 64;
const ALL = PENDING | RUNNING | INACTIVE;
/** job result COMPLETED */
const COMPLETED = 1;

export interface Usage {
  used: number;
  total: number;
}

export interface TopJob {
  id: number;
  user: string;
  /** R or C (cleanup) */
  state: string;
  ntasks: number;
  nnodes: number;
  /** seconds since it started running */
  runtime: number;
  name: string;
}

export interface Snapshot {
  size: number;
  depth: number;
  /** seconds since the instance started */
  uptime: number;
  version: string;
  /** seconds until the instance's expiration; Infinity when it has none */
  timeleft: number;
  nodes: Usage;
  cores: Usage;
  gpus: Usage;
  pending: number;
  running: number;
  complete: number;
  failed: number;
  jobs: TopJob[];
}

export async function takeSnapshot(h: Client, queue?: string, now = Date.now() / 1000): Promise<Snapshot> {
  const attr = (name: string) => h.rpc<{ value: string }>('attr.get', { name }).then((r) => r.value);
  const [size, depth, start, version, status, sched, list] = await Promise.all([
    attr('size'),
    attr('instance-level'),
    attr('broker.starttime'),
    attr('version'),
    h.rpc<{ R?: { execution?: { expiration?: number } } }>('resource.status', {}),
    h.rpc<{ all?: Rv1; allocated?: Rv1 }>('resource.sched-status', {}),
    h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states: ALL, userid: -1 }),
  ]);
  const all = resourceCounts(sched.all);
  const used = resourceCounts(sched.allocated);
  const jobs = queue === undefined ? list.jobs : list.jobs.filter((j) => j.queue === queue);
  const inactive = jobs.filter((j) => j.state === INACTIVE);
  const complete = inactive.filter((j) => j.result === COMPLETED).length;
  const expiration = status.R?.execution?.expiration ?? 0;
  return {
    size: Number(size),
    depth: Number(depth),
    uptime: Math.max(0, now - Number(start)),
    version,
    timeleft: expiration > 0 ? Math.max(0, expiration - now) : Infinity,
    nodes: { used: used.nnodes, total: all.nnodes },
    cores: { used: used.ncores, total: all.ncores },
    gpus: { used: used.ngpus, total: all.ngpus },
    pending: jobs.filter((j) => (j.state & PENDING) !== 0).length,
    running: jobs.filter((j) => (j.state & RUNNING) !== 0).length,
    complete,
    failed: inactive.length - complete,
    jobs: jobs
      .filter((j) => (j.state & RUNNING) !== 0)
      .sort((a, b) => (b.t_run ?? 0) - (a.t_run ?? 0) || b.id - a.id)
      .map((j) => ({
        id: j.id,
        user: username(j.userid),
        state: j.state === 16 ? 'R' : 'C',
        ntasks: j.ntasks ?? 0,
        nnodes: j.nnodes ?? 0,
        runtime: j.t_run !== undefined ? Math.max(0, now - j.t_run) : 0,
        name: j.name,
      })),
  };
}
