/**
 * The overlay's guard against strangers: a cap on connections waiting to
 * authenticate (the oldest gives way), failures closed and logged with the
 * peer's address, at most a burst of lines per window and one summary line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import { AcceptGuard, peerAddress } from '../../../overlay/accept-guard';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Rig {
  port: number;
  guard: AcceptGuard;
  lines: string[];
  /** handshakes in progress: settle one by index */
  pending: Array<{ resolve(v: string): void; reject(e: Error): void; sock: net.Socket }>;
  results: Array<string | undefined>;
  close(): void;
}

async function rig(opts: ConstructorParameters<typeof AcceptGuard>[1]): Promise<Rig> {
  const lines: string[] = [];
  const guard = new AcceptGuard((_sev, text) => lines.push(text), opts);
  const r: Rig = { port: 0, guard, lines, pending: [], results: [], close: () => {} };
  const srv = net.createServer((sock) => {
    void guard
      .admit(sock, (s) => new Promise<string>((resolve, reject) => r.pending.push({ resolve, reject, sock: s })))
      .then((v) => r.results.push(v));
  });
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  r.port = (srv.address() as net.AddressInfo).port;
  r.close = () => {
    guard.close();
    srv.close();
  };
  return r;
}

function connect(port: number): Promise<{ sock: net.Socket; local: number; closed: () => boolean }> {
  return new Promise((resolve) => {
    const sock = net.createConnection(port, '127.0.0.1');
    let closed = false;
    sock.on('error', () => {});
    sock.on('close', () => (closed = true));
    sock.resume();
    sock.once('connect', () => resolve({ sock, local: sock.localPort!, closed: () => closed }));
  });
}

async function until(cond: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 5000) throw new Error('condition not met');
    await sleep(10);
  }
}

test('beyond the cap the oldest stranger is closed; a success leaves the count', async () => {
  const r = await rig({ maxStrangers: 3 });
  try {
    const cs: Array<Awaited<ReturnType<typeof connect>>> = [];
    for (let i = 0; i < 5; i++) {
      cs.push(await connect(r.port));
      await until(() => r.pending.length === i + 1);
    }
    await until(() => cs[0]!.closed() && cs[1]!.closed());
    assert.is(r.guard.waiting, 3);
    assert.ok(!cs[2]!.closed() && !cs[4]!.closed());
    assert.is(r.lines.length, 2);
    assert.match(r.lines[0]!, new RegExp(`^connection from 127\\.0\\.0\\.1:${cs[0]!.local} closed: 3 connections were waiting to authenticate$`));
    r.pending[4]!.resolve('ok');
    await until(() => r.results.includes('ok'));
    assert.is(r.guard.waiting, 2);
    r.pending[3]!.reject(new Error('protocol error: bad hello'));
    await until(() => cs[3]!.closed());
    assert.match(r.lines[2]!, `connection from 127.0.0.1:${cs[3]!.local} closed: protocol error: bad hello`);
    assert.is(r.guard.waiting, 1);
    for (const c of cs) c.sock.destroy();
  } finally {
    r.close();
  }
});

test('a burst of lines per window, then one summary naming the last address', async () => {
  const r = await rig({ logBurst: 2, logWindowMs: 300 });
  try {
    const cs: Array<Awaited<ReturnType<typeof connect>>> = [];
    for (let i = 0; i < 6; i++) {
      cs.push(await connect(r.port));
      await until(() => r.pending.length === i + 1);
      r.pending[i]!.reject(new Error('handshake timed out'));
    }
    await until(() => cs.every((c) => c.closed()));
    assert.is(r.lines.length, 2);
    await until(() => r.lines.length === 3);
    assert.is(r.lines[2], `4 more failed connections in the last 0.3s not logged (the last from 127.0.0.1:${cs[5]!.local})`);
  } finally {
    r.close();
  }
});

test('peer addresses: IPv4, IPv4-mapped IPv6, IPv6, unix', () => {
  const fake = (remoteAddress?: string, remotePort?: number) => ({ remoteAddress, remotePort }) as net.Socket;
  assert.is(peerAddress(fake('10.0.0.1', 5)), '10.0.0.1:5');
  assert.is(peerAddress(fake('::ffff:10.0.0.1', 5)), '10.0.0.1:5');
  assert.is(peerAddress(fake('fe80::1', 5)), '[fe80::1]:5');
  assert.is(peerAddress(fake()), 'local socket');
});

test.run();
