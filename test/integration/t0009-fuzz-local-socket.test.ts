/**
 * Fuzz the local connector of a real singleton instance: raw unix-socket
 * clients send random frames, truncated frames, huge length headers (which must
 * be refused before anything is allocated), well-framed random Avro envelopes
 * and mutated copies of a valid request. After every batch the real
 * `flux getattr size` still answers 1 and the broker's RSS stays bounded.
 * The seed is printed; rerun a failure with FUZZ_SEED=<seed>.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as avro from 'avsc';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ROOT, startInstance, type Instance } from '../helpers/flux';
import { encodeFrame, MAX_FRAME } from '../../kernel/message/codec';
import { MsgFlag, MsgType, request as makeRequest } from '../../kernel/message/message';

const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 0x7fffffff);
/** RSS the broker may grow by over the whole run (it starts near 60 MiB) */
const RSS_SLACK = 256 * 1024 * 1024;
const CONCURRENCY = 24;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed */
let state = SEED >>> 0;
function rnd(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
function bytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
}
function randomString(max: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz.-_0123456789ƒ☃\u0000 ';
  let s = '';
  for (let i = int(max + 1); i > 0; i--) s += alphabet[int(alphabet.length)];
  return s;
}
function frame(body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(body.length, 0);
  return Buffer.concat([h, body]);
}

const envelope = avro.Type.forSchema(
  JSON.parse(fs.readFileSync(path.join(ROOT, 'kernel', 'message', 'envelope.avsc'), 'utf8')),
);

/** topics that only read (a fuzzer must not unload modules or shut things down) */
const SAFE_TOPICS = ['attr.get', 'attr.list', 'broker.ping', 'module.list', 'state-machine.get', 'log.dmesg', 'event.subscribe'];

function randomJson(depth = 0): unknown {
  switch (int(depth > 2 ? 4 : 6)) {
    case 0:
      return int(1e6) - 5e5;
    case 1:
      return randomString(12);
    case 2:
      return pick([true, false, null]);
    case 3:
      return rnd() * 1e9;
    case 4:
      return Array.from({ length: int(4) }, () => randomJson(depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(4) }, () => [randomString(6), randomJson(depth + 1)]));
  }
}

/** A well-formed Avro envelope with random (often nonsensical) field values. */
function randomEnvelope(): Buffer {
  const payloadKind = int(4);
  return envelope.toBuffer({
    version: rnd() < 0.9 ? 1 : int(2 ** 31) - 2 ** 30,
    type: rnd() < 0.85 ? pick([MsgType.Request, MsgType.Request, MsgType.Response, MsgType.Event, MsgType.Control]) : int(2 ** 31),
    flags: int(256),
    topic: rnd() < 0.5 ? pick(SAFE_TOPICS) : `fuzz${randomString(20)}`,
    nodeid: pick([0, 0xffffffff, 0xfffffffe, int(2 ** 32), int(8)]),
    matchtag: int(2 ** 32),
    route: Array.from({ length: int(4) }, () => randomString(40)),
    userid: int(2 ** 32),
    rolemask: int(2 ** 32),
    errnum: int(200),
    errstr: rnd() < 0.5 ? null : randomString(30),
    payload:
      payloadKind === 0
        ? null
        : payloadKind === 1
          ? bytes(int(64))
          : Buffer.from(JSON.stringify(rnd() < 0.7 ? { name: pick(['size', 'rank', randomString(8)]) } : randomJson())),
  });
}

/** A valid request frame with a few bytes flipped, inserted, dropped or the tail cut. */
function mutatedRequest(): Buffer {
  const base = makeRequest(pick(['attr.get', 'broker.ping', 'attr.list']), {
    matchtag: 1 + int(1000),
    flags: rnd() < 0.2 ? MsgFlag.Streaming : 0,
    payload: { name: 'size' },
  });
  const f = Buffer.from(encodeFrame(base));
  const body = [...f.subarray(4)];
  for (let n = 1 + int(4); n > 0; n--) {
    const at = int(body.length);
    switch (int(4)) {
      case 0:
        body[at] = int(256);
        break;
      case 1:
        body[at] = body[at]! ^ (1 << int(8));
        break;
      case 2:
        body.splice(at, 0, int(256));
        break;
      default:
        body.splice(at, 1);
    }
  }
  const out = frame(Buffer.from(body));
  // sometimes keep the original length header, so the frame boundary is wrong too
  if (rnd() < 0.2) out.writeUInt32BE(f.readUInt32BE(0), 0);
  return out;
}

interface Conn {
  sock: net.Socket;
  closed: Promise<void>;
}

/** Connect; when `handshake`, wait for the broker's one-byte greeting first. */
function connect(sockPath: string, handshake: boolean): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(sockPath);
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    let lastError = '';
    sock.on('error', (e: NodeJS.ErrnoException) => {
      /* EPIPE / ECONNRESET once the broker drops us: expected */
      lastError = e.code ?? e.message;
    });
    sock.on('data', () => {
      /* responses are drained and ignored */
    });
    sock.once('connect', () => {
      if (!handshake) return resolve({ sock, closed });
      sock.once('data', (d: Buffer) => {
        if (d[0] !== 0) reject(new Error(`handshake byte ${d[0]}`));
        else resolve({ sock, closed });
      });
    });
    sock.once('close', () => reject(new Error(`closed before the handshake (${lastError || 'no error'})`)));
  });
}

/** Send each chunk list on its own connection, CONCURRENCY at a time; then close them. */
async function blast(sockPath: string, conns: Buffer[][]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < conns.length) {
      const chunks = conns[next++]!;
      // Under heavy load an accepted connection is occasionally reset before the
      // greeting (seen only with other tests saturating both cores); what must hold
      // is that the broker keeps serving, which check() asserts after each batch.
      let c: Conn | undefined;
      const wantHandshake = rnd() < 0.5;
      for (let attempt = 0; !c; attempt++) {
        try {
          c = await connect(sockPath, wantHandshake);
        } catch (e) {
          if (attempt >= 5) throw e;
        }
      }
      for (const ch of chunks) {
        if (c.sock.destroyed) break;
        c.sock.write(ch);
      }
      c.sock.end();
      // the broker either drops us or sees our end; either way the socket closes
      await c.closed;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

test('the broker survives garbage on its local socket', async () => {
  process.stdout.write(`fuzz seed ${SEED}\n`);
  let inst: Instance | undefined;
  try {
    inst = await startInstance();
    const i = inst;
    const sockPath = i.uri.replace(/^local:\/\//, '');
    const pidOut = i.flux(['getattr', 'broker.pid']);
    assert.is(pidOut.code, 0, pidOut.stderr);
    const pid = Number(pidOut.stdout.trim());
    const baseline = rssBytes(pid);
    assert.ok(baseline > 0, 'cannot read the broker RSS');

    const check = (batch: string) => {
      const r = i.flux(['getattr', 'size']);
      assert.is(r.code, 0, `after ${batch} (seed ${SEED}): ${r.stderr}`);
      assert.is(r.stdout, '1\n', `after ${batch} (seed ${SEED})`);
      const rss = rssBytes(pid);
      assert.ok(rss < baseline + RSS_SLACK, `after ${batch} (seed ${SEED}): RSS ${rss} grew from ${baseline}`);
    };

    // 1. random bytes, sometimes with a plausible small length header
    await blast(
      sockPath,
      Array.from({ length: 1000 }, () =>
        Array.from({ length: 1 + int(5) }, () => (rnd() < 0.5 ? bytes(int(200)) : frame(bytes(int(120))))),
      ),
    );
    check('random frames');

    // 2. truncated frames: a valid frame cut short, then the client hangs up
    await blast(
      sockPath,
      Array.from({ length: 300 }, () => {
        const f = encodeFrame(makeRequest('attr.get', { matchtag: 1, payload: { name: 'size' } }));
        const cut = int(f.length);
        return rnd() < 0.5 ? [f.subarray(0, cut)] : [f, f.subarray(0, cut)];
      }),
    );
    check('truncated frames');

    // 3. huge length headers: refused from the header alone, nothing buffered
    const huge = [0xfffffff0, 0xffffffff, 0x7fffffff, MAX_FRAME + 1, 0x80000000];
    for (const len of huge) {
      for (let k = 0; k < 40; k++) {
        const c = await connect(sockPath, k % 2 === 0);
        const h = Buffer.alloc(4);
        h.writeUInt32BE(len, 0);
        c.sock.write(Buffer.concat([h, bytes(int(4096))]));
        // N.B. we do not end our side: the broker must drop us by itself
        await c.closed;
      }
    }
    check('huge length headers');

    // 3b. small frames whose Avro counts lie: a route of 2^49 entries in 10 bytes
    const lying = (count: number) => {
      const long = (v: number) => {
        let z = v >= 0 ? v * 2 : -v * 2 - 1;
        const out: number[] = [];
        while (z >= 0x80) {
          out.push((z % 0x80) | 0x80);
          z = Math.floor(z / 0x80);
        }
        out.push(z);
        return out;
      };
      // version 1, type request, flags 0, topic "", nodeid 0, matchtag 0, route count
      return frame(Buffer.from([2, 2, 0, 0, 0, 0, ...long(count), ...bytes(int(8))]));
    };
    await blast(
      sockPath,
      Array.from({ length: 50 }, () => [lying(pick([2 ** 49, 2 ** 30, 1e6, -(2 ** 40)]))]),
    );
    check('lying Avro counts');

    // 4. correctly framed random Avro envelopes, many per connection
    await blast(
      sockPath,
      Array.from({ length: 600 }, () => Array.from({ length: 1 + int(10) }, () => frame(randomEnvelope()))),
    );
    check('random Avro envelopes');

    // 5. mutated copies of a valid encoded request
    await blast(
      sockPath,
      Array.from({ length: 800 }, () => Array.from({ length: 1 + int(6) }, mutatedRequest)),
    );
    check('mutated requests');

    // 6. everything at once, split at random points across writes
    await blast(
      sockPath,
      Array.from({ length: 200 }, () => {
        const all = Buffer.concat(
          Array.from({ length: 1 + int(6) }, () =>
            pick([() => frame(randomEnvelope()), mutatedRequest, () => bytes(int(64))])(),
          ),
        );
        const parts: Buffer[] = [];
        for (let off = 0; off < all.length; ) {
          const n = 1 + int(32);
          parts.push(all.subarray(off, off + n));
          off += n;
        }
        return parts;
      }),
    );
    check('split mixtures');

    process.stdout.write(`broker RSS ${(baseline / 2 ** 20).toFixed(0)} MiB -> ${(rssBytes(pid) / 2 ** 20).toFixed(0)} MiB\n`);
    const rc = await i.stop();
    inst = undefined;
    assert.is(rc, 0, `flux start exited ${rc}`);
  } catch (e) {
    // Show what the broker said: a crash names its cause on flux start's stderr.
    if (inst) process.stdout.write(`flux start stderr:\n${inst.stderr()}\n`);
    throw e;
  } finally {
    inst?.kill();
  }
});

test.run();
