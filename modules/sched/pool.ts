/**
 * ResourcePool: per-rank free cores and gpus, the down (drained or offline)
 * ranks, and the matching that every policy shares: exclusive nodes, N nodes
 * with slots each, or slots anywhere (first fit in the chosen rank order).
 */
import { constraintHosts, hostlist, idset, matchConstraint, rv1Build, rv1Expand, type RankResources, type Rv1 } from '../../kernel/api';
import type { NodeOrder, ResourcePool, ResourceRequest } from './plugin-api';

interface Node {
  rank: number;
  hostname: string;
  cores: number[];
  gpus: number[];
  properties: string[];
  freeCores: Set<number>;
  freeGpus: Set<number>;
}

export class Pool implements ResourcePool {
  private readonly nodes = new Map<number, Node>();
  private readonly downSet: Set<number>;

  constructor(all: readonly RankResources[], down: Iterable<number> = []) {
    for (const r of all) {
      this.nodes.set(r.rank, {
        rank: r.rank,
        hostname: r.hostname,
        cores: [...r.cores],
        gpus: [...r.gpus],
        properties: [...(r.properties ?? [])],
        freeCores: new Set(r.cores),
        freeGpus: new Set(r.gpus),
      });
    }
    this.downSet = new Set(down);
  }

  static fromR(R: Rv1, down: Iterable<number> = []): Pool {
    return new Pool(rv1Expand(R), down);
  }

  get ranks(): number[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  /** every core of the pool (down ranks too) */
  totalCores(): number {
    let n = 0;
    for (const node of this.nodes.values()) n += node.cores.length;
    return n;
  }

  setDown(down: Iterable<number>): void {
    this.downSet.clear();
    for (const r of down) this.downSet.add(r);
  }

  clone(): Pool {
    const p = new Pool([], this.downSet);
    for (const n of this.nodes.values()) {
      p.nodes.set(n.rank, { ...n, freeCores: new Set(n.freeCores), freeGpus: new Set(n.freeGpus) });
    }
    return p;
  }

  private slotsOn(cores: number, gpus: number, req: ResourceRequest): number {
    const byCores = Math.floor(cores / req.coresPerSlot);
    const byGpus = req.gpusPerSlot > 0 ? Math.floor(gpus / req.gpusPerSlot) : Infinity;
    return Math.min(byCores, byGpus);
  }

  /** The nodes a request may use: all of them, or those its constraint (RFC 31) allows. */
  private allowed(req: ResourceRequest): Node[] {
    const all = [...this.nodes.values()];
    const c = req.constraint;
    return c ? all.filter((n) => matchConstraint(c, n)) : all;
  }

  infeasible(req: ResourceRequest): string | undefined {
    if (req.constraint) {
      const known = new Set([...this.nodes.values()].map((n) => n.hostname));
      const unknown = [...new Set(constraintHosts(req.constraint))].filter((h) => !known.has(h));
      if (unknown.length > 0) return `host constraint contains invalid hosts: host '${unknown[0]}' not found`;
    }
    const all = this.allowed(req);
    const shape = `${req.coresPerSlot} core(s)${req.gpusPerSlot > 0 ? ` and ${req.gpusPerSlot} gpu(s)` : ''}`;
    if (req.nnodes !== undefined) {
      const spn = Math.ceil(req.nslots / req.nnodes);
      const eligible = all.filter((n) => this.slotsOn(n.cores.length, n.gpus.length, req) >= spn).length;
      if (eligible < req.nnodes) {
        return `unsatisfiable request: need ${req.nnodes}${req.exclusive ? ' exclusive' : ''} node(s), only ${eligible} eligible`;
      }
      return undefined;
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

  /**
   * Why a feasible request cannot start while some ranks are down (drained,
   * offline or torpid): it needs more than the up ranks have even when all is
   * free. undefined when the up ranks could hold it (it waits for running jobs).
   */
  waitsForDown(req: ResourceRequest): string | undefined {
    const allowed = this.allowed(req);
    const down = allowed.filter((n) => this.downSet.has(n.rank)).sort((a, b) => a.rank - b.rank);
    if (down.length === 0) return undefined;
    const up = allowed.filter((n) => !this.downSet.has(n.rank));
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
    const hosts = hostlist.compress(down.map((n) => n.hostname));
    return `${need}; ${down.length} node(s) down: ${hosts} (rank ${idset.encode(down.map((n) => n.rank))})`;
  }

  private eligible(order: NodeOrder, req: ResourceRequest): Node[] {
    const up = this.allowed(req).filter((n) => !this.downSet.has(n.rank));
    up.sort((a, b) => (order === 'low' ? a.rank - b.rank : b.rank - a.rank));
    return up;
  }

  private pick(n: Node, slots: number, req: ResourceRequest): RankResources {
    const cores = [...n.freeCores].sort((a, b) => a - b).slice(0, slots * req.coresPerSlot);
    const gpus = [...n.freeGpus].sort((a, b) => a - b).slice(0, slots * req.gpusPerSlot);
    return { rank: n.rank, hostname: n.hostname, cores, gpus };
  }


  match(req: ResourceRequest, order: NodeOrder = 'low'): Rv1 | undefined {
    const picked: RankResources[] = [];
    if (req.nnodes !== undefined) {
      const spn = Math.ceil(req.nslots / req.nnodes);
      for (const n of this.eligible(order, req)) {
        if (picked.length === req.nnodes) break;
        if (req.exclusive) {
          const whole = n.freeCores.size === n.cores.length && n.freeGpus.size === n.gpus.length;
          if (whole && this.slotsOn(n.cores.length, n.gpus.length, req) >= spn) {
            picked.push({ rank: n.rank, hostname: n.hostname, cores: [...n.cores], gpus: [...n.gpus] });
          }
        } else if (this.slotsOn(n.freeCores.size, n.freeGpus.size, req) >= spn) {
          picked.push(this.pick(n, spn, req));
        }
      }
      if (picked.length < req.nnodes) return undefined;
    } else {
      let need = req.nslots;
      for (const n of this.eligible(order, req)) {
        if (need === 0) break;
        const k = Math.min(need, this.slotsOn(n.freeCores.size, n.freeGpus.size, req));
        if (k > 0) {
          picked.push(this.pick(n, k, req));
          need -= k;
        }
      }
      if (need > 0) return undefined;
    }
    return rv1Build(picked, { nslots: req.nslots });
  }

  take(R: Rv1): void {
    for (const r of rv1Expand(R)) {
      const n = this.nodes.get(r.rank);
      if (!n) continue;
      for (const c of r.cores) n.freeCores.delete(c);
      for (const g of r.gpus) n.freeGpus.delete(g);
    }
  }

  give(R: Rv1): void {
    for (const r of rv1Expand(R)) {
      const n = this.nodes.get(r.rank);
      if (!n) continue;
      for (const c of r.cores) if (n.cores.includes(c)) n.freeCores.add(c);
      for (const g of r.gpus) if (n.gpus.includes(g)) n.freeGpus.add(g);
    }
  }

  /** Everything allocated now, as per-rank resources. */
  allocated(): RankResources[] {
    const out: RankResources[] = [];
    for (const n of this.nodes.values()) {
      const cores = n.cores.filter((c) => !n.freeCores.has(c));
      const gpus = n.gpus.filter((g) => !n.freeGpus.has(g));
      if (cores.length + gpus.length > 0) out.push({ rank: n.rank, hostname: n.hostname, cores, gpus });
    }
    return out.sort((a, b) => a.rank - b.rank);
  }
}
