/**
 * The kvs keeps room reserved ahead of its store (modules/kvs/reserve.ts,
 * 4 MiB): a statedir whose filesystem cannot hold that reserve would refuse
 * every change of the running broker, so the broker refuses to start, with
 * one line naming the space needed and the space free
 * (flux-broker-attributes(7), statedir). A filesystem with room starts and
 * writes. Needs a small tmpfs (mount, as root): skipped, saying why, where
 * mounting is not allowed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, run, tmpdir } from '../helpers/flux';
import { skipped } from '../helpers/skip';

const tmp = tmpdir('flux-t0811-');
const mounted: string[] = [];

/** a tmpfs of `size` at tmp/name, or why there can be none */
function tmpfs(name: string, size: string): string | { skip: string } {
  const dir = path.join(tmp.dir, name);
  fs.mkdirSync(dir);
  const r = run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (r.code !== 0) return { skip: `cannot mount a tmpfs: ${r.stderr.trim() || `mount exited ${r.code}`}` };
  mounted.push(dir);
  return dir;
}

test.after(() => {
  for (const dir of mounted) {
    // a broker's last files may close a moment after flux start exits
    let ok = false;
    for (let i = 0; i < 20 && !ok; i++) {
      ok = run('umount', [dir]).code === 0;
      if (!ok) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
    if (!ok) run('umount', ['-l', dir]);
  }
  tmp.cleanup();
});

const T_SMALL = 'a statedir without room for the store reserve: the broker refuses to start, in one line';
test(T_SMALL, () => {
  const small = tmpfs('small', '2m');
  if (typeof small !== 'string') {
    skipped(T_SMALL, small.skip);
    return;
  }
  const statedir = path.join(small, 'st');
  const r = flux(['start', `-Sstatedir=${statedir}`, 'flux', 'kvs', 'put', 'a=1'], { timeoutMs: 60_000 });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`statedir ${statedir}: needs at least 4 MiB free for the store's reserve, \\d+ KiB free\\n`));
  assert.is(r.stderr.split('\n').filter((l) => /statedir/.test(l)).length, 1, r.stderr);
});

const T_BIG = 'a statedir with room for it: starts and writes';
test(T_BIG, () => {
  const big = tmpfs('big', '6m');
  if (typeof big !== 'string') {
    skipped(T_BIG, big.skip);
    return;
  }
  const r = flux(['start', `-Sstatedir=${path.join(big, 'st')}`, 'sh', '-c', 'flux kvs put a=1 && flux kvs get a && flux run echo ran'], { timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '1\nran\n');
});

test.run();
