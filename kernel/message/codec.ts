/**
 * Wire codec: a Message <-> bytes with avsc (kernel/message/envelope.avsc), and
 * length-prefixed framing for stream sockets. A frame is a 4-byte big-endian
 * length followed by that many bytes. The length is checked against a maximum
 * before anything is allocated, so a peer cannot make us reserve memory it merely
 * promised; anything that does not decode is a protocol error (EPROTO).
 */
import type * as avro from 'avsc';

// Only avsc's type system is needed; its index also loads files, containers and
// services, which doubles the load time of every `flux` command.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Type } = require('avsc/lib/types') as { Type: typeof avro.Type };
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { MAX_FRAME } from './limits';
import { jsonDepthExceeds } from '../../lib/json-depth';
import { typeName, type Message, type MsgTypeValue } from './message';

export const PROTO_VERSION = 1;
export { MAX_FRAME } from './limits';

/** The envelope's fields before the payload (the payload is its last field). */
interface WireHead {
  version: number;
  type: number;
  flags: number;
  topic: string;
  nodeid: number;
  matchtag: number;
  route: string[];
  userid: number;
  rolemask: number;
  errnum: number;
  errstr: string | null;
}

interface EnvelopeSchema {
  fields: Array<{ name: string; type: unknown }>;
}

function loadSchema(): EnvelopeSchema {
  // The .avsc lives beside the TypeScript source; dist/ mirrors the tree.
  const candidates = [
    path.join(__dirname, 'envelope.avsc'),
    path.join(__dirname, '..', '..', '..', 'kernel', 'message', 'envelope.avsc'),
  ];
  for (const c of candidates) {
    if (fs.existsSync(c)) return JSON.parse(fs.readFileSync(c, 'utf8')) as EnvelopeSchema;
  }
  throw new Error('envelope.avsc not found');
}

/**
 * N.B. avsc writes and reads every field but the last; the payload (last, a
 * ["null","bytes"] union) is written and read here, so its bytes are never
 * copied: Avro encodes a record as its fields in order, and the union as a
 * branch index then a length-prefixed byte string, so the bytes are the same
 * as avsc's for the whole envelope (test/unit/kernel/message/codec.test.ts).
 */
const envelopeHead = ((): avro.Type => {
  const schema = loadSchema();
  const last = schema.fields[schema.fields.length - 1];
  if (last?.name !== 'payload' || JSON.stringify(last.type) !== '["null","bytes"]') {
    throw new Error('envelope.avsc: the last field must be payload: ["null","bytes"]');
  }
  return Type.forSchema({ ...schema, name: 'EnvelopeHead', fields: schema.fields.slice(0, -1) } as avro.Schema);
})();
const VALID_TYPES = new Set([1, 2, 4, 8]);

/** Avro's long: zigzag then base-128 varint (little end first). */
function avroLong(v: number): number[] {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
  return out;
}

/**
 * A payload already encoded as JSON, sent as it is: the copies of a bulk
 * submission are stringified once, not once a copy (cli/jobspec/copies.ts).
 * Meant for requests a client writes to a socket; a module's handle that is
 * given one decodes it (kernel/router/local-handle.ts), as modules in
 * process hand payloads over as values.
 */
export class JsonBytes {
  constructor(readonly bytes: Buffer) {}
}

/** The JSON bytes of a payload; a value JSON cannot represent is EPROTO. */
function payloadBytes(m: Message): Buffer | undefined {
  if (m.payload === undefined) return undefined;
  if (m.payload instanceof JsonBytes) return m.payload.bytes;
  let text: string | undefined;
  try {
    text = JSON.stringify(m.payload);
  } catch (e) {
    // RangeError (nested too deep for the encoder), TypeError (cycle, BigInt)
    throw new FluxError(Errno.EPROTO, `${m.topic}: payload cannot be encoded: ${(e as Error).message}`);
  }
  if (text === undefined) throw new FluxError(Errno.EPROTO, `${m.topic}: payload cannot be encoded as JSON`);
  return Buffer.from(text);
}

/**
 * Encode a message body (no frame header) as parts to be written in order: the
 * envelope's head and, when there is one, the payload's bytes. Throws
 * FluxError(EPROTO) when the payload cannot be encoded.
 */
export function encodeMessageParts(m: Message): Buffer[] {
  const w: WireHead = {
    version: PROTO_VERSION,
    type: m.type,
    flags: m.flags,
    topic: m.topic,
    nodeid: m.nodeid,
    matchtag: m.matchtag,
    route: m.route,
    userid: m.userid,
    rolemask: m.rolemask,
    errnum: m.errnum,
    errstr: m.errstr ?? null,
  };
  const payload = payloadBytes(m);
  const head = envelopeHead.toBuffer(w);
  if (payload === undefined) return [Buffer.concat([head, Buffer.from([0])])];
  return [Buffer.concat([head, Buffer.from([2, ...avroLong(payload.length)])]), payload];
}

/** Encode a message body (no frame header). */
export function encodeMessage(m: Message): Buffer {
  const parts = encodeMessageParts(m);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** avsc's own reader: the guard below must parse exactly as the decoder will. */
interface AvroTap {
  pos: number;
  isValid(): boolean;
  readLong(): number;
  skipLong(): void;
  skipString(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tap } = require('avsc/lib/utils') as { Tap: new (buf: Buffer) => AvroTap };

/**
 * N.B. avsc reads an array by trusting its block count (it sizes and fills an
 * Array of that many items before noticing the buffer ran out), so 20 bytes
 * claiming 2^50 route entries would exhaust the heap. Walk the fields up to and
 * through the route first, with avsc's own reader (so an over-long varint is
 * read the same way: as a huge number), and refuse counts the bytes cannot hold.
 */
function routeTooLong(buf: Buffer): boolean {
  const tap = new Tap(buf);
  tap.skipLong(); // version
  tap.skipLong(); // type
  tap.skipLong(); // flags
  tap.skipString(); // topic
  tap.skipLong(); // nodeid
  tap.skipLong(); // matchtag
  for (;;) {
    // N.B. avsc loops over a count even when reading it ran past the end of the
    // buffer, so "past the end" is no reason to wave a count through.
    let n = tap.readLong();
    if (n === 0) return false;
    if (n < 0) {
      n = -n;
      tap.skipLong();
    }
    // every item takes at least its one-byte length (NaN and huge floats fail too)
    if (!(n <= buf.length - tap.pos)) return true;
    for (let i = 0; i < n; i++) {
      tap.skipString();
      if (!tap.isValid()) return false;
    }
  }
}

/** What a decoder checks beyond the envelope's shape. */
export interface DecodeLimits {
  /** deepest nesting of the payload's arrays and objects (default: unchecked) */
  maxDepth?: number;
}

/**
 * The envelope decoded but its payload refused (not JSON, nested too deep):
 * `head` is the message without its payload, so a request can be answered.
 */
export class PayloadError extends FluxError {
  constructor(
    readonly head: Message,
    text: string,
  ) {
    super(Errno.EPROTO, text);
  }
}

/** Decode a message body; throws FluxError(EPROTO) on anything malformed. */
export function decodeMessage(buf: Buffer, limits: DecodeLimits = {}): Message {
  if (routeTooLong(buf)) throw new FluxError(Errno.EPROTO, 'malformed message: route count exceeds the message size');
  let w: WireHead;
  let payload: Buffer | null;
  try {
    const r = envelopeHead.decode(buf, 0) as { value: WireHead | undefined; offset: number };
    if (r.value === undefined || r.offset < 0) throw new Error('truncated buffer');
    w = r.value;
    payload = readPayload(buf, r.offset);
  } catch (e) {
    throw new FluxError(Errno.EPROTO, `malformed message: ${(e as Error).message}`);
  }
  if (w.version !== PROTO_VERSION) {
    throw new FluxError(Errno.EPROTO, `protocol version mismatch: got ${w.version}, expected ${PROTO_VERSION}`);
  }
  if (!VALID_TYPES.has(w.type)) throw new FluxError(Errno.EPROTO, `malformed message: bad type ${w.type}`);
  const m: Message = {
    type: w.type as MsgTypeValue,
    flags: w.flags,
    topic: w.topic,
    nodeid: w.nodeid,
    matchtag: w.matchtag,
    route: w.route,
    userid: w.userid,
    rolemask: w.rolemask,
    errnum: w.errnum,
    payload: undefined,
  };
  if (w.errstr !== null) m.errstr = w.errstr;
  if (payload !== null) {
    const malformed = `${m.topic}: malformed ${typeName(m.type)}`;
    if (limits.maxDepth !== undefined && jsonDepthExceeds(payload, limits.maxDepth)) {
      throw new PayloadError(m, `${malformed}: payload nested deeper than ${limits.maxDepth} levels`);
    }
    try {
      m.payload = JSON.parse(payload.toString('utf8'));
    } catch {
      throw new PayloadError(m, `${malformed}: payload is not JSON`);
    }
  }
  return m;
}

/** The payload union at `pos`, the envelope's last field: null or a view of its bytes. */
function readPayload(buf: Buffer, pos: number): Buffer | null {
  const tap = new Tap(buf);
  tap.pos = pos;
  const branch = tap.readLong();
  let out: Buffer | null = null;
  if (branch === 1) {
    const len = tap.readLong();
    if (!(len >= 0) || tap.pos + len > buf.length) throw new Error('truncated buffer');
    out = buf.subarray(tap.pos, tap.pos + len);
    tap.pos += len;
  } else if (branch !== 0) {
    throw new Error(`invalid union index: ${branch}`);
  }
  if (!tap.isValid()) throw new Error('truncated buffer');
  if (tap.pos !== buf.length) throw new Error('trailing data');
  return out;
}

/** Encode a message as one frame (length prefix + body). */
export function encodeFrame(m: Message): Buffer {
  return Buffer.concat(encodeFrameParts(m));
}

/**
 * Encode a message as one frame, in parts to be written in order (the
 * payload's bytes are not copied into one buffer).
 */
export function encodeFrameParts(m: Message): Buffer[] {
  const parts = encodeMessageParts(m);
  let len = 0;
  for (const p of parts) len += p.length;
  const hdr = Buffer.allocUnsafe(4);
  hdr.writeUInt32BE(len, 0);
  return [Buffer.concat([hdr, parts[0]!]), ...parts.slice(1)];
}

/** Total length of a list of parts. */
export function partsLength(parts: readonly Buffer[]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

/**
 * Splits a byte stream into frames. push() returns complete frame bodies; a length
 * over the maximum throws EMSGSIZE before the body is buffered. A body that
 * arrives whole within one chunk is returned as a view of it; one that spans
 * chunks is assembled in a buffer of its declared size, allocated only when its
 * second piece arrives (so a length merely promised costs nothing, and a
 * reader that gates large frames — kernel/connector — allocates only once
 * it has admitted one).
 */
export class FrameReader {
  private readonly hdr = Buffer.alloc(4);
  private hdrHave = 0;
  /** declared body length of the frame being read, or -1 while reading a header */
  private need = -1;
  private first: Buffer | undefined;
  private body: Buffer | undefined;
  private bodyHave = 0;
  constructor(private readonly max: number = MAX_FRAME) {}

  /** Declared body length of the frame being read, or -1 between frames. */
  get partial(): number {
    return this.need;
  }

  /** Bytes of the current frame held so far (its header aside). */
  get buffered(): number {
    return this.bodyHave;
  }

  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let off = 0;
    while (off < chunk.length || (this.need === 0 && this.bodyHave === 0)) {
      if (this.need < 0) {
        const n = Math.min(4 - this.hdrHave, chunk.length - off);
        chunk.copy(this.hdr, this.hdrHave, off, off + n);
        this.hdrHave += n;
        off += n;
        if (this.hdrHave < 4) break;
        this.hdrHave = 0;
        const len = this.hdr.readUInt32BE(0);
        if (len > this.max) {
          throw new FluxError(Errno.EMSGSIZE, `frame of ${len} bytes exceeds the maximum of ${this.max}`);
        }
        this.need = len;
        continue;
      }
      const want = this.need - this.bodyHave;
      const n = Math.min(want, chunk.length - off);
      const piece = chunk.subarray(off, off + n);
      off += n;
      if (this.bodyHave === 0 && n === this.need) {
        out.push(piece); // whole body in this chunk: no copy
      } else {
        this.append(piece);
        if (this.bodyHave < this.need) break;
        out.push(this.body!);
      }
      this.need = -1;
      this.first = undefined;
      this.body = undefined;
      this.bodyHave = 0;
    }
    return out;
  }

  private append(piece: Buffer): void {
    if (this.body === undefined && this.first === undefined) {
      this.first = piece;
    } else {
      if (this.body === undefined) {
        this.body = Buffer.allocUnsafe(this.need);
        this.first!.copy(this.body, 0);
        this.first = undefined;
      }
      piece.copy(this.body, this.bodyHave);
    }
    this.bodyHave += piece.length;
  }
}
