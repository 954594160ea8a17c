/**
 * ResourcePool: per-rank free cores and gpus, the down (drained or offline)
 * ranks, and the matching that every policy shares: exclusive nodes, N nodes
 * with slots each, or slots anywhere (first fit in the chosen rank order).
 *
 * Built for big pools (thousands of nodes, a pass per few milliseconds):
 * what never changes (ranks, names, core and gpu ids, properties) is shared
 * by every clone; the free state is a few typed arrays (one byte per core and
 * gpu, a free count per node), so clone() is a copy of those arrays. A count
 * of up nodes by free cores, and of wholly free up nodes, answers most
 * "does not fit now" in O(cores per node) before any node is looked at.
 */
import { constraintHosts, hostlist, idset, matchConstraint, rv1Build, rv1Expand, type RankResources, type Rv1 } from '../../kernel/api';
import type { NodeOrder, ResourcePool, ResourceRequest } from './plugin-api';

interface Node {
  rank: number;
  hostname: string;
  cores: number[];
  gpus: number[];
  properties: string[];
  /** index of the node (rank order) */
  i: number;
  /** offset of its cores in free / of its gpus in gfree */
  off: number;
  goff: number;
}

/** What every clone of a pool shares: it never changes. */
class Layout {
  readonly nodes: Node[];
  readonly byRank = new Map<number, Node>();
  readonly ranks: number[];
  readonly ncores: number;
  readonly ngpus: number;
  /** the most cores on one node */
  readonly maxCores: number;
  /** infeasible() of requests without a constraint, by shape */
  readonly infeasibleCache = new Map<string, string | undefined>();

  constructor(all: readonly RankResources[]) {
    let off = 0;
    let goff = 0;
    let max = 0;
    const sorted = [...all].sort((a, b) => a.rank - b.rank);
    this.nodes = sorted.map((r, i) => {
      const n: Node = {
        rank: r.rank,
        hostname: r.hostname,
        cores: [...r.cores],
        gpus: [...r.gpus],
        properties: [...(r.properties ?? [])],
        i,
        off,
        goff,
      };
      off += n.cores.length;
      goff += n.gpus.length;
      max = Math.max(max, n.cores.length);
      this.byRank.set(n.rank, n);
      return n;
    });
    this.ranks = this.nodes.map((n) => n.rank);
    this.ncores = off;
    this.ngpus = goff;
    this.maxCores = max;
  }
}

const shapeKeys = new WeakMap<ResourceRequest, string>();

/** a request's shape as a string (nodes, exclusive, slots, cores and gpus per slot), made once per request */
function shapeKey(req: ResourceRequest): string {
  let k = shapeKeys.get(req);
  if (k === undefined) {
    k = `${req.nnodes}/${req.exclusive}/${req.nslots}/${req.coresPerSlot}/${req.gpusPerSlot}`;
    shapeKeys.set(req, k);
  }
  return k;
}

/** position of id in ids (ids are usually 0..n-1), -1 if absent */
function pos(ids: readonly number[], id: number): number {
  return ids[id] === id ? id : ids.indexOf(id);
}

export class Pool implements ResourcePool {
  private readonly layout: Layout;
  /** 1 = free, per core (layout order) and per gpu */
  private free: Uint8Array;
  private gfree: Uint8Array;
  /** free cores / gpus per node */
  private nfree: Int32Array;
  private ngfree: Int32Array;
  /** 1 = down, per node */
  private down: Uint8Array;
  private readonly downSet: Set<number>;
  /** the down ranks that are drained (and otherwise up): reasons say drained, not down */
  private drained: ReadonlySet<number>;
  /** up nodes by their free core count */
  private hist: Int32Array;
  /** up nodes with every core and gpu free */
  private whole = 0;
  /** request shapes (without constraint) that match() found no room for since the last give() */
  private failed: Set<string> | undefined;

  constructor(all: readonly RankResources[], down: Iterable<number> = [], layout?: Layout, drained: Iterable<number> = []) {
    const L = (this.layout = layout ?? new Layout(all));
    this.free = new Uint8Array(L.ncores).fill(1);
    this.gfree = new Uint8Array(L.ngpus).fill(1);
    this.nfree = new Int32Array(L.nodes.length);
    this.ngfree = new Int32Array(L.nodes.length);
    for (const n of L.nodes) {
      this.nfree[n.i] = n.cores.length;
      this.ngfree[n.i] = n.gpus.length;
    }
    this.down = new Uint8Array(L.nodes.length);
    this.hist = new Int32Array(L.maxCores + 1);
    this.downSet = new Set();
    this.drained = new Set(drained);
    this.setDown(down);
  }

  static fromR(R: Rv1, down: Iterable<number> = [], drained: Iterable<number> = []): Pool {
    return new Pool(rv1Expand(R), down, undefined, drained);
  }

  get ranks(): number[] {
    return [...this.layout.ranks];
  }

  /** every core of the pool (down ranks too) */
  totalCores(): number {
    return this.layout.ncores;
  }

  setDown(down: Iterable<number>): void {
    this.downSet.clear();
    for (const r of down) this.downSet.add(r);
    this.failed = undefined;
    this.own();
    this.down.fill(0);
    for (const r of this.downSet) {
      const n = this.layout.byRank.get(r);
      if (n) this.down[n.i] = 1;
    }
    this.recount();
  }

  /** hist and whole from scratch */
  private recount(): void {
    this.hist.fill(0);
    this.whole = 0;
    for (const n of this.layout.nodes) this.count(n, 1);
  }

  /** add (1) or remove (-1) node n's part of hist and whole (up nodes only) */
  private count(n: Node, sign: 1 | -1): void {
    if (this.down[n.i]) return;
    const f = this.nfree[n.i]!;
    this.hist[f]! += sign;
    if (f === n.cores.length && this.ngfree[n.i] === n.gpus.length) this.whole += sign;
  }

  /** the arrays may be shared with a clone: copy them before the first change (copy on write) */
  private shared = false;

  private own(): void {
    if (!this.shared) return;
    this.shared = false;
    this.free = this.free.slice();
    this.gfree = this.gfree.slice();
    this.nfree = this.nfree.slice();
    this.ngfree = this.ngfree.slice();
    this.down = this.down.slice();
    this.hist = this.hist.slice();
  }

  clone(): Pool {
    const p = Object.create(Pool.prototype) as Pool;
    const w = p as unknown as {
      layout: Layout;
      free: Uint8Array;
      gfree: Uint8Array;
      nfree: Int32Array;
      ngfree: Int32Array;
      down: Uint8Array;
      downSet: Set<number>;
      drained: ReadonlySet<number>;
      hist: Int32Array;
      whole: number;
      shared: boolean;
    };
    w.layout = this.layout;
    w.free = this.free;
    w.gfree = this.gfree;
    w.nfree = this.nfree;
    w.ngfree = this.ngfree;
    w.down = this.down;
    w.downSet = new Set(this.downSet);
    w.drained = this.drained;
    w.hist = this.hist;
    w.whole = this.whole;
    w.shared = true;
    this.shared = true;
    return p;
  }

  private slotsOn(cores: number, gpus: number, req: ResourceRequest): number {
    const byCores = Math.floor(cores / req.coresPerSlot);
    const byGpus = req.gpusPerSlot > 0 ? Math.floor(gpus / req.gpusPerSlot) : Infinity;
    return Math.min(byCores, byGpus);
  }

  /** The nodes a request may use: all of them, or those its constraint (RFC 31) allows. */
  private allowed(req: ResourceRequest): Node[] {
    const all = this.layout.nodes;
    const c = req.constraint;
    return c ? all.filter((n) => matchConstraint(c, n)) : all;
  }

  infeasible(req: ResourceRequest): string | undefined {
    if (req.constraint) return this.infeasibleNow(req);
    const key = shapeKey(req);
    const cache = this.layout.infeasibleCache;
    if (cache.has(key)) return cache.get(key);
    const why = this.infeasibleNow(req);
    if (cache.size > 10_000) cache.clear();
    cache.set(key, why);
    return why;
  }

  private infeasibleNow(req: ResourceRequest): string | undefined {
    if (req.constraint) {
      const known = new Set(this.layout.nodes.map((n) => n.hostname));
      const unknown = [...new Set(constraintHosts(req.constraint))].filter((h) => !known.has(h));
      if (unknown.length > 0) return `invalid jobspec: host constraint contains invalid hosts: host '${unknown[0]}' not found`;
    }
    const all = this.allowed(req);
    const shape = `${req.coresPerSlot} core(s)${req.gpusPerSlot > 0 ? ` and ${req.gpusPerSlot} gpu(s)` : ''}`;
    if (req.nnodes !== undefined) {
      const spn = Math.ceil(req.nslots / req.nnodes);
      const eligible = all.filter((n) => this.slotsOn(n.cores.length, n.gpus.length, req) >= spn).length;
      if (eligible >= req.nnodes) return undefined;
      if (all.length < req.nnodes) {
        return `unsatisfiable request: need ${req.nnodes}${req.exclusive ? ' exclusive' : ''} node(s), only ${eligible} eligible`;
      }
      return `unsatisfiable request: ${this.nodeShortfall(all, req, spn, eligible)}`;
    }
    const avail = all.reduce((s, n) => s + this.slotsOn(n.cores.length, n.gpus.length, req), 0);
    if (avail < req.nslots) {
      const cores = all.reduce((s, n) => s + n.cores.length, 0);
      const gpus = all.reduce((s, n) => s + n.gpus.length, 0);
      const totals = req.gpusPerSlot > 0 ? `total cores: ${cores}, total gpus: ${gpus}` : `total cores: ${cores}`;
      return `unsatisfiable request: need ${req.nslots} slot(s) of ${shape}, only ${avail} such slot(s) available (${totals})`;
    }
    return undefined;
  }

  /** Enough nodes, too few of them big enough: what each must hold, and what they have. */
  private nodeShortfall(all: readonly Node[], req: ResourceRequest, spn: number, eligible: number): string {
    const gpus = req.gpusPerSlot > 0;
    const each = `${spn * req.coresPerSlot} core(s)${gpus ? ` and ${spn * req.gpusPerSlot} gpu(s)` : ''}`;
    const need = `need ${each} on ${req.nnodes === 1 ? '1 node' : `each of ${req.nnodes} nodes`}`;
    if (eligible > 0) return `${need}, only ${eligible} node(s) have that many`;
    const most = (k: 'cores' | 'gpus'): number => all.reduce((m, n) => Math.max(m, n[k].length), 0);
    return `${need}, nodes have at most ${most('cores')} core(s)${gpus ? ` and ${most('gpus')} gpu(s)` : ''}`;
  }

  /**
   * Why a feasible request cannot start while some ranks are down (drained,
   * offline or torpid): it needs more than the up ranks have even when all is
   * free. undefined when the up ranks could hold it (it waits for running jobs).
   */
  waitsForDown(req: ResourceRequest): string | undefined {
    if (this.downSet.size === 0) return undefined;
    const allowed = this.allowed(req);
    const down = allowed.filter((n) => this.down[n.i]);
    if (down.length === 0) return undefined;
    const up = allowed.filter((n) => !this.down[n.i]);
    let need: string | undefined;
    if (req.nnodes !== undefined) {
      const spn = Math.ceil(req.nslots / req.nnodes);
      const fit = up.filter((n) => this.slotsOn(n.cores.length, n.gpus.length, req) >= spn).length;
      if (fit < req.nnodes) need = `needs ${req.nnodes} node(s), ${fit} up`;
    } else {
      const fit = up.reduce((s, n) => s + this.slotsOn(n.cores.length, n.gpus.length, req), 0);
      if (fit < req.nslots) need = `needs ${req.nslots} slot(s) of ${req.coresPerSlot} core(s)${req.gpusPerSlot > 0 ? ` and ${req.gpusPerSlot} gpu(s)` : ''}, ${fit} up`;
    }
    if (need === undefined) return undefined;
    const drained = down.filter((n) => this.drained.has(n.rank));
    const off = down.filter((n) => !this.drained.has(n.rank));
    const list = (nodes: Node[], state: string): string[] =>
      nodes.length === 0 ? [] : [`${nodes.length} node(s) ${state}: ${hostlist.compress(nodes.map((n) => n.hostname))} (rank ${idset.encode(nodes.map((n) => n.rank))})`];
    return [need, ...list(drained, 'drained'), ...list(off, 'down')].join('; ');
  }

  /**
   * A necessary condition, from the counts alone: false when the up nodes
   * cannot hold req now whatever the order or constraint.
   */
  private mightFit(req: ResourceRequest): boolean {
    const cps = req.coresPerSlot;
    const h = this.hist;
    if (req.nnodes !== undefined) {
      if (req.exclusive) return this.whole >= req.nnodes;
      const need = Math.ceil(req.nslots / req.nnodes) * cps;
      let nodes = 0;
      for (let k = need; k < h.length; k++) if ((nodes += h[k]!) >= req.nnodes) return true;
      return false;
    }
    let slots = 0;
    for (let k = h.length - 1; k >= cps; k--) if ((slots += h[k]! * Math.floor(k / cps)) >= req.nslots) return true;
    return false;
  }

  /** the first `count` free cores (or gpus) of node n, by id order */
  private firstFree(ids: readonly number[], bits: Uint8Array, off: number, count: number): number[] {
    const out: number[] = [];
    for (let p = 0; p < ids.length && out.length < count; p++) if (bits[off + p]) out.push(ids[p]!);
    return out.sort((a, b) => a - b);
  }

  private pick(n: Node, slots: number, req: ResourceRequest): RankResources {
    const cores = this.firstFree(n.cores, this.free, n.off, slots * req.coresPerSlot);
    const gpus = this.firstFree(n.gpus, this.gfree, n.goff, slots * req.gpusPerSlot);
    return { rank: n.rank, hostname: n.hostname, cores, gpus };
  }

  match(req: ResourceRequest, order: NodeOrder = 'low'): Rv1 | undefined {
    if (!this.mightFit(req)) return undefined;
    // take() only ever shrinks what is free: a shape that did not fit does not fit until a give()
    const key = req.constraint ? undefined : `${order}/${shapeKey(req)}`;
    if (key !== undefined && this.failed?.has(key)) return undefined;
    const R = this.scan(req, order);
    if (!R && key !== undefined) (this.failed ??= new Set()).add(key);
    return R;
  }

  private scan(req: ResourceRequest, order: NodeOrder): Rv1 | undefined {
    const nodes = this.layout.nodes;
    const c = req.constraint;
    const picked: RankResources[] = [];
    const last = nodes.length - 1;
    if (req.nnodes !== undefined) {
      const spn = Math.ceil(req.nslots / req.nnodes);
      for (let k = 0; k <= last && picked.length < req.nnodes; k++) {
        const n = nodes[order === 'low' ? k : last - k]!;
        if (this.down[n.i] || (c && !matchConstraint(c, n))) continue;
        const fc = this.nfree[n.i]!;
        const fg = this.ngfree[n.i]!;
        if (req.exclusive) {
          if (fc === n.cores.length && fg === n.gpus.length && this.slotsOn(n.cores.length, n.gpus.length, req) >= spn) {
            picked.push({ rank: n.rank, hostname: n.hostname, cores: [...n.cores], gpus: [...n.gpus] });
          }
        } else if (this.slotsOn(fc, fg, req) >= spn) {
          picked.push(this.pick(n, spn, req));
        }
      }
      if (picked.length < req.nnodes) return undefined;
    } else {
      let need = req.nslots;
      for (let k = 0; k <= last && need > 0; k++) {
        const n = nodes[order === 'low' ? k : last - k]!;
        if (this.down[n.i] || (c && !matchConstraint(c, n))) continue;
        const got = Math.min(need, this.slotsOn(this.nfree[n.i]!, this.ngfree[n.i]!, req));
        if (got > 0) {
          picked.push(this.pick(n, got, req));
          need -= got;
        }
      }
      if (need > 0) return undefined;
    }
    return rv1Build(picked, { nslots: req.nslots });
  }

  /** mark the cores and gpus of R taken (1 -> 0) or given back (0 -> 1) */
  private mark(R: Rv1, to: 0 | 1): void {
    if (to === 1) this.failed = undefined;
    this.own();
    for (const r of rv1Expand(R)) {
      const n = this.layout.byRank.get(r.rank);
      if (!n) continue;
      this.count(n, -1);
      const d = to === 1 ? 1 : -1;
      for (const c of r.cores) {
        const p = pos(n.cores, c);
        if (p >= 0 && this.free[n.off + p] !== to) {
          this.free[n.off + p] = to;
          this.nfree[n.i]! += d;
        }
      }
      for (const g of r.gpus) {
        const p = pos(n.gpus, g);
        if (p >= 0 && this.gfree[n.goff + p] !== to) {
          this.gfree[n.goff + p] = to;
          this.ngfree[n.i]! += d;
        }
      }
      this.count(n, 1);
    }
  }

  take(R: Rv1): void {
    this.mark(R, 0);
  }

  give(R: Rv1): void {
    this.mark(R, 1);
  }

  /** Everything allocated now, as per-rank resources. */
  allocated(): RankResources[] {
    const out: RankResources[] = [];
    for (const n of this.layout.nodes) {
      if (this.nfree[n.i] === n.cores.length && this.ngfree[n.i] === n.gpus.length) continue;
      const cores = n.cores.filter((_, p) => !this.free[n.off + p]);
      const gpus = n.gpus.filter((_, p) => !this.gfree[n.goff + p]);
      if (cores.length + gpus.length > 0) out.push({ rank: n.rank, hostname: n.hostname, cores, gpus });
    }
    return out;
  }
}
