/**
 * A nested instance's resources are its job's (Flux's `resource-define
 * method="job-info"`): rank 0 reads the job's R from the enclosing instance
 * (the `parent-uri` and `jobid` attributes) instead of probing the node, so a
 * `flux alloc -n1` instance has the one core and no GPU the job was given,
 * not every GPU of the host. The job's ranks become 0..N-1 in order (the
 * enclosing job shell starts broker i on the job's i-th node); a rank's cores
 * become 0..k-1, the indexes of the CPUs its broker is bound to, which is how
 * a job shell names cores here (plugins/shell/affinity); GPU ids stay the
 * node's, since a task's CUDA_VISIBLE_DEVICES names them. The job's
 * expiration is the instance's in every case (resources described by the
 * config or rediscovered too); its later updates are followed by the front
 * end (cli/start/uri-memo.ts).
 */
import { encodeKvs, tryParseJobId } from '../../lib/formats';
import { rv1Expand, type RankResources, type Rv1 } from '../../lib/formats/rv1';
import type { ConnectInstance, Handle, InstanceConnection } from '../../kernel/api';

export interface JobResources {
  /** the job's nodes as this instance's ranks, or why they cannot be (one line, for the log) */
  ranks: RankResources[] | string;
  /** the job's expiration (0: none) */
  expiration: number;
}

/**
 * The job's R as this instance's resources; undefined when the instance is
 * not a job; a reason (one line, for the log) when its R cannot be had.
 */
export async function enclosingJobResources(h: Handle, connect: ConnectInstance): Promise<JobResources | string | undefined> {
  const jobid = h.getattr('jobid');
  const parent = h.getattr('parent-uri');
  if (jobid === undefined || parent === undefined) return undefined;
  const id = tryParseJobId(jobid);
  if (id === undefined) return `job id ${jobid} not understood`;
  let client: InstanceConnection | undefined;
  try {
    client = await connect(parent);
    const R = (await client.rpc<{ value?: unknown }>('kvs.get', { key: `${encodeKvs(id)}.R` }, { timeoutMs: 10_000 })).value;
    return jobResources(R, h.size);
  } catch (e) {
    return `R of job ${jobid} from ${parent}: ${(e as Error).message}`;
  } finally {
    client?.close();
  }
}

/** R (RFC 20) of a job as an instance of `size` brokers started on it: its expiration, and its ranks if they fit. */
export function jobResources(R: unknown, size: number): JobResources | string {
  const doc = R as Rv1 | undefined;
  if (typeof doc !== 'object' || doc === null || doc.version !== 1 || !Array.isArray(doc.execution?.R_lite)) return "the job's R is not an R document";
  const exp = doc.execution.expiration;
  return { ranks: ranksOf(doc, size), expiration: typeof exp === 'number' && exp > 0 ? exp : 0 };
}

function ranksOf(doc: Rv1, size: number): RankResources[] | string {
  let ranks: RankResources[];
  try {
    ranks = rv1Expand(doc).sort((a, b) => a.rank - b.rank);
  } catch (e) {
    return `the job's R: ${(e as Error).message}`;
  }
  // several brokers a node (flux run -N2 -n4 flux start): no rank of R is one broker's
  if (ranks.length !== size) return `the job's R has ${ranks.length} node${ranks.length === 1 ? '' : 's'}, the instance ${size} broker${size === 1 ? '' : 's'}`;
  if (ranks.some((r) => r.hostname === '')) return "the job's R does not name its nodes";
  return ranks.map((r, i) => ({ ...r, rank: i, cores: r.cores.map((_c, k) => k), gpus: [...r.gpus] }));
}
