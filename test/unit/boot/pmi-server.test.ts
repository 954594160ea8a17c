/**
 * PMI-1 server and client together, in-process: N clients over TCP (the hydra
 * PMI_PORT model) and over an inherited PMI_FD (child processes), KVS
 * visibility at the barrier, chunked values, failed barriers, dead servers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type * as net from 'node:net';
import { PmiServer, pmiAbortNote } from '../../../lib/pmi/server';
import { processMapping } from '../../../cli/start/pmi-mapping';
import { pmiConnect } from '../../../lib/pmi/client';
import type { PmiClient } from '../../../lib/pmi/pmi';
import { FluxError } from '../../../lib/errors';
import { waitUntil } from '../../helpers/wait';

async function cluster(n: number, extra: Partial<ConstructorParameters<typeof PmiServer>[0]> = {}) {
  const trace: string[] = [];
  const server = new PmiServer({
    size: n,
    preput: new Map([['PMI_process_mapping', processMapping('single', n)!]]),
    trace: (r, d, l) => trace.push(`${r}: ${d}: ${l}`),
    ...extra,
  });
  const port = await server.listenTcp();
  const clients: PmiClient[] = [];
  for (let r = 0; r < n; r++) {
    const c = await pmiConnect({ PMI_PORT: `127.0.0.1:${port}`, PMI_ID: String(r) }, { timeoutMs: 5000, barrierTimeoutMs: 5000 });
    clients.push(c!);
  }
  return { server, clients, trace };
}

/** true when the promise rejects */
const fails = (p: Promise<unknown>): Promise<boolean> => p.then(() => false, () => true);

test('no PMI in the environment: undefined', async () => {
  assert.is(await pmiConnect({}), undefined);
  assert.is(await pmiConnect({ PMI_FD: '3' }), undefined, 'PMI_FD without rank/size is skipped like Flux');
});

test('4 ranks: rank/size/kvsname, put, barrier, get, mapping, miss, finalize', async () => {
  const { server, clients, trace } = await cluster(4);
  try {
    assert.equal(clients.map((c) => [c.rank, c.size, c.kvsname]), [0, 1, 2, 3].map((r) => [r, 4, '-']));
    await Promise.all(clients.map((c) => c.put(String(c.rank), `card-${c.rank}`)));
    // not visible before the barrier, not even to the putter
    assert.ok(await fails(clients[0]!.get('0')));
    await Promise.all(clients.map((c) => c.barrier()));
    for (const c of clients) {
      assert.is(await c.get(String((c.rank + 1) % 4)), `card-${(c.rank + 1) % 4}`);
      assert.is(await c.get('PMI_process_mapping'), '(vector,(0,1,4))');
    }
    const miss = await clients[1]!.get('nope').catch((e: FluxError) => e);
    assert.ok(miss instanceof FluxError);
    assert.is((miss as FluxError).errno, 2);
    await Promise.all(clients.map((c) => c.finalize()));
    assert.ok(trace.includes('0: C: cmd=init pmi_version=1 pmi_subversion=1'));
    assert.ok(trace.includes('0: S: cmd=response_to_init rc=0 pmi_version=1 pmi_subversion=1'));
    assert.ok(trace.includes('2: S: cmd=my_kvsname rc=0 kvsname=-'));
    assert.ok(trace.includes('1: S: cmd=maxes rc=0 kvsname_max=64 keylen_max=64 vallen_max=1024'));
  } finally {
    server.close();
  }
});

test('values over vallen_max are chunked and reassembled', async () => {
  const { server, clients } = await cluster(2);
  try {
    const big = 'x'.repeat(1500) + 'ƒ'.repeat(700) + 'end';
    await clients[0]!.put('big', big);
    await clients[1]!.put('small', 'y');
    await Promise.all(clients.map((c) => c.barrier()));
    assert.is(await clients[1]!.get('big'), big);
    assert.is(await clients[0]!.get('small'), 'y');
  } finally {
    server.close();
  }
});

test('a rank that goes away fails the barrier for the others at once', async () => {
  const { server, clients } = await cluster(3);
  try {
    const waits = clients.slice(0, 2).map((c) => c.barrier().then(() => 'ok', (e: Error) => e.message));
    await new Promise((r) => setTimeout(r, 50));
    server.rankGone(2, 'rank 2 exited');
    assert.equal(await Promise.all(waits), ['barrier: operation failed: rank 2 exited', 'barrier: operation failed: rank 2 exited']);
    // and later barriers fail too
    assert.is(await clients[0]!.barrier().then(() => 'ok', (e: Error) => e.message), 'barrier: operation failed: rank 2 exited');
  } finally {
    server.close();
  }
});

test('a dead server gives a clear error, not a hang', async () => {
  const { server, clients } = await cluster(2);
  const w = clients[0]!.barrier().then(() => 'ok', (e: Error) => e.message);
  await new Promise((r) => setTimeout(r, 50));
  server.close();
  assert.is(await w, 'PMI server closed the connection');
  assert.is(await clients[1]!.get('x').then(() => 'ok', (e: Error) => e.message), 'PMI server closed the connection');
});

test('abort reaches the server with code and message', async () => {
  let got: unknown[] = [];
  const { server, clients } = await cluster(1, { onAbort: (r, c, m) => (got = [r, c, m]) });
  try {
    await clients[0]!.abort(7, 'it\nbroke');
    await waitUntil(() => got.length > 0, { what: 'the server to see the abort' });
    assert.equal(got, [0, 7, 'it broke']);
  } finally {
    server.close();
  }
});

test('only the first abort is reported (the job is ending); its note names the rank', async () => {
  const got: unknown[][] = [];
  const { server, clients } = await cluster(2, { onAbort: (r, c, m) => got.push([r, c, m]) });
  try {
    await clients[1]!.abort(7, 'first');
    await clients[0]!.abort(3, 'second');
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(got, [[1, 7, 'first']]);
  } finally {
    server.close();
  }
  assert.is(pmiAbortNote(1, 7, 'first'), 'PMI_Abort: rank 1 (exit code 7): first');
  assert.is(pmiAbortNote(3, 7, 'aborted'), 'PMI_Abort: rank 3 (exit code 7)', 'MPICH sends no message');
});

test('PMI_FD: child processes over inherited socketpairs', async () => {
  const n = 3;
  const server = new PmiServer({ size: n, preput: new Map([['PMI_process_mapping', processMapping('per-broker', n)!]]) });
  const clientJs = path.resolve(__dirname, '..', '..', '..', 'lib', 'pmi', 'client.js');
  const script = `
    const { pmiConnect } = require(${JSON.stringify(clientJs)});
    (async () => {
      const c = await pmiConnect();
      await c.put('r' + c.rank, 'v' + c.rank);
      await c.barrier();
      const next = await c.get('r' + ((c.rank + 1) % c.size));
      const map = await c.get('PMI_process_mapping');
      await c.finalize();
      console.log([c.rank, c.size, c.kvsname, next, map].join(' '));
    })().catch((e) => { console.log('ERR ' + e.message); process.exit(1); });`;
  const outs = await Promise.all(
    Array.from({ length: n }, (_, r) => {
      const p = spawn(process.execPath, ['-e', script], {
        stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
        env: { ...process.env, PMI_FD: '3', PMI_RANK: String(r), PMI_SIZE: String(n) },
      });
      server.addClient(r, p.stdio[3] as net.Socket);
      let out = '';
      p.stdout!.on('data', (d) => (out += d));
      return new Promise<string>((res) => p.on('close', () => res(out.trim())));
    }),
  );
  server.close();
  assert.equal(outs, ['0 3 - v1 (vector,(0,3,1))', '1 3 - v2 (vector,(0,3,1))', '2 3 - v0 (vector,(0,3,1))']);
});

test('process mapping modes (--test-pmi-clique)', () => {
  assert.is(processMapping('single', 4), '(vector,(0,1,4))');
  assert.is(processMapping('per-broker', 4), '(vector,(0,4,1))');
  assert.is(processMapping('none', 4), undefined);
  assert.is(processMapping('[[0,2,2,1]]', 4), '(vector,(0,2,2))');
  assert.is(processMapping('{"version":1,"map":[[0,2,1,2]]}', 4), '(vector,(0,2,1),(0,2,1))');
  assert.is(processMapping('0-1;2-3', 4), '(vector,(0,2,2))');
  assert.throws(() => processMapping('bogus', 4), /error parsing range 'bogus'/);
});

test.run();
