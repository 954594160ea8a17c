/**
 * A small LZ77 compressor against a dictionary, in JavaScript (pack.ts).
 *
 * Why not zlib: node's one-shot zlib calls each make and drop a native
 * stream whose memory is given back only after a GC, and glibc keeps what
 * that churn touched: packing a few thousand directories grew rank 0's RSS
 * by ~40 MiB that never went back (docs/notes/rank0-idle-rss.md). This one
 * allocates nothing native, and what a job's directory shares with the
 * dictionary (an earlier job's) is the bulk of it.
 *
 * The output is a list of sequences: varint literal length, the literals,
 * varint match length (0: the end), varint distance back from the current
 * position, counted over the dictionary followed by the output. Matches are
 * at least MIN_MATCH bytes; candidates come from a hash of 4 bytes with
 * chains of earlier positions, up to TRIES a position.
 */

const MIN_MATCH = 4;
const HASH_BITS = 14;
const TRIES = 8;
const MAX_MATCH = 0xffff;

const hash4 = (b: Uint8Array, i: number): number => (Math.imul(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24), 0x9e3779b1) >>> (32 - HASH_BITS));

/** a dictionary with its positions hashed (made once, used for every compress) */
export class LzDict {
  /** last position (+1) of each hash in the dictionary */
  readonly head = new Int32Array(1 << HASH_BITS);
  /** the previous position (+1) with the same hash, per position */
  readonly prev: Int32Array;

  constructor(readonly bytes: Uint8Array) {
    this.prev = new Int32Array(bytes.length);
    for (let i = 0; i + MIN_MATCH <= bytes.length; i++) {
      const h = hash4(bytes, i);
      this.prev[i] = this.head[h]!;
      this.head[h] = i + 1;
    }
  }
}

/**
 * Scratch space kept between calls: a typed array per call is native memory
 * given back only at a GC (the churn this file exists to avoid).
 */
const scratch = {
  /** src's hash heads: a position p of this call is stored as base + p + 1 (older entries are below base) */
  head: new Int32Array(1 << HASH_BITS),
  base: 0,
  prev: new Int32Array(4096),
  out: Buffer.allocUnsafeSlow(8192),
};

/** the output buffer, kept between calls (grown as needed) */
class Out {
  buf = scratch.out;
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(b, 0, 0, this.len);
    this.buf = scratch.out = b;
  }
  varint(v: number): void {
    this.room(5);
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.len++] = v;
  }
  copy(src: Uint8Array, from: number, to: number): void {
    this.room(to - from);
    this.buf.set(src.subarray(from, to), this.len);
    this.len += to - from;
  }
}

/**
 * src compressed against dict, as a latin1 string (one char a byte: what
 * V8 keeps most compactly)
 */
export function compress(src: Uint8Array, dict: LzDict): string {
  const d = dict.bytes;
  const D = d.length;
  const out = new Out();
  const head = scratch.head;
  if (scratch.base + src.length + 1 >= 0x7fffffff) {
    head.fill(0);
    scratch.base = 0;
  }
  const base = scratch.base;
  scratch.base += src.length + 1;
  if (scratch.prev.length < src.length) scratch.prev = new Int32Array(src.length * 2);
  const prev = scratch.prev;
  let lit = 0;
  let i = 0;
  // positions in src hashed so far, stored as base + p + 1
  const insert = (p: number) => {
    const h = hash4(src, p);
    const was = head[h]!;
    prev[p] = was > base ? was - base : 0;
    head[h] = base + p + 1;
  };
  while (i + MIN_MATCH <= src.length) {
    const h = hash4(src, i);
    let bestLen = 0;
    let bestDist = 0;
    let tries = TRIES;
    // in src first (nearer), then in the dictionary
    const first = head[h]!;
    for (let c = first > base ? first - base : 0; c > 0 && tries > 0; c = prev[c - 1]!, tries--) {
      const p = c - 1;
      let n = 0;
      while (i + n < src.length && n < MAX_MATCH && src[p + n] === src[i + n]) n++;
      if (n > bestLen) {
        bestLen = n;
        bestDist = i - p;
      }
    }
    for (let c = dict.head[h]!; c > 0 && tries > 0; c = dict.prev[c - 1]!, tries--) {
      const p = c - 1;
      let n = 0;
      while (i + n < src.length && p + n < D && n < MAX_MATCH && d[p + n] === src[i + n]) n++;
      if (n > bestLen) {
        bestLen = n;
        bestDist = i + D - p;
      }
    }
    if (bestLen >= MIN_MATCH) {
      out.varint(i - lit);
      out.copy(src, lit, i);
      out.varint(bestLen);
      out.varint(bestDist);
      const end = i + bestLen;
      // the positions inside a match are not hashed (faster; later matches rarely start there)
      for (const stop = Math.min(end, i + 4, src.length - MIN_MATCH + 1); i < stop; i++) insert(i);
      i = end;
      lit = i;
    } else {
      insert(i);
      i++;
    }
  }
  out.varint(src.length - lit);
  out.copy(src, lit, src.length);
  out.varint(0);
  return out.buf.toString('latin1', 0, out.len);
}

/** the input of decompress(), kept between calls */
let inBuf = Buffer.allocUnsafeSlow(1024);
/** decompress()'s output, kept between calls: valid until the next call */
let outBuf = Buffer.allocUnsafeSlow(8192);

/**
 * What compress() made of zs with dict. The bytes are scratch space: valid
 * until the next call.
 */
export function decompress(zs: string, dict: Uint8Array): Buffer {
  if (inBuf.length < zs.length) inBuf = Buffer.allocUnsafeSlow(zs.length * 2);
  const zlen = inBuf.write(zs, 0, 'latin1');
  const z = inBuf.subarray(0, zlen);
  let out = outBuf;
  let o = 0;
  let i = 0;
  const D = dict.length;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (i >= z.length) throw new Error('packed directory: truncated');
      const b = z[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  const room = (n: number) => {
    if (o + n <= out.length) return;
    const b = Buffer.allocUnsafeSlow(Math.max(out.length * 2, o + n));
    out.copy(b, 0, 0, o);
    out = outBuf = b;
  };
  for (;;) {
    const nlit = varint();
    if (i + nlit > z.length) throw new Error('packed directory: truncated');
    room(nlit);
    out.set(z.subarray(i, i + nlit), o);
    o += nlit;
    i += nlit;
    const len = varint();
    if (len === 0) break;
    const dist = varint();
    if (dist === 0 || dist > o + D) throw new Error('packed directory: bad distance');
    room(len);
    let from = o - dist;
    if (from < 0) {
      // from the dictionary, then on into the output
      const n = Math.min(len, -from);
      out.set(dict.subarray(D + from, D + from + n), o);
      o += n;
      from += n;
      for (let k = n; k < len; k++) out[o++] = out[from++]!;
    } else if (dist >= len) {
      out.copyWithin(o, from, from + len);
      o += len;
    } else {
      for (let k = 0; k < len; k++) out[o++] = out[from++]!;
    }
  }
  if (i !== z.length) throw new Error('packed directory: trailing bytes');
  return out.subarray(0, o);
}
