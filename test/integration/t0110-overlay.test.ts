/**
 * The secure overlay through the real `flux start --test-size`: a size-3
 * instance (size, ping, status drawing, exec), and a kary:2 tree of 7 (levels,
 * routing to a grandchild, events on every rank).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, startInstance, type Instance } from '../helpers/flux';

const hasExec = fs.existsSync(path.join(ROOT, 'dist', 'cli', 'commands', 'exec.js'));

async function withInstance(args: string[], fn: (i: Instance) => Promise<void> | void): Promise<void> {
  const inst = await startInstance(args);
  try {
    await fn(inst);
    assert.is(await inst.stop(), 0);
  } finally {
    inst.kill();
  }
}

test('size 3: size, ping, overlay status drawing, lookup, parentof', async () => {
  await withInstance(['--test-size=3'], (i) => {
    assert.is(i.flux(['getattr', 'size']).stdout, '3\n');
    const ping = i.flux(['ping', '-c', '1', '2']);
    assert.is(ping.code, 0, ping.stderr);
    assert.match(ping.stdout, /^2!broker\.ping pad=0 seq=0 time=/m);
    const host = i.flux(['getattr', 'hostname']).stdout.trim();
    const st = i.flux(['overlay', 'status']);
    assert.is(st.stdout, `0 ${host}: full\n├─ 1 ${host}: full\n└─ 2 ${host}: full\n`);
    const vv = i.flux(['overlay', 'status', '-vv', '--no-pretty']);
    assert.match(vv.stdout, new RegExp(`^0 ${host}: full for [0-9.]+m?s \\([0-9]+\\.[0-9]{3} ms\\)\\n1 `));
    assert.is(i.flux(['overlay', 'status', '--summary']).stdout, 'full\n');
    // -H: the target and its ancestors in reverse video (color turns on for it)
    const hl = i.flux(['overlay', 'status', '-H', '2']);
    assert.is(hl.stdout, `\x1b[7m0 ${host}\x1b[27m: full\n├─ 1 ${host}: full\n└─ \x1b[7m2 ${host}\x1b[27m: full\n`);
    assert.is(i.flux(['overlay', 'status', '-H', '7']).stderr, 'flux-overlay: --highlight: 7: no such rank or host in the tree\n');
    assert.is(i.flux(['overlay', 'status', '-H', '1', '--color=never']).code, 1);
    assert.is(i.flux(['overlay', 'parentof', '2']).stdout, '0\n');
    const p0 = i.flux(['overlay', 'parentof', '0']);
    assert.is(p0.code, 1);
    assert.is(p0.stderr, 'flux-overlay: 0 has no parent\n');
    assert.is(i.flux(['overlay', 'parentof', '9']).stderr, 'flux-overlay: 9 is not a valid rank in this instance\n');
    assert.is(i.flux(['overlay', 'lookup', '1']).stdout, `${host}\n`);
    assert.is(i.flux(['getattr', 'tbon.maxlevel']).stdout, '1\n');
    assert.is(i.flux(['getattr', 'broker.boot-method']).stdout, 'simple\n');
    assert.match(i.flux(['getattr', 'tbon.endpoint']).stdout, /^ipc:\/\/.*\/tbon-0\n$/);
  });
});

test('size 3: flux exec reaches ranks 1 and 2', async () => {
  if (!hasExec) return;
  await withInstance(['--test-size=3'], (i) => {
    const r = i.flux(['exec', '-r', '1-2', 'flux', 'getattr', 'rank']);
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').sort(), ['1', '2']);
  });
});

test('kary:2 at size 7: maxlevel 2, routing to rank 6, events reach every rank', async () => {
  await withInstance(['--test-size=7', '-Stbon.topo=kary:2'], (i) => {
    assert.is(i.flux(['getattr', 'tbon.maxlevel']).stdout, '2\n');
    const ping = i.flux(['ping', '-c', '1', '6']);
    assert.is(ping.code, 0, ping.stderr);
    assert.match(ping.stdout, /^6!broker\.ping/m);
    assert.is(i.flux(['overlay', 'parentof', '6']).stdout, '2\n');
    const st = i.flux(['overlay', 'status', '--no-pretty']).stdout.split('\n').map((l) => l.split(' ')[0]);
    assert.equal(st.slice(0, 7), ['0', '1', '3', '4', '2', '5', '6']);
    // Each rank's rank via its own local socket, and an event seen on all of them.
    const rundir = i.flux(['getattr', 'rundir']).stdout.trim();
    for (let r = 0; r < 7; r++) {
      const env = { FLUX_URI: `local://${rundir}/local-${r}` };
      assert.is(i.flux(['getattr', 'rank'], { env }).stdout, `${r}\n`);
      assert.is(i.flux(['getattr', 'tbon.level'], { env }).stdout, `${r === 0 ? 0 : r < 3 ? 1 : 2}\n`);
    }
  });
});

test.run();
