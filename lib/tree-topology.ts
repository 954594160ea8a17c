/**
 * TBON topology (broker.md §3): the tree shape named by `tbon.topo` (kary:K,
 * binomial, mincrit[:K]) as a parent table, with the derived facts the broker
 * publishes as attributes (level, maxlevel, descendants, critical ranks) and the
 * next hop toward a rank in a subtree.
 */

export class TopologyError extends Error {}

export class Topology {
  /** parent[r] for r > 0; parent[0] = -1 */
  readonly parent: Int32Array;
  private readonly kids: number[][];

  constructor(parent: Int32Array) {
    this.parent = parent;
    this.kids = Array.from({ length: parent.length }, () => []);
    for (let r = 1; r < parent.length; r++) this.kids[parent[r]!]!.push(r);
  }

  get size(): number {
    return this.parent.length;
  }

  parentOf(rank: number): number | undefined {
    const p = this.parent[rank];
    return p === undefined || p < 0 ? undefined : p;
  }

  children(rank: number): readonly number[] {
    return this.kids[rank] ?? [];
  }

  level(rank: number): number {
    let n = 0;
    for (let r = rank; r > 0; r = this.parent[r]!) n++;
    return n;
  }

  /** the depth of the tree (computed once: every broker of a process may ask) */
  maxLevel(): number {
    if (this.depth === undefined) {
      let m = 0;
      for (let r = 0; r < this.size; r++) m = Math.max(m, this.level(r));
      this.depth = m;
    }
    return this.depth;
  }
  private depth: number | undefined;

  /** subtree size excluding the rank itself */
  descendants(rank: number): number {
    let n = 0;
    const stack = [...this.children(rank)];
    while (stack.length > 0) {
      const r = stack.pop()!;
      n++;
      stack.push(...this.children(r));
    }
    return n;
  }

  /** every rank below `rank`, pre-order */
  subtree(rank: number): number[] {
    const out: number[] = [];
    const walk = (r: number) => {
      for (const c of this.children(r)) {
        out.push(c);
        walk(c);
      }
    };
    walk(rank);
    return out;
  }

  /** the child of `from` on the way down to `to`, or undefined if `to` is not below `from` */
  childToward(from: number, to: number): number | undefined {
    if (to < 0 || to >= this.size || to === from) return undefined;
    let r = to;
    while (r > 0) {
      const p = this.parent[r]!;
      if (p === from) return r;
      r = p;
    }
    return undefined;
  }

  /** rank 0 plus every rank that has children */
  criticalRanks(): number[] {
    if (this.critical === undefined) {
      this.critical = [0];
      for (let r = 1; r < this.size; r++) if (this.children(r).length > 0) this.critical.push(r);
    }
    return this.critical.slice();
  }
  private critical: number[] | undefined;
}

function kary(size: number, k: number): Int32Array {
  const p = new Int32Array(size);
  p[0] = -1;
  for (let i = 1; i < size; i++) p[i] = k === 0 ? 0 : Math.floor((i - 1) / k);
  return p;
}

function binomial(size: number): Int32Array {
  const p = new Int32Array(size).fill(-1);
  let order = 0;
  while (1 << order < size) order++;
  const walk = (r: number, ord: number) => {
    for (let j = 0; j < ord; j++) {
      const c = r + (1 << j);
      if (c < size) {
        p[c] = r;
        walk(c, j);
      }
    }
  };
  walk(0, order);
  return p;
}

function mincrit(size: number, k: number | undefined): Int32Array {
  let routers = k;
  if (routers === undefined) {
    routers = 0;
    if (size > 1025) {
      routers = 2;
      while (Math.ceil((size - 1 - routers) / routers) > 1024) routers++;
    }
  }
  const p = new Int32Array(size);
  p[0] = -1;
  for (let i = 1; i < size; i++) {
    p[i] = routers === 0 || i <= routers ? 0 : ((i - routers - 1) % routers) + 1;
  }
  return p;
}

/** Build the tree named by a `tbon.topo` value for `size` ranks. */
export function makeTopology(uri: string, size: number): Topology {
  if (!Number.isInteger(size) || size < 1) throw new TopologyError(`invalid size ${size}`);
  const colon = uri.indexOf(':');
  const scheme = colon < 0 ? uri : uri.slice(0, colon);
  const arg = colon < 0 ? undefined : uri.slice(colon + 1);
  const num = (): number | undefined => {
    if (arg === undefined) return undefined;
    if (!/^\d+$/.test(arg)) throw new TopologyError(`invalid ${scheme} argument '${arg}'`);
    return Number(arg);
  };
  switch (scheme) {
    case 'kary': {
      const k = num();
      if (k === undefined) throw new TopologyError(`kary topology requires a fanout, e.g. kary:2`);
      return new Topology(kary(size, k));
    }
    case 'binomial':
      if (arg !== undefined) throw new TopologyError(`binomial topology takes no argument`);
      return new Topology(binomial(size));
    case 'mincrit':
      return new Topology(mincrit(size, num()));
    case 'custom':
      // PMI boot has no [bootstrap] hosts to take parents from: flat.
      return new Topology(kary(size, 0));
    default:
      throw new TopologyError(`unknown topology scheme '${scheme}'`);
  }
}

export const DEFAULT_TOPO = 'kary:32';
