/**
 * Hostlists kept as ranges (RFC 29): count them, pick hosts by index and walk
 * them in order without holding every name, so `n[1-2000000]` can be counted
 * indexed or compressed past the bound on expanded lists (hostlist.MAX_HOSTS).
 */
import { segmentHost, segments, type Segment } from './hostlist';
import { HostlistEncoder } from './hostlist-encoder';

const size = (g: Segment): number => ('host' in g ? 1 : g.hi - g.lo + 1);

/** how many hosts a hostlist names (duplicates counted) */
export function countHosts(s: string): number {
  return segments(s).reduce((n, g) => n + size(g), 0);
}

/** a hostlist's pieces with where each starts, for picking by index */
export class HostRanges {
  private readonly segs: Segment[];
  private readonly starts: number[] = [];
  readonly length: number;

  constructor(lists: readonly string[]) {
    this.segs = lists.flatMap((s) => segments(s));
    let n = 0;
    for (const g of this.segs) {
      this.starts.push(n);
      n += size(g);
    }
    this.length = n;
  }

  /** the hosts as one hostlist string, as hostlist.compress() of them all would be */
  compress(): string {
    const enc = new HostlistEncoder();
    for (const g of this.segs) enc.pushSegment(g);
    return enc.finish();
  }

  /** the host at index i (0 <= i < length) */
  at(i: number): string {
    let lo = 0;
    let hi = this.segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    const g = this.segs[lo]!;
    return 'host' in g ? g.host : segmentHost(g, i - this.starts[lo]!);
  }

  /** the hosts in order, in batches of at most `batch` */
  *batches(batch: number): Generator<string[]> {
    let cur: string[] = [];
    for (const g of this.segs) {
      const n = size(g);
      for (let i = 0; i < n; i++) {
        cur.push('host' in g ? g.host : segmentHost(g, i));
        if (cur.length >= batch) {
          yield cur;
          cur = [];
        }
      }
    }
    if (cur.length > 0) yield cur;
  }
}
