/**
 * Wire codec (kernel/message/codec.ts): every message type survives
 * encode/decode, FrameReader splits and joins frames across arbitrary chunk
 * boundaries and refuses an oversized length before buffering the body, and
 * anything that does not decode is a FluxError with EPROTO.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as avro from 'avsc';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Errno } from '../../../../lib/errno';
import { FluxError } from '../../../../lib/errors';
import {
  FrameReader,
  MAX_FRAME,
  PROTO_VERSION,
  PayloadError,
  decodeMessage,
  encodeFrame,
  encodeFrameParts,
  encodeMessage,
} from '../../../../kernel/message/codec';
import { CLIENT_PAYLOAD_DEPTH } from '../../../../kernel/message/limits';
import { jsonDepthExceeds } from '../../../../lib/json-depth';
import { parseSize } from '../../../../lib/formats/size';
import {
  MsgFlag,
  MsgType,
  NODEID_ANY,
  Role,
  USERID_UNKNOWN,
  errorResponseTo,
  event,
  request,
  responseTo,
  type Message,
} from '../../../../kernel/message/message';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');
const envelope = avro.Type.forSchema(
  JSON.parse(fs.readFileSync(path.join(ROOT, 'kernel', 'message', 'envelope.avsc'), 'utf8')),
);

/** Catch the FluxError a function throws (fails the test if it throws nothing else). */
function thrown(fn: () => unknown): FluxError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, FluxError);
    return e as FluxError;
  }
  assert.unreachable('expected a FluxError');
  throw new Error('unreachable');
}

function sampleRequest(): Message {
  const m = request('kvs.get', {
    nodeid: 3,
    matchtag: 42,
    flags: MsgFlag.Streaming,
    payload: { key: 'job.ƒ123.eventlog', n: [1, 2.5, null, true], nested: { ok: false } },
  });
  m.route = ['uuid-a', 'uuid-b'];
  m.userid = 1000;
  m.rolemask = Role.Owner | Role.Local;
  return m;
}

function control(): Message {
  return {
    type: MsgType.Control,
    flags: 0,
    topic: '',
    nodeid: 2,
    matchtag: 7,
    route: [],
    userid: USERID_UNKNOWN,
    rolemask: Role.None,
    errnum: 0,
    payload: undefined,
  };
}

/** Avro bytes of an envelope with fields overridden (to build bad messages). */
function rawEnvelope(over: Record<string, unknown>): Buffer {
  return envelope.toBuffer({
    version: PROTO_VERSION,
    type: MsgType.Request,
    flags: 0,
    topic: 't.x',
    nodeid: NODEID_ANY,
    matchtag: 0,
    route: [],
    userid: 0,
    rolemask: 0,
    errnum: 0,
    errstr: null,
    payload: null,
    ...over,
  });
}

const Codec = suite('codec: round trip');

const samples: Array<[string, () => Message]> = [
  ['request with payload, route and flags', sampleRequest],
  ['request without payload', () => request('broker.ping')],
  ['request with NODEID_ANY and no-response', () => request('attr.list', { flags: MsgFlag.NoResponse })],
  ['response', () => responseTo(sampleRequest(), { value: '1', flags: 1 })],
  ['response without payload', () => responseTo(sampleRequest())],
  ['error response with text', () => errorResponseTo(sampleRequest(), Errno.ENOENT, 'size: No such file or directory')],
  ['error response without text', () => errorResponseTo(sampleRequest(), Errno.ENOSYS)],
  ['event with sequence', () => event('heartbeat.pulse', { seq: 9 }, 123456)],
  ['event without payload', () => event('shutdown')],
  ['control', control],
];

for (const [name, make] of samples) {
  Codec(name, () => {
    const m = make();
    const back = decodeMessage(encodeMessage(m));
    assert.equal(back, m);
  });
}

Codec('payload values that are not objects survive too', () => {
  for (const payload of ['text', 0, -1.5, false, null, [], [{ a: 'b' }], { 'é': '\u0000' }]) {
    const m = request('x.y', { payload });
    assert.equal(decodeMessage(encodeMessage(m)).payload, payload);
  }
});

Codec('large numbers: nodeid, matchtag and userid keep 32-bit unsigned values', () => {
  const m = request('x.y', { nodeid: 0xffffffff, matchtag: 0xfffffffe });
  m.userid = 0xffffffff;
  m.rolemask = Role.All;
  assert.equal(decodeMessage(encodeMessage(m)), m);
});

Codec('the bytes are exactly avsc\'s for the whole envelope (the payload is written by hand)', () => {
  for (const [name, make] of samples) {
    const m = make();
    const whole = envelope.toBuffer({
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
    });
    assert.ok(encodeMessage(m).equals(whole), name);
  }
  // a payload long enough for a multi-byte length
  const big = request('kvs.put', { payload: { v: 'x'.repeat(300_000) } });
  const whole = envelope.toBuffer({ ...envelope.fromBuffer(encodeMessage(request('kvs.put'))), payload: Buffer.from(JSON.stringify(big.payload)) });
  assert.ok(encodeMessage(big).equals(whole));
});

Codec('encodeFrameParts hands the payload over without copying it into one buffer', () => {
  const m = request('kvs.put', { payload: { v: 'y'.repeat(1000) } });
  const parts = encodeFrameParts(m);
  assert.is(parts.length, 2);
  assert.ok(Buffer.concat(parts).equals(encodeFrame(m)));
  assert.is(parts[1]!.toString(), JSON.stringify(m.payload));
});

Codec('a payload the encoder cannot represent is EPROTO, never a RangeError', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const e = thrown(() => encodeMessage(request('broker.ping', { payload: { deep } })));
  assert.is(e.errno, Errno.EPROTO);
  assert.match(e.message, /^broker\.ping: payload cannot be encoded: /);
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assert.is(thrown(() => encodeFrame(request('x.y', { payload: cyclic }))).errno, Errno.EPROTO);
  assert.is(thrown(() => encodeFrame(request('x.y', { payload: { n: 1n } }))).errno, Errno.EPROTO);
});

Codec('decode with maxDepth refuses a deeper payload as PayloadError, keeping the head', () => {
  const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const ok = rawEnvelope({ topic: 'a.b', matchtag: 9, payload: Buffer.from(`{"x":${nest(CLIENT_PAYLOAD_DEPTH - 1)}}`) });
  assert.ok(decodeMessage(ok, { maxDepth: CLIENT_PAYLOAD_DEPTH }).payload);
  const bad = rawEnvelope({ topic: 'a.b', matchtag: 9, payload: Buffer.from(`{"x":${nest(5000)}}`) });
  const e = thrown(() => decodeMessage(bad, { maxDepth: CLIENT_PAYLOAD_DEPTH }));
  assert.instance(e, PayloadError);
  assert.is(e.errno, Errno.EPROTO);
  assert.is(e.message, `a.b: malformed request: payload nested deeper than ${CLIENT_PAYLOAD_DEPTH} levels`);
  assert.is((e as PayloadError).head.matchtag, 9);
  // without limits the decoder still takes it (peers; JSON.parse is not recursive)
  assert.ok(decodeMessage(bad).payload);
});

Codec('encodeFrame is a 4-byte big-endian length then the body', () => {
  const m = sampleRequest();
  const body = encodeMessage(m);
  const frame = encodeFrame(m);
  assert.is(frame.length, body.length + 4);
  assert.is(frame.readUInt32BE(0), body.length);
  assert.ok(frame.subarray(4).equals(body));
});

Codec.run();

const Reader = suite('codec: FrameReader');

function frames(n: number): { msgs: Message[]; bytes: Buffer } {
  const msgs: Message[] = [];
  for (let i = 0; i < n; i++) {
    msgs.push(request(`svc${i}.method`, { matchtag: i + 1, payload: { i, pad: 'x'.repeat(i * 7) } }));
  }
  return { msgs, bytes: Buffer.concat(msgs.map(encodeFrame)) };
}

Reader('one push with several frames yields them all, in order', () => {
  const { msgs, bytes } = frames(5);
  const out = new FrameReader().push(bytes).map((b) => decodeMessage(b));
  assert.equal(out, msgs);
});

Reader('byte-at-a-time delivery joins every frame', () => {
  const { msgs, bytes } = frames(4);
  const r = new FrameReader();
  const out: Message[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(...r.push(bytes.subarray(i, i + 1)).map((b) => decodeMessage(b)));
  assert.equal(out, msgs);
});

Reader('every split point of a two-frame stream gives the same frames', () => {
  const { msgs, bytes } = frames(2);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const r = new FrameReader();
    const out = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))].map((b) => decodeMessage(b));
    assert.equal(out, msgs, `split at ${cut}`);
  }
});

Reader('irregular chunk sizes (deterministic pseudo-random)', () => {
  const { msgs, bytes } = frames(20);
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const r = new FrameReader();
  const out: Message[] = [];
  for (let off = 0; off < bytes.length; ) {
    const n = 1 + Math.floor(rnd() * 50);
    out.push(...r.push(bytes.subarray(off, off + n)).map((b) => decodeMessage(b)));
    off += n;
  }
  assert.equal(out, msgs);
});

Reader('a zero-length frame is returned as an empty body', () => {
  const r = new FrameReader();
  const out = r.push(Buffer.from([0, 0, 0, 0]));
  assert.is(out.length, 1);
  assert.is(out[0]!.length, 0);
});

Reader('an incomplete frame yields nothing until the rest arrives', () => {
  const frame = encodeFrame(sampleRequest());
  const r = new FrameReader();
  assert.equal(r.push(frame.subarray(0, 2)), []);
  assert.equal(r.push(frame.subarray(2, frame.length - 1)), []);
  const out = r.push(frame.subarray(frame.length - 1));
  assert.is(out.length, 1);
  assert.equal(decodeMessage(out[0]!), sampleRequest());
});

Reader('a length over the maximum throws EMSGSIZE from the header alone', () => {
  const r = new FrameReader(1024);
  const hdr = Buffer.alloc(4);
  hdr.writeUInt32BE(1025, 0);
  const e = thrown(() => r.push(hdr));
  assert.is(e.errno, Errno.EMSGSIZE);
  assert.match(e.message, /1025 bytes exceeds the maximum of 1024/);
});

Reader('a huge length (0xFFFFFFF0) is refused at the default maximum, before any body', () => {
  const r = new FrameReader();
  const hdr = Buffer.from([0xff, 0xff, 0xff, 0xf0]);
  const e = thrown(() => r.push(hdr));
  assert.is(e.errno, Errno.EMSGSIZE);
  assert.match(e.message, new RegExp(`exceeds the maximum of ${MAX_FRAME}`));
});

Reader('a frame of exactly the maximum is accepted', () => {
  const r = new FrameReader(16);
  const f = Buffer.alloc(20);
  f.writeUInt32BE(16, 0);
  const out = r.push(f);
  assert.is(out.length, 1);
  assert.is(out[0]!.length, 16);
});

Reader('a body spanning chunks is assembled once, and partial/buffered say where it is', () => {
  const body = Buffer.alloc(100_000, 7);
  const hdr = Buffer.alloc(4);
  hdr.writeUInt32BE(body.length, 0);
  const r = new FrameReader();
  assert.is(r.partial, -1);
  assert.equal(r.push(Buffer.concat([hdr, body.subarray(0, 10)])), []);
  assert.is(r.partial, body.length);
  assert.is(r.buffered, 10);
  assert.equal(r.push(body.subarray(10, 50_000)), []);
  assert.is(r.buffered, 50_000);
  const out = r.push(Buffer.concat([body.subarray(50_000), hdr.subarray(0, 2)]));
  assert.is(out.length, 1);
  assert.ok(out[0]!.equals(body));
  assert.is(r.partial, -1);
});

Reader.run();

const Limits = suite('limits');

Limits('jsonDepthExceeds counts brackets and braces outside strings only', () => {
  const t = (s: string, max: number) => jsonDepthExceeds(Buffer.from(s), max);
  assert.is(t('[[1]]', 2), false);
  assert.is(t('[[1]]', 1), true);
  assert.is(t('{"a":{"b":[]}}', 3), false);
  assert.is(t('{"a":{"b":[[]]}}', 3), true);
  assert.is(t('["[[[[[[", "{{{{"]', 1), false);
  // built with JSON.stringify so the escapes are exactly JSON's
  const j = (v: unknown, max: number) => t(JSON.stringify(v), max);
  assert.is(j(['a\\', [[[]]]], 4), false, 'an escaped backslash ends before the closing quote');
  assert.is(j(['a\\', [[[]]]], 3), true, 'and the scan resumes after the string');
  assert.is(j(['x"[[[[', '\\"{{{'], 1), false, 'an escaped quote does not end the string');
  assert.is(j(['\\\\', [[]]], 2), true, 'two escaped backslashes, then structure again');
  assert.is(t('"unterminated [[[[', 1), false);
});

Limits('parseSize takes bytes with K, M or G', () => {
  assert.is(parseSize('4096'), 4096);
  assert.is(parseSize('64M'), 64 * 2 ** 20);
  assert.is(parseSize('2g'), 2 * 2 ** 30);
  assert.is(parseSize('1K'), 1024);
  for (const bad of ['', '-1', '1.5M', '12T', 'M', '9'.repeat(30)]) assert.is(parseSize(bad), undefined, bad);
});

Limits.run();

const Garbage = suite('codec: malformed input is EPROTO');

Garbage('empty body', () => {
  assert.is(thrown(() => decodeMessage(Buffer.alloc(0))).errno, Errno.EPROTO);
});

Garbage('random bytes never escape as anything but FluxError EPROTO', () => {
  let seed = 777;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  let refused = 0;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.alloc(Math.floor(rnd() * 64));
    for (let j = 0; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
    try {
      decodeMessage(b);
    } catch (e) {
      assert.instance(e, FluxError);
      assert.is((e as FluxError).errno, Errno.EPROTO);
      refused++;
    }
  }
  assert.ok(refused > 0);
});

Garbage('truncated valid message', () => {
  const body = encodeMessage(sampleRequest());
  for (let n = 0; n < body.length; n++) {
    assert.is(thrown(() => decodeMessage(body.subarray(0, n))).errno, Errno.EPROTO, `truncated to ${n}`);
  }
});

Garbage('wrong protocol version is named', () => {
  const e = thrown(() => decodeMessage(rawEnvelope({ version: PROTO_VERSION + 1 })));
  assert.is(e.errno, Errno.EPROTO);
  assert.match(e.message, /protocol version mismatch: got 2, expected 1/);
});

Garbage('unknown message type', () => {
  const e = thrown(() => decodeMessage(rawEnvelope({ type: 3 })));
  assert.is(e.errno, Errno.EPROTO);
  assert.match(e.message, /bad type 3/);
});

Garbage('payload that is not JSON', () => {
  const e = thrown(() => decodeMessage(rawEnvelope({ payload: Buffer.from('{not json') })));
  assert.is(e.errno, Errno.EPROTO);
  assert.match(e.message, /payload is not JSON/);
});

/** Avro long: zig-zag, then base-128 varint (least significant group first). */
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

Garbage('a route count larger than the message is refused without allocating', () => {
  // version 1, type 1, flags 0, topic "", nodeid 0, matchtag 0, then a route
  // block count and (for a negative count) its byte size, and nothing behind it
  const head = [...avroLong(1), ...avroLong(1), ...avroLong(0), ...avroLong(0), ...avroLong(0), ...avroLong(0)];
  for (const block of [[2 ** 49], [1e6], [3], [-(2 ** 40), 10]]) {
    const bytes = Buffer.from([...head, ...block.flatMap(avroLong)]);
    const e = thrown(() => decodeMessage(bytes));
    assert.is(e.errno, Errno.EPROTO, `count ${block[0]}`);
  }
});

// Found by t0009: a route count read from past the end of the body (avsc loops over
// it anyway), and over-long varints that avsc reads as huge numbers.
for (const hex of [
  '0000002d30c35cda2e4044ddc3ba8b0d7c615fbf1c7d2349d8b1d7d779f898a8a4d2d849d9e03ba8536487380dc6f0c4d0',
  '00000047d58176bc8ca6969fd0a0fad98af561c7f469342d7a92e2efd73e00f6b225d30734bc8b20604a91016742ef73b236e900cc9fea25fa0ba7046a5bb6041d4decbbbdd8e5e89a32d3',
]) {
  Garbage(`fuzz-found frame ${hex.slice(8, 24)}... is refused without allocating`, () => {
    // maxRSS is a high-water mark: it sees the peak even after the garbage is collected
    const before = process.resourceUsage().maxRSS;
    assert.is(thrown(() => decodeMessage(Buffer.from(hex, 'hex').subarray(4))).errno, Errno.EPROTO);
    assert.ok(process.resourceUsage().maxRSS - before < 100 * 1024, 'decoding allocated a huge array (peak RSS grew > 100 MiB)');
  });
}

Garbage('trailing bytes after a valid envelope', () => {
  const body = Buffer.concat([encodeMessage(sampleRequest()), Buffer.from([1, 2, 3])]);
  assert.is(thrown(() => decodeMessage(body)).errno, Errno.EPROTO);
});

Garbage.run();
