/**
 * A follower's connection to its parent: transient failures are retried with a
 * growing pause and reported once at info and every warnEveryMs at err; a
 * refusal ends at once; an abort (deadly signal) ends the wait.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import { connectParent, isTransient } from '../../../overlay/parent-connect';
import { LinkError } from '../../../overlay/secure-link';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

test('which failures are worth another try', () => {
  assert.ok(isTransient(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })));
  assert.ok(isTransient(Object.assign(new Error('x'), { code: 'ENOTFOUND' })));
  assert.ok(isTransient(new LinkError('handshake timed out', true)));
  assert.not.ok(isTransient(new LinkError('refused by parent: key not authorized')));
  assert.not.ok(isTransient(new Error('overlay.hello: mismatched config?')));
  assert.not.ok(isTransient(Object.assign(new Error('x'), { code: 'EACCES' })));
});

test('refused until the parent listens, then a handshake cut short, then success', async () => {
  const port = await freePort();
  const lines: Array<[number, string]> = [];
  let handshakes = 0;
  let srv: net.Server | undefined;
  setTimeout(() => {
    srv = net.createServer((s) => s.on('error', () => {}));
    srv.listen(port, '127.0.0.1');
  }, 700);
  try {
    const got = await connectParent({
      uri: `tcp://127.0.0.1:${port}`,
      parentName: 'p0 (rank 0)',
      attemptTimeoutMs: 1000,
      warnEveryMs: 300,
      log: (sev, text) => lines.push([sev, text]),
      signal: new AbortController().signal,
      handshake: async (sock) => {
        sock.destroy();
        if (++handshakes < 3) throw new LinkError('connection closed during handshake', true);
        return 'linked';
      },
    });
    assert.is(got, 'linked');
    assert.is(handshakes, 3);
    assert.equal(lines[0], [6, `cannot connect to parent p0 (rank 0) at tcp://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}; retrying`]);
    const warns = lines.filter(([sev]) => sev === 3).map(([, t]) => t);
    assert.ok(warns.length >= 1, 'no delayed line');
    assert.match(warns[0]!, new RegExp(`^connect to parent delayed: p0 \\(rank 0\\) at tcp://127\\.0\\.0\\.1:${port}: unreachable for \\d+\\.\\ds \\(.*\\); still trying$`));
    assert.match(lines[lines.length - 1]![1], /^connected to parent p0 \(rank 0\) after \d+ attempts in \d+\.\ds$/);
  } finally {
    srv?.close();
  }
});

test('a refusal ends at once; an abort ends the wait', async () => {
  const srv = net.createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const uri = `tcp://127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
  try {
    let tries = 0;
    const e = await connectParent({
      uri,
      parentName: 'p0 (rank 0)',
      attemptTimeoutMs: 0,
      log: () => {},
      signal: new AbortController().signal,
      handshake: async (sock) => {
        sock.destroy();
        tries++;
        throw new LinkError('refused by parent: key not authorized');
      },
    }).catch((x: Error) => x);
    assert.is((e as Error).message, `cannot connect to parent p0 (rank 0) at ${uri}: refused by parent: key not authorized`);
    assert.is(tries, 1);
  } finally {
    srv.close();
  }
  const port = await freePort();
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('received SIGTERM')), 300);
  const e = await connectParent({
    uri: `tcp://127.0.0.1:${port}`,
    parentName: 'p0 (rank 0)',
    attemptTimeoutMs: 0,
    log: () => {},
    signal: ac.signal,
    handshake: async () => 'never',
  }).catch((x: Error) => x);
  assert.is((e as Error).message, 'received SIGTERM');
});

test.run();
