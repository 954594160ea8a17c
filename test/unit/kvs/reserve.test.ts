/**
 * The room allocated ahead of the store (modules/kvs/reserve.ts): no change
 * is admitted past what is allocated, even while a top-up is in flight (a
 * burst outran one under load, and LMDB's own write then failed); a refused
 * change asks again after a try that started after it came.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { FluxError } from '../../../kernel/api';
import { RESERVE_CHUNK, Reserve } from '../../../modules/kvs/reserve';
import { Backing } from '../../../modules/kvs/backing';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-reserve-'));
const file = path.join(dir, 'store');
fs.writeFileSync(file, '');
const canAllocate = spawnSync('fallocate', ['--keep-size', '-o', '0', '-l', '4096', file]).status === 0;

test('a change past the allocation waits for the top-up in flight; a burst never runs past what is allocated', async () => {
  if (!canAllocate) {
    console.log('# SKIP "reserve": fallocate(1) cannot preallocate here');
    return;
  }
  const disabled: string[] = [];
  const r = new Reserve(file, () => 0, (why) => disabled.push(why));
  // nothing allocated yet: the first change starts the top-up and waits for it
  const first = r.admit(1000);
  assert.ok(first instanceof FluxError, 'refused until the first top-up answers');
  await r.retry();
  const again = r.admit(1000);
  assert.not.ok(again instanceof FluxError, 'admitted once the room is allocated');
  // a burst in one turn (no commit done meanwhile): admitted only up to what is allocated
  const bytes = 64 * 1024;
  let admitted = 0;
  while (!(r.admit(bytes) instanceof FluxError)) admitted++;
  assert.ok(admitted > 0);
  assert.ok(admitted * (2 * bytes + 8192) <= RESERVE_CHUNK + 2 * 1024 * 1024, `at most the allocation: ${admitted} changes`);
  // the top-up it started answers: the next one is admitted
  await r.retry();
  assert.not.ok(r.admit(bytes) instanceof FluxError);
  assert.equal(disabled, []);
  // the blocks are the file's, its size unchanged
  assert.is(fs.statSync(file).size, 0);
  assert.ok(fs.statSync(file).blocks * 512 >= RESERVE_CHUNK);
});

test('a burst far past the reserve, with room on the filesystem: every change is written, in order, none refused', async () => {
  if (!canAllocate) {
    console.log('# SKIP "burst": fallocate(1) cannot preallocate here');
    return;
  }
  const store = fs.mkdtempSync(path.join(dir, 'burst-'));
  const b = Backing.open(store, { sync: false });
  try {
    // 200 changes of 64 KiB in one turn: about 27 MB of estimated cost, several top-ups
    const value = JSON.stringify('x'.repeat(64 * 1024));
    const writes = Array.from({ length: 200 }, (_v, i) => b.putValue(`k${i % 50}`, JSON.stringify(`${i}:${value}`)));
    const outcomes = await Promise.allSettled(writes);
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason));
    assert.equal(refused, [], 'none refused');
    // the last put of each key is what the disk has (order kept)
    const last = new Map<string, string>();
    for (const r of b.records()) last.set(r.key, r.text.slice(2, 8));
    for (let k = 0; k < 50; k++) assert.ok(last.get(`k${k}`)?.startsWith(`${150 + k}:`), `k${k}: ${last.get(`k${k}`)}`);
  } finally {
    await b.close();
  }
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
test.run();
