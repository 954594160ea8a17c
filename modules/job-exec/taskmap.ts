/**
 * Task placement for one job: which task ranks run on which broker rank, from R
 * (RFC 20 R_lite) and the jobspec's slot shape (RFC 25). Block mapping as the
 * Flux shell does: shells in broker-rank order, task ranks contiguous per shell.
 */
import { idset } from '../../kernel/api';
import type { JobExecShellPlacement } from '../../lib/protocol/job-exec';

export interface R {
  version: number;
  execution: {
    R_lite: Array<{ rank: string; children: { core?: string; gpu?: string } }>;
    nodelist?: string[];
    starttime?: number;
    expiration?: number;
  };
}

/** this shell's part of the job: the shape job-exec's protocol declares for shell-start (protocol.avsc) */
export type ShellPlacement = JobExecShellPlacement;

/** The task ranks of a shell, in local order. */
export function shellTaskRanks(p: ShellPlacement): number[] {
  return p.ranks ?? Array.from({ length: p.count }, (_, i) => p.first + i);
}

interface Vertex {
  type: string;
  count: number | Record<string, unknown>;
  with?: Vertex[];
}

export interface Jobspec {
  resources: Vertex[];
  tasks: Array<{ command: string[]; slot?: string; count: { per_slot?: number; total?: number } }>;
  attributes?: { system?: Record<string, unknown>; user?: Record<string, unknown> };
}

function num(c: Vertex['count']): number {
  return typeof c === 'number' ? c : 1;
}

/** cores per slot (1 if the jobspec says nothing) */
function coresPerSlot(res: Vertex[]): number {
  for (const v of res) {
    if (v.type === 'slot') {
      const core = v.with?.find((w) => w.type === 'core');
      return core ? Math.max(1, num(core.count)) : 1;
    }
    if (v.with) {
      const n = coresPerSlot(v.with);
      if (n > 0) return n;
    }
  }
  return 1;
}

/** slot count of the jobspec (per node when under a node vertex, with node count) */
function slotShape(res: Vertex[]): { nodes: number; slotsPerNode: number } {
  const top = res[0];
  if (!top) return { nodes: 0, slotsPerNode: 1 };
  if (top.type === 'node') {
    const slot = top.with?.find((w) => w.type === 'slot');
    return { nodes: num(top.count), slotsPerNode: slot ? num(slot.count) : 1 };
  }
  return { nodes: 0, slotsPerNode: num(top.count) };
}

/** Broker ranks of R in ascending order with their core idsets. */
export function ranksOf(r: R): Array<{ rank: number; cores: string; ncores: number; gpus: string }> {
  const out: Array<{ rank: number; cores: string; ncores: number; gpus: string }> = [];
  for (const e of r.execution.R_lite) {
    const cores = e.children.core ?? '';
    const ncores = cores ? idset.count(cores) : 0;
    const gpus = e.children.gpu ?? '';
    for (const rank of idset.decode(e.rank)) out.push({ rank, cores, ncores, gpus });
  }
  return out.sort((a, b) => a.rank - b.rank);
}

/** Hostname of each rank of R (nodelist maps sorted ranks 1:1), or undefined. */
export function hostOf(r: R, expand: (s: string) => string[]): Map<number, string> {
  const hosts = (r.execution.nodelist ?? []).flatMap((h) => {
    try {
      return expand(h);
    } catch {
      return [h];
    }
  });
  const m = new Map<number, string>();
  ranksOf(r).forEach((x, i) => {
    if (hosts[i] !== undefined) m.set(x.rank, hosts[i]!);
  });
  return m;
}

/**
 * Shell option `per-resource` ({type: "node" | "core", count?}): `count` tasks
 * on each node, or on each core of R on that node; undefined without it.
 */
function perResource(js: Jobspec): { type: 'node' | 'core'; count: number } | undefined {
  const shell = (js.attributes?.system as { shell?: { options?: Record<string, unknown> } } | undefined)?.shell;
  const pr = shell?.options?.['per-resource'] as { type?: unknown; count?: unknown } | undefined;
  if (pr?.type !== 'node' && pr?.type !== 'core') return undefined;
  const count = typeof pr.count === 'number' && Number.isInteger(pr.count) && pr.count > 0 ? pr.count : 1;
  return { type: pr.type, count };
}

/** Place the job's tasks on the ranks of R. */
export function placeTasks(r: R, js: Jobspec): ShellPlacement[] {
  const ranks = ranksOf(r);
  const cps = coresPerSlot(js.resources);
  const shape = slotShape(js.resources);
  const count = js.tasks[0]?.count ?? { per_slot: 1 };
  // slots available on each rank
  const slots = ranks.map((x) => (shape.nodes > 0 ? shape.slotsPerNode : Math.max(1, Math.floor(x.ncores / cps))));
  let ntasks: number[];
  const per = perResource(js);
  if (per !== undefined) {
    // shell option per-resource (flux batch/alloc: one broker per node; --tasks-per-core: N per core)
    ntasks = ranks.map((x) => (per.type === 'node' ? per.count : per.count * Math.max(1, x.ncores)));
  } else if (count.total !== undefined) {
    let left = count.total;
    ntasks = ranks.map(() => 0);
    // one per rank first, then fill slots in rank order, then round robin
    for (let i = 0; i < ranks.length && left > 0; i++, left--) ntasks[i] = 1;
    for (let i = 0; i < ranks.length && left > 0; i++) {
      const add = Math.min(left, slots[i]! - ntasks[i]!);
      if (add > 0) {
        ntasks[i]! += add;
        left -= add;
      }
    }
    for (let i = 0; left > 0; i = (i + 1) % ranks.length, left--) ntasks[i]!++;
  } else if (shape.nodes === 0) {
    // slot-only request: the scheduler gave exactly the cores for nslots
    let left = shape.slotsPerNode * (count.per_slot ?? 1);
    ntasks = ranks.map((_, i) => {
      const n = Math.min(left, slots[i]! * (count.per_slot ?? 1));
      left -= n;
      return n;
    });
    if (left > 0 && ntasks.length > 0) ntasks[ntasks.length - 1]! += left;
  } else {
    ntasks = slots.map((s) => s * (count.per_slot ?? 1));
  }
  const out: ShellPlacement[] = [];
  let first = 0;
  ranks.forEach((x, i) => {
    out.push({ rank: x.rank, shellRank: i, first, count: ntasks[i]!, cores: x.cores, gpus: x.gpus });
    first += ntasks[i]!;
  });
  return out;
}
