/**
 * The primary namespace's version in the backing store (backing.ts seq,
 * savedSeq): written after each change's records in the same write queue, so
 * what a change was answered with is on disk once the change is; held lazy
 * changes released together share one write; a reopened store gives it back,
 * and it is not a record of the kvs's keys.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Backing } from '../../../modules/kvs/backing';

test('the version written with the changes is read back at open, and is no kvs record', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-backing-seq-'));
  try {
    let seq = 0;
    const b = Backing.open(dir, { sync: true });
    assert.is(b.savedSeq(), 0, 'a new store');
    b.seq = () => seq;
    seq = 1;
    await b.durable(b.putValue('a', '1'));
    assert.is(b.savedSeq(), 1, 'on disk with the change it counts');
    seq = 2;
    const held = b.lazily(() => b.putValue('b', '2'));
    seq = 3;
    const held2 = b.lazily(() => b.appendLog('l', 1, '{"timestamp":1,"name":"x"}\n'));
    await Promise.all([held, held2]);
    await b.flushed();
    assert.is(b.savedSeq(), 3, 'the held changes released together: the version after the last');
    seq = 4;
    await b.durable(b.remove('a', false));
    assert.equal([...b.records()].map((r) => r.key), ['b', 'l']);
    assert.is(b.empty, false);
    await b.close();
    const again = Backing.open(dir, { sync: true });
    assert.is(again.savedSeq(), 4);
    assert.equal([...again.records()].map((r) => `${r.key}/${r.n}`), ['b/0', 'l/1']);
    await again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a store with only its version is empty; one written before versions were kept reads 0', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-backing-seq-'));
  try {
    const b = Backing.open(dir, { sync: false });
    await b.putValue('old', '1');
    await b.durable(b.remove('old', false));
    assert.is(b.savedSeq(), 0, 'no seq callback: nothing written');
    b.seq = () => 9;
    await b.durable(b.putValue('x', '1'));
    await b.durable(b.remove('x', false));
    assert.is(b.empty, true);
    assert.is(b.savedSeq(), 9);
    await b.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
