/**
 * Packed directories: a cold directory (an inactive job's, store.ts pack())
 * is kept as one deflated string instead of a tree of Maps and strings.
 *
 * The serialization is binary: a directory is its `made` flag, its number of
 * children and each child as name, kind and payload (a value's JSON text, an
 * eventlog's appends count and text, a link's target, or a directory the same
 * way again); lengths and counts are LEB128 varints. It is compressed
 * (lz.ts, LZ77 in JavaScript: zlib's native churn grew the RSS) against a
 * dictionary: the serialization of an earlier packed directory, so what one
 * job's directory shares with the one before (the same environment in J,
 * the same event names and keys) costs a few bytes. A `true` job's 4 KiB
 * pack into ~260 bytes (docs/notes/rank0-idle-rss.md).
 *
 * Only directories whose serialization is at most PACK_LIMIT bytes are
 * packed, and both ways are synchronous: at most ~0.5 ms of the loop (a
 * larger directory, a job with much output, stays as it is).
 */
import { LzDict, compress, decompress } from './lz';
import { Packed, intern, isDir, isLinkNode, isLogNode, isPacked, type Dir, type Node } from './tree';

/** the largest serialization packed (bytes): compressing it takes ~0.5 ms */
export const PACK_LIMIT = 64 * 1024;
/** a dictionary is at most the deflate window */
const DICT_MAX = 32 * 1024;
/** packs over which the compression is looked at before the dictionary is replaced */
const WINDOW = 64;
/** a window whose packs are on average larger than this part of their input takes a new dictionary */
const POOR = 1 / 4;

const enum Kind {
  Value = 0,
  Log = 1,
  ClosedLog = 2,
  Link = 3,
  Dir = 4,
}

/** the serializer's buffer, kept between calls (a new one each time is native memory until a GC) */
let scratch = Buffer.allocUnsafeSlow(8192);

/** a growable byte buffer (the scratch one: what bytes() returns is valid until the next serialize) */
class Writer {
  buf = scratch;
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = Buffer.allocUnsafeSlow(size);
    this.buf.copy(b, 0, 0, this.len);
    this.buf = scratch = b;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }

  varint(v: number): void {
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  str(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.room(n);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('packed directory: truncated');
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  }

  str(): string {
    const n = this.varint();
    const end = this.pos + n;
    if (end > this.buf.length) throw new Error('packed directory: truncated');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return s;
  }
}

/**
 * The serialization of a directory and everything below it; `count` is the
 * number of values, eventlogs and links in it. A packed directory inside is
 * unpacked into it.
 */
export function serialize(d: Dir, unpack: (p: Packed) => Dir): { bytes: Buffer; count: number } {
  const w = new Writer();
  let count = 0;
  const dir = (d: Dir) => {
    w.byte(d.made ? 1 : 0);
    w.varint(d.size);
    for (const [name, n] of d) {
      w.str(name);
      node(n);
    }
  };
  const node = (n: Node) => {
    if (isPacked(n)) n = unpack(n);
    if (isDir(n)) {
      w.byte(Kind.Dir);
      dir(n);
      return;
    }
    count++;
    if (typeof n === 'string') {
      w.byte(Kind.Value);
      w.str(n);
    } else if (isLinkNode(n)) {
      w.byte(Kind.Link);
      w.str(n.target);
    } else if (isLogNode(n)) {
      w.byte(n.closed ? Kind.ClosedLog : Kind.Log);
      w.varint(n.n);
      w.str(n.text);
    }
  };
  dir(d);
  return { bytes: w.bytes(), count };
}

/** the directory a serialization holds (fresh nodes, names interned) */
export function deserialize(bytes: Buffer): Dir {
  const r = new Reader(bytes);
  const dir = (): Dir => {
    const d: Dir = new Map();
    if (r.byte() === 1) d.made = true;
    for (let i = r.varint(); i > 0; i--) {
      const name = intern(r.str());
      d.set(name, node());
    }
    return d;
  };
  const node = (): Node => {
    const kind = r.byte();
    switch (kind) {
      case Kind.Dir:
        return dir();
      case Kind.Value:
        return r.str();
      case Kind.Link:
        return { target: r.str() };
      case Kind.Log:
      case Kind.ClosedLog: {
        const n = r.varint();
        return { text: r.str(), closed: kind === Kind.ClosedLog, n };
      }
      default:
        throw new Error(`packed directory: unknown node kind ${kind}`);
    }
  };
  const d = dir();
  if (r.pos !== bytes.length) throw new Error('packed directory: trailing bytes');
  return d;
}

/** Packs and unpacks directories, keeping the dictionary it compresses with. */
export class Packer {
  private dict: LzDict | undefined;
  /** the packs of the current window: their inputs' and outputs' bytes */
  private window = { packs: 0, raw: 0, packed: 0 };
  /** packs made, bytes in and out: kvs.stats-get */
  readonly stats = { packs: 0, unpacks: 0, raw: 0, packed: 0, dicts: 0 };

  /** d packed, or undefined when its serialization is over PACK_LIMIT bytes */
  pack(d: Dir): Packed | undefined {
    const { bytes, count } = serialize(d, (p) => this.unpack(p));
    if (bytes.length > PACK_LIMIT) return undefined;
    const dict = this.dictFor(bytes);
    const z = compress(bytes, dict);
    this.stats.packs++;
    this.stats.raw += bytes.length;
    this.stats.packed += z.length;
    this.watch(bytes, z.length);
    return new Packed(z, count, dict);
  }

  /** the directory p holds (fresh nodes: the caller puts it in the tree or reads it) */
  unpack(p: Packed): Dir {
    this.stats.unpacks++;
    return deserialize(decompress(p.data, p.dict.bytes));
  }

  /** the dictionary: the first input's own bytes until there is one */
  private dictFor(bytes: Buffer): LzDict {
    if (!this.dict) this.dict = this.newDict(bytes);
    return this.dict;
  }

  private newDict(bytes: Buffer): LzDict {
    this.stats.dicts++;
    // a copy: the writer's buffer is scratch
    return new LzDict(Buffer.from(bytes.subarray(Math.max(0, bytes.length - DICT_MAX))));
  }

  /** a window of poor packs (the instance's jobs changed): the next packs use this input as their dictionary */
  private watch(bytes: Buffer, packed: number): void {
    const w = this.window;
    w.packs++;
    w.raw += bytes.length;
    w.packed += packed;
    if (w.packs < WINDOW) return;
    if (w.packed > w.raw * POOR) this.dict = this.newDict(bytes);
    this.window = { packs: 0, raw: 0, packed: 0 };
  }
}
