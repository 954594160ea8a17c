/**
 * Drain state (in memory): which ranks are drained, since when and why, with
 * the overwrite / force-overwrite / update modes of `flux resource drain`.
 */
import { Errno, FluxError, idset } from '../../kernel/api';

export interface DrainEntry {
  timestamp: number;
  reason: string;
}

export type DrainMode = 'overwrite' | 'force-overwrite' | 'update' | undefined;

export function plural(ranks: number[]): string {
  return `${ranks.length > 1 ? 'ranks' : 'rank'} ${idset.encode(ranks)}`;
}

export class DrainSet {
  private readonly map = new Map<number, DrainEntry>();

  has(rank: number): boolean {
    return this.map.has(rank);
  }

  ranks(): number[] {
    return [...this.map.keys()].sort((a, b) => a - b);
  }

  drain(ranks: number[], reason: string, mode: DrainMode, now = Date.now() / 1000): void {
    const already = ranks.filter((r) => this.map.has(r));
    if (already.length > 0 && mode === undefined) {
      throw new FluxError(Errno.EEXIST, `${plural(already)} already drained`);
    }
    for (const r of ranks) {
      const old = this.map.get(r);
      if (!old) this.map.set(r, { timestamp: now, reason });
      else if (mode === 'overwrite') this.map.set(r, { timestamp: old.timestamp, reason });
      else if (mode === 'force-overwrite') this.map.set(r, { timestamp: now, reason });
      /* update: keep */
    }
  }

  undrain(ranks: number[], force: boolean): void {
    const not = ranks.filter((r) => !this.map.has(r));
    if (not.length > 0 && !force) throw new FluxError(Errno.EINVAL, `${plural(not)} not drained`);
    for (const r of ranks) this.map.delete(r);
  }

  /** {"<idset>": {timestamp, reason}}, ranks with equal entries grouped. */
  toObject(): Record<string, DrainEntry> {
    const groups = new Map<string, { ranks: number[]; e: DrainEntry }>();
    for (const r of this.ranks()) {
      const e = this.map.get(r)!;
      const k = `${e.timestamp}\u0000${e.reason}`;
      const g = groups.get(k);
      if (g) g.ranks.push(r);
      else groups.set(k, { ranks: [r], e });
    }
    const out: Record<string, DrainEntry> = {};
    for (const g of groups.values()) out[idset.encode(g.ranks)] = g.e;
    return out;
  }
}
