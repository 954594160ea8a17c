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
import { Errno } from '../api/errno';
import { FluxError } from '../api/errors';
import type { Message, MsgTypeValue } from './message';

export const PROTO_VERSION = 1;
/** Default largest frame accepted (bytes). */
export const MAX_FRAME = 16 * 1024 * 1024;

interface Wire {
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
  payload: Buffer | null;
}

function loadSchema(): avro.Type {
  // The .avsc lives beside the TypeScript source; dist/ mirrors the tree.
  const candidates = [
    path.join(__dirname, 'envelope.avsc'),
    path.join(__dirname, '..', '..', '..', 'kernel', 'message', 'envelope.avsc'),
  ];
  for (const c of candidates) {
    if (fs.existsSync(c)) return Type.forSchema(JSON.parse(fs.readFileSync(c, 'utf8')));
  }
  throw new Error('envelope.avsc not found');
}

const envelope = loadSchema();
const VALID_TYPES = new Set([1, 2, 4, 8]);

/** Encode a message body (no frame header). */
export function encodeMessage(m: Message): Buffer {
  const w: Wire = {
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
    payload: m.payload === undefined ? null : Buffer.from(JSON.stringify(m.payload)),
  };
  return envelope.toBuffer(w);
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

/** Decode a message body; throws FluxError(EPROTO) on anything malformed. */
export function decodeMessage(buf: Buffer): Message {
  let w: Wire;
  if (routeTooLong(buf)) throw new FluxError(Errno.EPROTO, 'malformed message: route count exceeds the message size');
  try {
    w = envelope.fromBuffer(buf) as Wire;
  } catch (e) {
    throw new FluxError(Errno.EPROTO, `malformed message: ${(e as Error).message}`);
  }
  if (w.version !== PROTO_VERSION) {
    throw new FluxError(Errno.EPROTO, `protocol version mismatch: got ${w.version}, expected ${PROTO_VERSION}`);
  }
  if (!VALID_TYPES.has(w.type)) throw new FluxError(Errno.EPROTO, `malformed message: bad type ${w.type}`);
  let payload: unknown;
  if (w.payload !== null) {
    try {
      payload = JSON.parse(w.payload.toString('utf8'));
    } catch {
      throw new FluxError(Errno.EPROTO, `malformed message: payload is not JSON`);
    }
  }
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
    payload,
  };
  if (w.errstr !== null) m.errstr = w.errstr;
  return m;
}

/** Encode a message as one frame (length prefix + body). */
export function encodeFrame(m: Message): Buffer {
  const body = encodeMessage(m);
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/**
 * Splits a byte stream into frames. push() returns complete frame bodies; a length
 * over the maximum throws EMSGSIZE before the body is buffered.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private need = -1;
  constructor(private readonly max: number = MAX_FRAME) {}

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.have += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.have < 4) break;
        const hdr = this.take(4);
        const len = hdr.readUInt32BE(0);
        if (len > this.max) {
          throw new FluxError(Errno.EMSGSIZE, `frame of ${len} bytes exceeds the maximum of ${this.max}`);
        }
        this.need = len;
      }
      if (this.have < this.need) break;
      out.push(this.take(this.need));
      this.need = -1;
    }
    return out;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.have);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.have = rest.length;
    return head;
  }
}
