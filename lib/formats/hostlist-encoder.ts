/**
 * flux-core's hostlist encoder, fed one host (or one bracket range) at a
 * time: order kept, adjacent hosts with one prefix and numeric ends merge into
 * `prefix[ranges]`, duplicates kept ("vm,vm,vm" stays as is). Fed a range,
 * it extends the open run in one step where that is what host by host would
 * give, so `n[1-2000000]` compresses without making two million names.
 */
import type { Segment } from './hostlist';

/** prefix and trailing digits of a host name (digits undefined: no numeric end) */
export function splitHost(h: string): { prefix: string; digits?: string } {
  const m = /^(.*?)([0-9]+)$/.exec(h);
  return m ? { prefix: m[1]!, digits: m[2]! } : { prefix: h };
}

const padded = (d: string): boolean => d.length > 1 && d.charCodeAt(0) === 48;

/** Two ids may share a range when neither is zero-padded or both have one width. */
function sameWidth(a: string, b: string): boolean {
  if (!padded(a) && !padded(b)) return true;
  return a.length === b.length;
}

export class HostlistEncoder {
  private readonly out: string[] = [];
  /** the open group: hosts with this prefix and a numeric end */
  private prefix: string | undefined;
  private count = 0;
  private readonly parts: string[] = [];
  /** the group's open run: its first id (as written) and its last */
  private runStart = '';
  private runEnd = '';
  private runEndNum = 0;

  /** Add one host. */
  push(host: string): void {
    const p = splitHost(host);
    if (p.digits === undefined) {
      this.closeGroup();
      this.out.push(host);
      return;
    }
    this.pushId(p.prefix, p.digits);
  }

  /** Add every host of a hostlist piece, in order. */
  pushSegment(g: Segment): void {
    if ('host' in g) {
      this.push(g.host);
      return;
    }
    const first = String(g.lo).padStart(g.width, '0');
    // the hosts split as (prefix, lo..hi) only when the prefix ends in no digit and nothing follows the number;
    // and they extend one run in one step only when none is zero-padded (then every width may share a run)
    const plain = g.suffix === '' && !/[0-9]$/.test(g.prefix) && !padded(first) && (this.count === 0 || this.prefix !== g.prefix || !padded(this.runStart));
    if (!plain) {
      for (let i = 0; i <= g.hi - g.lo; i++) this.push(g.prefix + String(g.lo + i).padStart(g.width, '0') + g.suffix);
      return;
    }
    this.pushId(g.prefix, first);
    if (g.hi === g.lo) return;
    // the rest continue the run pushId left open (ids lo+1..hi, consecutive and unpadded)
    this.count += g.hi - g.lo;
    this.runEndNum = g.hi;
    this.runEnd = String(g.hi);
  }

  /** The hostlist string of everything pushed. */
  finish(): string {
    this.closeGroup();
    return this.out.join(',');
  }

  private pushId(prefix: string, digits: string): void {
    if (this.count > 0 && prefix === this.prefix) {
      const n = Number(digits);
      if (n === this.runEndNum + 1 && sameWidth(this.runStart, digits)) {
        this.runEnd = digits;
        this.runEndNum = n;
      } else {
        this.closeRun();
        this.openRun(digits);
      }
      this.count++;
      return;
    }
    this.closeGroup();
    this.prefix = prefix;
    this.count = 1;
    this.openRun(digits);
  }

  private openRun(digits: string): void {
    this.runStart = digits;
    this.runEnd = digits;
    this.runEndNum = Number(digits);
  }

  private closeRun(): void {
    this.parts.push(this.runStart === this.runEnd ? this.runStart : `${this.runStart}-${this.runEnd}`);
  }

  private closeGroup(): void {
    if (this.count === 0) return;
    if (this.count === 1) this.out.push(this.prefix! + this.runStart);
    else {
      this.closeRun();
      this.out.push(`${this.prefix!}[${this.parts.join(',')}]`);
    }
    this.parts.length = 0;
    this.count = 0;
    this.prefix = undefined;
  }
}
