/**
 * Cancelling a stream tells the server (ADR 0011): `flux kvs get --watch
 * --count` and `flux kvs eventlog get --watch --count` cancel their watch once
 * they have printed enough, and kvs frees it (`flux module stats kvs`: watchers
 * back to 0, cancelled counts it); a watch relayed by rank 1 is freed on rank 0
 * too; a client that goes away without cancelling is cleaned up as well; and a
 * `log.dmesg` follower cancelled through the client API, or killed, leaves the
 * broker holding no follower (`flux module stats log`).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { FLUX, startInstance, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';
import { Client } from '../../cli/api';

let inst: Instance;
const children: ChildProcess[] = [];

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await inst.stop().catch(() => inst.kill());
});

function stats(module: string): Record<string, number> {
  const r = inst.flux(['module', 'stats', module]);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, number>;
}

/** Start `flux ARGS` in the background; out() is what it printed so far, exit its exit code. */
function background(args: string[]): { out: () => string; exit: Promise<number | null>; child: ChildProcess } {
  const child = spawn(FLUX, args, { env: { ...process.env, ...inst.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { out: () => out, exit, child };
}

test('kvs get --watch --count cancels its watch: kvs frees it and counts the cancel', async () => {
  assert.is(inst.flux(['kvs', 'put', 'w=1']).code, 0);
  const before = stats('kvs');
  assert.is(before['watchers'], 0);
  const w = background(['kvs', 'get', '--watch', '--count=2', 'w']);
  await waitUntil(() => w.out() === '1\n', { what: 'the watch to print 1' });
  assert.is(stats('kvs')['watchers'], 1);
  assert.is(inst.flux(['kvs', 'put', 'w=2']).code, 0);
  assert.is(await w.exit, 0);
  assert.is(w.out(), '1\n2\n');
  const after = stats('kvs');
  assert.is(after['watchers'], 0);
  assert.is(after['cancelled'], before['cancelled']! + 1, 'ended by its cancel, not by the disconnect');
});

test('kvs eventlog get --watch --count cancels its watch', async () => {
  assert.is(inst.flux(['kvs', 'eventlog', 'append', 'log', 'first']).code, 0);
  const before = stats('kvs');
  const r = inst.flux(['kvs', 'eventlog', 'get', '--watch', '--count=1', '--unformatted', 'log']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /"name":"first"/);
  const after = stats('kvs');
  assert.is(after['watchers'], 0);
  assert.is(after['cancelled'], before['cancelled']! + 1);
});

test('a watch made on rank 1 is relayed to rank 0; its cancel frees it there', async () => {
  const before = stats('kvs');
  const w = background(['exec', '-r', '1', 'flux', 'kvs', 'get', '--watch', '--count=2', 'w']);
  await waitUntil(() => w.out() === '2\n', { what: 'the rank 1 watch to print 2' });
  await waitUntil(() => stats('kvs')['watchers'] === 1, { what: 'rank 0 to hold the relayed watch' });
  assert.is(inst.flux(['kvs', 'put', 'w=3']).code, 0);
  assert.is(await w.exit, 0);
  assert.is(w.out(), '2\n3\n');
  await waitUntil(() => stats('kvs')['watchers'] === 0, { what: 'rank 0 to free the relayed watch' });
  assert.ok(stats('kvs')['cancelled']! > before['cancelled']!);
});

test('a client killed while watching is cleaned up (no cancel sent)', async () => {
  const before = stats('kvs');
  const w = background(['kvs', 'get', '--watch', 'w']);
  await waitUntil(() => w.out() === '3\n', { what: 'the watch to print 3' });
  assert.is(stats('kvs')['watchers'], 1);
  w.child.kill('SIGKILL');
  await w.exit;
  await waitUntil(() => stats('kvs')['watchers'] === 0, { what: 'kvs to drop the dead client\'s watch' });
  assert.is(stats('kvs')['cancelled'], before['cancelled'], 'a disconnect is not a cancel');
});

test('dmesg --follow: a cancel through the client API ends the stream and frees the follower', async () => {
  assert.is(stats('log')['followers'], 0);
  const h = await Client.connect(inst.uri);
  try {
    const s = h.rpcStream('log.dmesg', { follow: true, nobacklog: true }, () => undefined);
    await waitUntil(() => stats('log')['followers'] === 1, { what: 'the broker to hold the follower' });
    await s.cancel();
    await s;
    assert.is(stats('log')['followers'], 0);
    assert.is(h.outstanding, 0, 'the server ended the stream: nothing left waiting');
  } finally {
    h.close();
  }
});

test('stream-cancel without a matchtag is EPROTO naming it; one naming no stream is a no-op', async () => {
  const h = await Client.connect(inst.uri);
  try {
    for (const topic of ['kvs.stream-cancel', 'log.stream-cancel']) {
      const e = await h.rpc(topic, { matchtag: 'x' }).then(
        () => undefined,
        (err: Error & { errno: number }) => err,
      );
      // the service's protocol names the field (ADR 0014)
      assert.is(e?.message, `${topic}: malformed request: matchtag: expected integer, got "x"`);
      assert.equal(await h.rpc(topic, { matchtag: 4242 }), {});
    }
  } finally {
    h.close();
  }
});

test('dmesg --follow killed: the broker drops its follower', async () => {
  const d = background(['dmesg', '--follow', '--new']);
  await waitUntil(() => stats('log')['followers'] === 1, { what: 'the broker to hold the follower' });
  d.child.kill('SIGKILL');
  await d.exit;
  await waitUntil(() => stats('log')['followers'] === 0, { what: 'the broker to drop the follower' });
});

test.run();
