/**
 * The backing store's held lazy changes (ADR 0013 addendum): a change made
 * inside lazily() waits up to LAZY_MS to share a commit; a change that is
 * not lazy takes every held one with it, in order, so its commit covers them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Backing, LAZY_MS } from '../../../modules/kvs/backing';

const keysOf = (b: Backing) => [...b.records()].map((r) => `${r.key}/${r.n}`);

test('a durable change commits the held lazy ones before it; a lone lazy one commits within LAZY_MS', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-backing-'));
  const b = Backing.open(dir, { sync: true });
  try {
    const held = b.lazily(() => b.putValue('a', '1'));
    const log = b.lazily(() => b.appendLog('l', 1, '{"timestamp":1,"name":"x"}\n'));
    const t0 = Date.now();
    await b.durable(b.putValue('b', '2'));
    assert.ok(Date.now() - t0 < LAZY_MS * 10, 'the durable change did not wait for the hold');
    assert.equal(keysOf(b), ['a/0', 'b/0', 'l/1'], 'the held changes are committed with it');
    await Promise.all([held, log]);
    const lone = b.lazily(() => b.putValue('c', '3'));
    await lone;
    assert.ok(keysOf(b).includes('c/0'));
    // a remove reads what LMDB has only after the held changes are queued
    void b.lazily(() => b.putValue('d.x', '4'));
    await b.durable(b.remove('d', true));
    await b.flushed();
    assert.not.ok(keysOf(b).some((k) => k.startsWith('d.')), 'the held put of a key below it is removed too');
  } finally {
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
