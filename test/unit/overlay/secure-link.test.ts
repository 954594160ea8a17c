/**
 * Secure overlay links: a child with the right key talks to its parent both ways;
 * a foreign key is refused and named; a wrong parent key is detected; nothing
 * readable crosses the wire; oversized frames are refused before buffering.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateKeyPair, publicKeyText, type KeyPair } from '../../../lib/crypto/keys';
import { secureAccept, secureConnect, type SecureLink } from '../../../overlay/secure-link';
import { request, type Message } from '../../../kernel/message/message';
import { Errno } from '../../../lib/errno';
import { FluxError } from '../../../lib/errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seclink-'));
let n = 0;

interface Pair {
  server: Promise<SecureLink>;
  client: Promise<SecureLink>;
  wire: Buffer[];
  close(): void;
}

/** Parent with `parentKeys` allowing `allowed`; child with `childKeys` pinning `pinned`. */
async function pair(parentKeys: KeyPair, allowed: Buffer, childKeys: KeyPair, pinned: Buffer, max?: number): Promise<Pair> {
  const sockPath = path.join(dir, `s${n++}`);
  const wire: Buffer[] = [];
  let serverSock: net.Socket | undefined;
  let resolveServer!: (p: Promise<SecureLink>) => void;
  const server = new Promise<Promise<SecureLink>>((r) => (resolveServer = r));
  const srv = net.createServer((s) => {
    serverSock = s;
    s.on('data', (d: Buffer) => wire.push(Buffer.from(d)));
    resolveServer(secureAccept(s, parentKeys, (pk) => (pk.equals(allowed) ? '1' : undefined), publicKeyText, { maxMessage: max }));
  });
  await new Promise<void>((r) => srv.listen(sockPath, r));
  const sock = net.createConnection(sockPath);
  await new Promise((r) => sock.once('connect', r));
  const write = sock.write.bind(sock) as (b: Buffer) => boolean;
  // Tap what the child writes: the other half of the wire.
  (sock as unknown as { write: (b: Buffer) => boolean }).write = (b: Buffer) => {
    wire.push(Buffer.from(b));
    return write(b);
  };
  const client = secureConnect(sock, childKeys, pinned, { maxMessage: max });
  client.catch(() => {});
  const s = server.then((p) => p);
  s.catch(() => {});
  return {
    server: s,
    client,
    wire,
    close: () => {
      sock.destroy();
      serverSock?.destroy();
      srv.close();
    },
  };
}

function next(link: SecureLink): Promise<Message> {
  return new Promise((r) => (link.onMessage = r));
}

test('authorized child and parent exchange sealed messages both ways', async () => {
  const P = generateKeyPair();
  const C = generateKeyPair();
  const p = await pair(P, C.publicKey, C, P.publicKey);
  try {
    const [s, c] = await Promise.all([p.server, p.client]);
    assert.is(s.peerName, '1');
    const got = next(s);
    c.send(request('kvs.lookup', { payload: { key: 'a' } }));
    const m = await got;
    assert.is(m.topic, 'kvs.lookup');
    assert.equal(m.payload, { key: 'a' });
    const back = next(c);
    s.send(request('broker.ping', { payload: { seq: 7 } }));
    assert.equal((await back).payload, { seq: 7 });
    s.close();
    c.close();
  } finally {
    p.close();
  }
});

test('a child presenting a foreign key is refused, and the refusal names the key', async () => {
  const P = generateKeyPair();
  const C = generateKeyPair();
  const F = generateKeyPair();
  const p = await pair(P, C.publicKey, F, P.publicKey);
  try {
    const serverErr = await p.server.then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(serverErr, 'server accepted a foreign key');
    assert.match(serverErr!.message, `unknown key ${publicKeyText(F.publicKey)}`);
    assert.not.match(serverErr!.message, publicKeyText(F.secretKey));
    const clientErr = await p.client.then(
      () => undefined,
      (e: Error) => e,
    );
    assert.match(clientErr!.message, /refused by parent/);
  } finally {
    p.close();
  }
});

test('a parent that does not hold the pinned key is not trusted', async () => {
  const P = generateKeyPair();
  const Imposter = generateKeyPair();
  const C = generateKeyPair();
  const p = await pair(Imposter, C.publicKey, C, P.publicKey);
  try {
    const clientErr = await p.client.then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(clientErr, 'child trusted an imposter');
    const serverErr = await p.server.then(
      () => undefined,
      (e: Error) => e,
    );
    assert.match(serverErr!.message, /failed authentication/);
  } finally {
    p.close();
  }
});

test('no plaintext topic or payload crosses the wire', async () => {
  const P = generateKeyPair();
  const C = generateKeyPair();
  const p = await pair(P, C.publicKey, C, P.publicKey);
  try {
    const [s, c] = await Promise.all([p.server, p.client]);
    const got = next(s);
    c.send(request('secrettopic.method', { payload: { text: 'plaintext-payload-abc' } }));
    await got;
    const back = next(c);
    s.send(request('othertopic.reply', { payload: { text: 'reply-payload-xyz' } }));
    await back;
    const all = Buffer.concat(p.wire);
    assert.ok(all.length > 200, 'wire capture is empty');
    for (const needle of ['secrettopic', 'plaintext-payload-abc', 'othertopic', 'reply-payload-xyz']) {
      assert.is(all.indexOf(needle), -1, `${needle} seen on the wire`);
    }
    s.close();
    c.close();
  } finally {
    p.close();
  }
});

test('messages over the maximum are not sent, and an oversized frame closes the link', async () => {
  const P = generateKeyPair();
  const C = generateKeyPair();
  const p = await pair(P, C.publicKey, C, P.publicKey, 1024);
  try {
    const [s, c] = await Promise.all([p.server, p.client]);
    // not sent: EMSGSIZE for the router to answer with, and the link stays up
    try {
      c.send(request('big.thing', { payload: { x: 'y'.repeat(5000) } }));
      assert.unreachable('an oversized message was sent');
    } catch (e) {
      assert.instance(e, FluxError);
      assert.is((e as FluxError).errno, Errno.EMSGSIZE);
      assert.match((e as Error).message, /^big\.thing: message of \d+ bytes exceeds the maximum of 1024$/);
    }
    assert.ok(c.isOpen);
    const closed = new Promise<string>((r) => (s.onClose = r));
    // A forged header promising 1 GiB: refused from the header alone.
    const hdr = Buffer.alloc(4);
    hdr.writeUInt32BE(1 << 30, 0);
    (c as unknown as { sock: net.Socket }).sock.write(hdr);
    assert.match(await closed, /exceeds the maximum/);
    c.close();
  } finally {
    p.close();
  }
});

test('a failed or timed-out handshake closes the socket', async () => {
  const P = generateKeyPair();
  for (const [what, send] of [
    ['silence', undefined],
    ['an oversized frame header', Buffer.from([0xff, 0xff, 0xff, 0xff])],
    ['a malformed hello', Buffer.from([0, 0, 0, 3, 1, 2, 3])],
  ] as Array<[string, Buffer | undefined]>) {
    const sockPath = path.join(dir, `t${n++}`);
    let accepted!: Promise<Error>;
    const srv = net.createServer((s) => {
      accepted = secureAccept(s, P, () => '1', publicKeyText, { handshakeTimeoutMs: 300 }).then(
        () => new Error('accepted'),
        (e: Error) => e,
      );
    });
    await new Promise<void>((r) => srv.listen(sockPath, r));
    const c = net.createConnection(sockPath);
    c.on('error', () => {});
    c.resume();
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    await new Promise((r) => c.once('connect', r));
    if (send) c.write(send);
    await closed;
    const err = await accepted;
    assert.match(err.message, what === 'silence' ? /handshake timed out/ : /protocol error/, what);
    srv.close();
  }
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
test.run();
