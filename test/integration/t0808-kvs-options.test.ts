/**
 * flux kvs: every option a usage line shows does what flux-kvs(1) says, and
 * Flux's content-store options are refused in one line that says why (and are
 * in no usage line): get -t/-l, put -t/-n/-s, mkdir/link/unlink -s, dir -d,
 * readlink -o/-k, -O/-b/-a refused; version, wait, getroot, dropcache; the
 * link operand-count line and namespace's unknown sub-command with its usage;
 * get --watch --append prints only what is appended, an overwrite ends it;
 * a watched value removed or made a directory fails the watch (exit 1), on
 * rank 0 and through rank 1's relay, by a commit or by the API's own calls;
 * --full hears a directory above the key copied over or replaced.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { FLUX, startInstance, type Instance } from '../helpers/flux';
import { until, waitUntil } from '../helpers/wait';
import { Client } from '../../cli/api/client';
import { kvs as kvsApi } from '../../cli/api/kvs';

let inst: Instance;
const kvs = (...args: string[]) => inst.flux(['kvs', ...args]);
const version = () => Number(kvs('version').stdout);

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

test('get -t prints the RFC 11 treeobj, -l the key', () => {
  assert.is(kvs('put', 'a.b.c=hello').code, 0);
  assert.is(kvs('get', '-t', 'a.b.c').stdout, '{"data":"aGVsbG8=","type":"val","ver":1}\n');
  assert.is(kvs('link', 'a.b.c', 'ln').code, 0);
  assert.is(kvs('get', '-t', 'ln').stdout, '{"data":{"target":"a.b.c"},"type":"symlink","ver":1}\n');
  const dir = kvs('get', '-t', 'a.b');
  assert.equal([dir.code, dir.stderr], [1, 'flux-kvs: a.b: flux-ts has no content store, so a directory has no treeobj (dirref)\n']);
  assert.is(kvs('get', '-l', 'a.b.c', 'ln').stdout, 'a.b.c=hello\nln=hello\n');
});

test('put -t stores a val or makes a link; other treeobjs are refused', () => {
  assert.is(kvs('put', '-t', 'tv={"data":"aGVsbG8=","type":"val","ver":1}').code, 0);
  assert.is(kvs('get', 'tv').stdout, 'hello\n');
  assert.is(kvs('put', '-t', 'tl={"data":{"target":"tv"},"type":"symlink","ver":1}').code, 0);
  assert.is(kvs('readlink', 'tl').stdout, 'tv\n');
  const ref = kvs('put', '-t', 'tr={"data":["sha1-00"],"type":"valref","ver":1}');
  assert.equal([ref.code, ref.stderr], [1, 'flux-kvs: tr: put -t: a valref names blobs in a content store, and flux-ts has none\n']);
  assert.is(kvs('put', '-t', 'tr=notjson').stderr, 'flux-kvs: tr: put -t: not a JSON treeobj\n');
});

test('version counts changes; put/mkdir/link/unlink -s print the one that holds theirs; put -n', () => {
  const v0 = version();
  assert.ok(Number.isInteger(v0) && v0 > 0, `version ${v0}`);
  assert.is(kvs('put', '-s', 's1=1').stdout, `${v0 + 1}\n`);
  assert.is(kvs('mkdir', '-s', 'sd').stdout, `${v0 + 2}\n`);
  assert.is(kvs('link', '-s', 's1', 'sl').stdout, `${v0 + 3}\n`);
  assert.is(kvs('unlink', '-s', 'sl').stdout, `${v0 + 4}\n`);
  assert.is(kvs('getroot', '-s').stdout, `${v0 + 4}\n`);
  // no merging in flux-ts: -n stores as put does, the command's keys one version (one transaction)
  assert.is(kvs('put', '-n', 'n1=a', 'n2=b').code, 0);
  assert.is(kvs('get', 'n1', 'n2').stdout, 'a\nb\n');
  assert.is(version(), v0 + 5);
  assert.is(inst.flux(['kvs', 'version']).stdout, `${v0 + 5}\n`);
  assert.is(kvs('getroot', '-o').stdout, `${process.getuid?.() ?? 0}\n`);
});

test('wait VERSION blocks until the store reaches it', async () => {
  const v = version();
  assert.is(kvs('wait', String(v)).code, 0, 'a version already reached: at once');
  let done = false;
  const waiting = inst.fluxAsync(['kvs', 'wait', String(v + 2)]).then((r) => ((done = true), r));
  // the request is in once the kvs counts it (flux module stats kvs)
  const waiters = () => (JSON.parse(inst.flux(['module', 'stats', 'kvs']).stdout) as { versionWaiters: number }).versionWaiters;
  await until(() => waiters() === 1, 'the wait to reach the kvs');
  kvs('put', 'wv=1');
  // one version short: still waiting, and answered only by the next change
  assert.is(waiters(), 1);
  assert.not.ok(done, 'wait returned before the version was reached');
  kvs('put', 'wv=2');
  assert.is((await waiting).code, 0);
  assert.is(kvs('wait', 'abc').stderr, 'flux-kvs: wait: abc: the version must be a non-negative integer\n');
});

test('dropcache drops the unpacked copies of packed directories', async () => {
  kvs('put', 'cold.a=1', 'cold.b=2');
  const h = await Client.connect(inst.uri);
  const stats = async () => (await h.rpc<{ pack: { packed: number; views: number } }>('kvs.stats-get', {})).pack;
  try {
    await h.rpc('kvs.pack', { key: 'cold' });
    await waitUntil(async () => (await stats()).packed >= 1, { what: 'cold to be packed' });
    assert.is(kvs('get', 'cold.a').stdout, '1\n');
    assert.ok((await stats()).views >= 1, 'a read keeps an unpacked copy');
    assert.is(kvs('dropcache').code, 0);
    assert.is((await stats()).views, 0);
    assert.is(kvs('dropcache', '--all').code, 0);
  } finally {
    h.close();
  }
});

test('content-store options are refused in one line, and in no usage line', () => {
  const cases: Array<[string[], string]> = [
    [['put', '-O', 'x=1'], 'flux-kvs: put: -O: flux-ts has no content store, so no root treeobj to output\n'],
    [['put', '-b', 'x=1'], 'flux-kvs: put: -b: flux-ts has no content store, so no blobrefs\n'],
    [['mkdir', '-O', 'x'], 'flux-kvs: mkdir: -O: flux-ts has no content store, so no root treeobj to output\n'],
    [['unlink', '-b', 'x'], 'flux-kvs: unlink: -b: flux-ts has no content store, so no blobrefs\n'],
    [['link', '-O', 'x', 'y'], 'flux-kvs: link: -O: flux-ts has no content store, so no root treeobj to output\n'],
    [['get', '-a', '{}', 'x'], 'flux-kvs: get: -a: flux-ts keeps no snapshots of the store to look up at\n'],
    [['dir', '-a', '{}'], 'flux-kvs: dir: -a: flux-ts keeps no snapshots of the store to look up at\n'],
    [['readlink', '-a', '{}', 'x'], 'flux-kvs: readlink: -a: flux-ts keeps no snapshots of the store to look up at\n'],
    [['getroot'], 'flux-kvs: getroot: flux-ts has no content store, so no root treeobj: use -s (sequence) or -o (owner)\n'],
    [['getroot', '-b'], 'flux-kvs: getroot: -b: flux-ts has no content store, so no blobrefs\n'],
    [['link', 'onlyone'], 'flux-kvs: link: specify target and link_name\n'],
    [['link', 'a', 'b', 'c'], 'flux-kvs: link: specify target and link_name\n'],
  ];
  for (const [args, err] of cases) {
    const r = kvs(...args);
    assert.equal([r.code, r.stderr], [1, err], args.join(' '));
  }
  for (const sub of ['get', 'put', 'dir', 'readlink', 'link', 'mkdir', 'unlink', 'getroot']) {
    const help = kvs(sub, '--help').stdout;
    assert.not.match(help, /-O|-b\b|-a |treeobj-root|blobref|--at/, `${sub} --help`);
  }
});

test('dir -d, readlink -o/-k; namespace bogus prints its usage', () => {
  assert.is(kvs('dir', '-d', 'a.b').stdout, 'a.b.c\n');
  assert.is(kvs('readlink', '-k', 'ln').stdout, 'a.b.c\n');
  assert.is(kvs('readlink', '-o', 'ln').stdout, '', 'flux-ts links name no namespace');
  const r = kvs('namespace', 'bogus');
  assert.equal([r.code, r.stderr], [1, 'flux-kvs namespace: Unknown subcommand: bogus\nUsage: flux-kvs namespace create [-o owner] name [name...]\n   or: flux-kvs namespace list\n   or: flux-kvs namespace remove name [name...]\n']);
});

/** `flux kvs get --watch [args] KEY` on rank (0 or 1), with its output so far and its exit */
function watchOn(rank: number, key: string, ...args: string[]) {
  const env = { ...inst.env, FLUX_URI: inst.uri.replace(/local-0$/, `local-${rank}`) };
  const child = spawn(FLUX, ['kvs', 'get', '--watch', ...args, key], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const io = { out: '', err: '' };
  child.stdout!.on('data', (b: Buffer) => (io.out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (io.err += b.toString()));
  const done = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, io, done };
}

test('get --watch -A prints the value, then only what each append adds; an overwrite is Invalid argument', async () => {
  assert.is(kvs('put', 'ap=foo').code, 0);
  const start = (...args: string[]) => watchOn(0, 'ap', ...args);
  const a = start('-A', '--count=3');
  try {
    await waitUntil(() => a.io.out === 'foo\n', { what: 'the watch to print foo' });
    assert.is(kvs('put', '-A', 'ap=bar').code, 0);
    await waitUntil(() => a.io.out === 'foo\nbar\n', { what: 'the watch to print bar' });
    assert.is(kvs('put', '-A', 'ap=baz').code, 0);
    assert.is(await a.done, 0);
    assert.equal([a.io.out, a.io.err], ['foo\nbar\nbaz\n', '']);
  } finally {
    a.child.kill('SIGKILL');
  }
  const b = start('--append');
  try {
    await waitUntil(() => b.io.out === 'foobarbaz\n', { what: 'the watch to print the value' });
    assert.is(kvs('put', 'ap=other').code, 0);
    assert.is(await b.done, 1);
    assert.equal([b.io.out, b.io.err], ['foobarbaz\n', 'flux-kvs: ap: Invalid argument\n']);
  } finally {
    b.child.kill('SIGKILL');
  }
});

test('get --watch of a value that is removed or made a directory fails, as Flux, instead of ending with 0', async () => {
  const h = await Client.connect(inst.uri);
  const cases: Array<{ rank: number; key: string; change: () => Promise<unknown>; err: string }> = [
    { rank: 1, key: 'w1', change: async () => kvs('unlink', 'w1'), err: 'flux-kvs: w1: No such file or directory\n' },
    { rank: 0, key: 'w2.x', change: async () => kvs('unlink', '-R', 'w2'), err: 'flux-kvs: w2.x: No such file or directory\n' },
    { rank: 0, key: 'w3', change: async () => kvs('mkdir', 'w3'), err: 'flux-kvs: w3: Is a directory\n' },
    { rank: 1, key: 'w4', change: async () => kvs('put', 'w4.below=1'), err: 'flux-kvs: w4: Is a directory\n' },
    { rank: 0, key: 'w5', change: () => kvsApi.unlink(h, 'w5'), err: 'flux-kvs: w5: No such file or directory\n' },
    { rank: 1, key: 'w6', change: () => kvsApi.put(h, 'w6.below', 1), err: 'flux-kvs: w6: Is a directory\n' },
  ];
  try {
    for (const c of cases) {
      assert.is(kvs('put', `${c.key}=1`).code, 0);
      const w = watchOn(c.rank, c.key);
      try {
        await waitUntil(() => w.io.out === '1\n', { what: `the watch of ${c.key} to print its value` });
        await c.change();
        assert.is(await w.done, 1, c.key);
        assert.equal([w.io.out, w.io.err], ['1\n', c.err]);
      } finally {
        w.child.kill('SIGKILL');
      }
    }
  } finally {
    h.close();
  }
});

test('get --watch --full hears a directory above the key copied over, then replaced by a value; without it neither', async () => {
  assert.is(kvs('put', 'fa.b=1', 'fsrc.b=7', 'na.b=1').code, 0);
  const w = watchOn(1, 'fa.b', '--full');
  const plain = watchOn(0, 'na.b');
  try {
    await waitUntil(() => w.io.out === '1\n' && plain.io.out === '1\n', { what: 'both watches to print 1' });
    assert.is(kvs('put', 'fa.b=2').code, 0);
    await waitUntil(() => w.io.out === '1\n2\n', { what: 'the --full watch to print 2' });
    assert.is(kvs('copy', 'fsrc', 'fa').code, 0);
    await waitUntil(() => w.io.out === '1\n2\n7\n', { what: 'the --full watch to print the copied value' });
    assert.is(kvs('put', 'fa=5', 'na=5').code, 0);
    assert.is(await w.done, 1);
    assert.equal([w.io.out, w.io.err], ['1\n2\n7\n', 'flux-kvs: fa.b: No such file or directory\n']);
    // the plain watch saw nothing of its parent replaced, as Flux's: a new na.b is its next value
    assert.is(kvs('unlink', 'na').code, 0);
    assert.is(kvs('put', 'na.b=3').code, 0);
    await waitUntil(() => plain.io.out === '1\n3\n', { what: 'the plain watch to print 3' });
    assert.is(plain.io.err, '');
  } finally {
    w.child.kill('SIGKILL');
    plain.child.kill('SIGKILL');
  }
});

test.run();
