/**
 * Random (version 4) UUIDs, as node:crypto's randomUUID() makes them, from a
 * pool of 4 KiB read from /dev/urandom (256 UUIDs a read). The broker names
 * itself, each client connection and each handle with one; taking them from
 * node:crypto loaded all of Node's crypto modules into every broker at start
 * for that alone (~0.3 MiB resident, issue 13). Where /dev/urandom cannot be
 * read, node:crypto makes them after all.
 */
import * as fs from 'node:fs';
import type * as Crypto from 'node:crypto';

const POOL = 4096;
let pool: Buffer | undefined;
let at = POOL;

/** two hex digits of each byte value */
const HEX = Array.from({ length: 256 }, (_, i) => (i + 0x100).toString(16).slice(1));

/** fill the pool from /dev/urandom; false when it cannot be read */
function refill(): boolean {
  const buf = (pool ??= Buffer.allocUnsafe(POOL));
  try {
    const fd = fs.openSync('/dev/urandom', 'r');
    try {
      for (let n = 0; n < POOL; ) {
        const got = fs.readSync(fd, buf, n, POOL - n, null);
        if (got <= 0) return false;
        n += got;
      }
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
  at = 0;
  return true;
}

export function randomUUID(): string {
  if (at + 16 > POOL && !refill()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('node:crypto') as typeof Crypto).randomUUID();
  }
  const b = pool!;
  const i = at;
  at += 16;
  const h = (k: number) => HEX[b[i + k]!]!;
  // version 4 (bits 12-15 of time_hi), variant 10 (bits 6-7 of clock_seq)
  const v = HEX[(b[i + 6]! & 0x0f) | 0x40]!;
  const r = HEX[(b[i + 8]! & 0x3f) | 0x80]!;
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${v}${h(7)}-${r}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

/**
 * Drop what is left of the pool: a process forked from one that had read it
 * (the broker zygote, cli/broker-zygote.ts) would otherwise hand out the same
 * UUIDs as its siblings.
 */
export function forgetPool(): void {
  at = POOL;
}
