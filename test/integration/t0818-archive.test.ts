/**
 * flux archive (flux-archive(1)) in a size-2 instance: create from a tree
 * with modes, a symbolic link, an empty file and a file larger than a blob
 * (with a hole); list (-l, --raw, PATTERN); extract on every rank through
 * flux exec, identical to the source; refusals as Flux words them (an
 * existing archive, an existing file, a missing archive, bad names and
 * options); remove (-f); --waitcreate while another command creates the
 * archive later (from rank 1 too) and its timeout; members that would land
 * outside -C DIR refused; --no-force-primary inside a job; and an archive
 * made with --preserve extracted after a restart.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { run, startInstance, tmpdir, type Instance, type Result } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

const d = tmpdir('flux-t0818-');
const src = path.join(d.dir, 'src');
const out = path.join(d.dir, 'out');
let inst: Instance;
const archive = (args: string[], cwd = src): Result => inst.flux(['archive', ...args], { cwd });
const stats = () => JSON.parse(inst.flux(['module', 'stats', 'kvs']).stdout) as { watchers: number };
const errLine = (r: Result) => [r.code, r.stdout, r.stderr];

/** 3 MiB: a random MiB, a MiB of zeros (a hole in the blobvec), a random MiB */
const MIB = 1024 * 1024;
const big = Buffer.concat([randomBytes(MIB), Buffer.alloc(MIB), randomBytes(MIB)]);
const small = randomBytes(100);
const ORDER = ['tree/a.txt', 'tree/empty', 'tree/link', 'tree/sub/big', 'tree/sub/script.sh', 'tree/sub/small.bin', 'tree/sub', 'tree'];

test.before(async () => {
  fs.mkdirSync(path.join(src, 'tree', 'sub'), { recursive: true });
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(src, 'tree', 'a.txt'), 'hello\n');
  fs.writeFileSync(path.join(src, 'tree', 'empty'), '');
  fs.symlinkSync('a.txt', path.join(src, 'tree', 'link'));
  fs.writeFileSync(path.join(src, 'tree', 'sub', 'script.sh'), '#!/bin/sh\necho hi\n');
  fs.writeFileSync(path.join(src, 'tree', 'sub', 'big'), big);
  fs.writeFileSync(path.join(src, 'tree', 'sub', 'small.bin'), small);
  for (const [f, m] of [['tree/a.txt', 0o640], ['tree/empty', 0o600], ['tree/sub/script.sh', 0o755], ['tree/sub/big', 0o644], ['tree/sub/small.bin', 0o644], ['tree/sub', 0o750], ['tree', 0o755]] as const) {
    fs.chmodSync(path.join(src, f), m);
  }
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  d.cleanup();
});

test('create -v, list, list -l, --raw and PATTERN show what Flux shows', () => {
  const c = archive(['create', '-v', 'tree']);
  assert.equal(errLine(c), [0, ORDER.map((p) => `${p}\n`).join(''), ''], 'directories after what they hold');
  assert.equal(errLine(archive(['list'])), [0, ORDER.map((p) => `${p}\n`).join(''), '']);
  const long = [
    'f 0640        6 tree/a.txt',
    'f 0600        0 tree/empty',
    'l 0777        0 tree/link',
    'f 0644  3145728 tree/sub/big',
    'f 0755       18 tree/sub/script.sh',
    'f 0644      100 tree/sub/small.bin',
    'd 0750        0 tree/sub',
    'd 0755        0 tree',
  ];
  assert.equal(errLine(archive(['list', '--long'])), [0, long.map((l) => `${l}\n`).join(''), '']);
  assert.equal(errLine(archive(['list', '-l', 'tree/sub/*.sh'])), [0, 'f 0755       18 tree/sub/script.sh\n', '']);
  const raw = (pattern: string) => JSON.parse(archive(['list', '--raw', pattern]).stdout) as { encoding?: string; data?: unknown; size?: number; mode: number };
  assert.equal([raw('tree/a.txt').encoding, raw('tree/a.txt').data], ['utf-8', 'hello\n']);
  assert.equal([raw('tree/sub/small.bin').encoding, raw('tree/sub/small.bin').data], ['base64', small.toString('base64')]);
  assert.equal([raw('tree/link').data, raw('tree/link').mode], ['a.txt', 0o120777]);
  assert.equal(raw('tree/empty'), { ...raw('tree/empty'), size: 0 });
  assert.not.ok('encoding' in raw('tree/empty'), 'an empty file has no data');
  const blobs = raw('tree/sub/big');
  assert.is(blobs.encoding, 'blobvec');
  assert.equal((blobs.data as Array<[number, number, string]>).map(([o, s]) => [o, s]), [[0, MIB], [2 * MIB, MIB]], 'the MiB of zeros is a hole');
  const none = archive(['list', 'nomatch']);
  assert.equal(errLine(none), [0, '', "flux-archive: No files matched pattern 'nomatch'\n"]);
  // the archive is one KVS value, its blobs keys of their own
  assert.is((JSON.parse(inst.flux(['kvs', 'get', 'archive.main']).stdout) as unknown[]).length, 8);
  assert.is(inst.flux(['kvs', 'ls', 'archive.main_blobs']).stdout.trim().split(/\s+/).length, 2);
});

test('extract on every rank through flux exec: the same files, modes and link', () => {
  const r = inst.flux(['exec', '-r', 'all', 'sh', '-c', `umask 022; d=${out}/$(flux getattr rank) && mkdir -p "$d" && flux archive extract -C "$d"`]);
  assert.equal(errLine(r), [0, '', '']);
  for (const rank of ['0', '1']) {
    const at = (f: string) => path.join(out, rank, f);
    assert.is(fs.readFileSync(at('tree/a.txt'), 'utf8'), 'hello\n');
    assert.ok(fs.readFileSync(at('tree/sub/big')).equals(big), `rank ${rank}: the large file is whole`);
    assert.ok(fs.readFileSync(at('tree/sub/small.bin')).equals(small));
    assert.is(fs.statSync(at('tree/empty')).size, 0);
    assert.is(fs.readlinkSync(at('tree/link')), 'a.txt');
    const modes = ['tree/a.txt', 'tree/empty', 'tree/sub/script.sh', 'tree/sub', 'tree'].map((f) => (fs.statSync(at(f)).mode & 0o777).toString(8));
    assert.equal(modes, ['640', '600', '755', '750', '755'], `rank ${rank}`);
  }
  assert.is(inst.flux(['exec', '-r', '1', 'sh', '-c', `cd ${out}/1 && ./tree/sub/script.sh`]).stdout, 'hi\n');
  // -t lists (-v: long form), -v names each file on stderr, PATTERN picks
  assert.equal(errLine(archive(['extract', '-t', 'tree/a*'])), [0, 'tree/a.txt\n', '']);
  assert.equal(errLine(archive(['extract', '--list-only', '-v', 'tree/a*'])), [0, 'f 0640        6 tree/a.txt\n', '']);
  fs.mkdirSync(path.join(out, 'v'));
  assert.equal(errLine(archive(['extract', '--verbose', '--directory', path.join(out, 'v'), 'tree/sub/s*'])), [0, '', 'tree/sub/script.sh\ntree/sub/small.bin\n']);
  assert.equal(fs.readdirSync(path.join(out, 'v', 'tree', 'sub')).sort(), ['script.sh', 'small.bin']);
});

test('an existing archive or file is refused; --overwrite and --append', () => {
  assert.equal(errLine(archive(['create', 'tree'])), [1, '', 'flux-archive: archive.main: key exists\n']);
  const again = archive(['extract', '-C', path.join(out, '0')]);
  assert.equal(errLine(again), [1, '', 'flux-archive: tree/a.txt: write: Attempt to overwrite existing file\n']);
  fs.writeFileSync(path.join(out, '0', 'tree', 'a.txt'), 'changed');
  assert.equal(errLine(archive(['extract', '--overwrite', '-C', path.join(out, '0')])), [0, '', '']);
  assert.is(fs.readFileSync(path.join(out, '0', 'tree', 'a.txt'), 'utf8'), 'hello\n');
  assert.equal(errLine(archive(['create', '--overwrite', '--append', 'tree'])), [1, '', 'flux-archive: --overwrite and --append cannot be used together\n']);
  assert.equal(errLine(archive(['create', '--overwrite', 'tree/a.txt'])), [0, '', '']);
  assert.is(archive(['list']).stdout, 'tree/a.txt\n');
  assert.is(inst.flux(['kvs', 'ls', 'archive.main_blobs']).code, 1, 'the blobs of the archive overwritten are gone');
  assert.equal(errLine(archive(['create', '--append', 'tree/empty'])), [0, '', '']);
  assert.is(archive(['list']).stdout, 'tree/a.txt\ntree/empty\n');
  // --chunksize and --small-file-threshold: how files are cut into blobs
  assert.is(archive(['create', '-n', 'cut', '--chunksize=512K', '--small-file-threshold=0', 'tree/sub/big', 'tree/a.txt']).code, 0);
  const raw = archive(['list', '-n', 'cut', '--raw']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { encoding: string; data: unknown[] });
  assert.equal(raw.map((f) => [f.encoding, f.data.length]), [['blobvec', 4], ['blobvec', 1]]);
  fs.mkdirSync(path.join(out, 'cut'));
  assert.is(archive(['extract', '-n', 'cut', '-C', path.join(out, 'cut')]).code, 0);
  assert.ok(fs.readFileSync(path.join(out, 'cut', 'tree', 'sub', 'big')).equals(big));
  assert.is(archive(['remove', '-n', 'cut']).code, 0);
});

test('remove, -f, and what a missing archive says', () => {
  assert.equal(errLine(archive(['remove'])), [0, '', '']);
  assert.equal(errLine(archive(['remove'])), [1, '', 'flux-archive: archive.main does not exist\n']);
  assert.equal(errLine(archive(['remove', '-f'])), [0, '', '']);
  assert.equal(errLine(archive(['remove', '--force', '--name', 'nosuch'])), [0, '', '']);
  assert.equal(errLine(archive(['list'])), [1, '', 'flux-archive: KVS lookup archive.main: No such file or directory\n']);
  assert.equal(errLine(archive(['extract', '-n', 'nosuch'])), [1, '', 'flux-archive: KVS lookup archive.nosuch: No such file or directory\n']);
  assert.is(inst.flux(['kvs', 'ls', 'archive']).code, 1, 'nothing of the archives is left');
});

test('bad names, options and files: one line, exit 1', () => {
  // sparse: 600 MiB as ls -l shows it, no data on disk
  fs.writeFileSync(path.join(d.dir, 'huge'), '');
  fs.truncateSync(path.join(d.dir, 'huge'), 600 * MIB);
  const cases: Array<[string[], string]> = [
    [['list', '-n', 'a.b'], "flux-archive: invalid archive name 'a.b': use letters, digits and -_+=@: only\n"],
    [['create', '-n', 'a/b', 'tree'], "flux-archive: invalid archive name 'a/b': use letters, digits and -_+=@: only\n"],
    [['create', '-n', 'x_blobs', 'tree'], "flux-archive: invalid archive name 'x_blobs': a name may not end in _blobs\n"],
    [['list', '-n', 'x'.repeat(201)], `flux-archive: invalid archive name '${'x'.repeat(20)}...': at most 200 characters\n`],
    [['create', 'nosuch'], 'flux-archive: nosuch: No such file or directory\n'],
    [['create', '-C', 'nosuchdir', 'tree'], 'flux-archive: chdir nosuchdir: No such file or directory\n'],
    [['extract', '-C', 'nosuchdir'], 'flux-archive: chdir nosuchdir: No such file or directory\n'],
    [['create', '--mmap', 'tree'], 'flux-archive: --mmap: flux-ts has no content store to map files into (files are copied into the KVS)\n'],
    [['create', '--chunksize=0', 'tree'], 'flux-archive: --chunksize=0: a blob is one KVS value here, from 1 byte to 4M\n'],
    [['create', '--small-file-threshold=abc', 'tree'], "flux-archive: invalid argument for option 'small-file-threshold': abc: Invalid argument\n"],
    [['extract', '--waitcreate=soon'], 'flux-archive: could not parse --waitcreate timeout: Invalid argument\n'],
    [['create', '-C', d.dir, 'huge'], 'flux-archive: huge: archive main would hold more than 512M of file data, the most flux-ts keeps in one archive\n'],
  ];
  for (const [args, err] of cases) assert.equal(errLine(archive(args)), [1, '', err], args.join(' '));
  assert.is(run('mkfifo', [path.join(d.dir, 'fifo')]).code, 0);
  assert.equal(errLine(archive(['create', '-C', d.dir, 'fifo'])), [1, '', 'flux-archive: fifo: unsupported file type\n']);
  assert.is(inst.flux(['kvs', 'get', 'archive.main']).code, 1, 'a refused create leaves no archive');
  const usage = archive(['create']);
  assert.is(usage.code, 1);
  assert.match(usage.stderr, /^Usage: flux-archive create \[-n NAME\] \[-C DIR\] \[--preserve\] PATH \.\.\.\nCreate a KVS file archive\n/);
  const group = inst.flux(['archive']);
  assert.equal([group.code, group.stderr.split('\n')[0]], [1, 'flux-archive: missing subcommand']);
});

test('extract never writes outside -C DIR: .., absolute paths and links refused', () => {
  const dest = path.join(out, 'safe');
  const outside = path.join(d.dir, 'outside');
  fs.mkdirSync(dest);
  fs.mkdirSync(outside);
  const put = (name: string, entries: object[]) => assert.is(inst.flux(['kvs', 'put', `archive.${name}=${JSON.stringify(entries)}`]).code, 0);
  const file = (p: string) => ({ path: p, mode: 0o100644, size: 1, encoding: 'utf-8', data: 'x' });
  put('dotdot', [file('ok'), file('../escaped')]);
  put('abs', [file(`${outside}/abs`)]);
  put('link', [{ path: 'esc', mode: 0o120777, data: outside }, file('esc/through')]);
  assert.equal(errLine(archive(['extract', '-n', 'dotdot', '-C', dest])), [1, '', "flux-archive: ../escaped: Path contains '..'\n"]);
  assert.not.ok(fs.existsSync(path.join(dest, 'ok')), 'nothing is written when a member is refused');
  assert.equal(errLine(archive(['extract', '-n', 'abs', '-C', dest])), [1, '', `flux-archive: ${outside}/abs: Path is absolute\n`]);
  assert.equal(errLine(archive(['extract', '-n', 'link', '-C', dest])), [1, '', 'flux-archive: esc/through: Cannot extract through symlink esc\n']);
  assert.equal(fs.readdirSync(outside), [], 'nothing was written outside');
  assert.not.ok(fs.existsSync(path.join(out, 'escaped')));
  for (const n of ['dotdot', 'abs', 'link']) assert.is(archive(['remove', '-n', n]).code, 0);
});

test('--waitcreate: extract waits until another command creates the archive (rank 0 and rank 1)', async () => {
  const w0 = path.join(out, 'w0');
  const w1 = path.join(out, 'w1');
  fs.mkdirSync(w0);
  fs.mkdirSync(w1);
  const before = stats().watchers;
  const on0 = inst.fluxAsync(['archive', 'extract', '--waitcreate', '-n', 'later', '-C', w0]);
  const on1 = inst.fluxAsync(['exec', '-r', '1', 'flux', 'archive', 'extract', '--waitcreate=60s', '-n', 'later', '-C', w1]);
  await waitUntil(() => stats().watchers >= before + 2, { what: 'both extracts to wait on the kvs' });
  assert.equal(errLine(archive(['create', '-n', 'later', 'tree/a.txt', 'tree/sub/big'])), [0, '', '']);
  const [r0, r1] = await Promise.all([on0, on1]);
  assert.equal([errLine(r0), errLine(r1)], [[0, '', ''], [0, '', '']]);
  for (const w of [w0, w1]) {
    assert.is(fs.readFileSync(path.join(w, 'tree', 'a.txt'), 'utf8'), 'hello\n');
    assert.ok(fs.readFileSync(path.join(w, 'tree', 'sub', 'big')).equals(big));
  }
  const late = archive(['extract', '--waitcreate=0.2s', '-n', 'never']);
  assert.equal(errLine(late), [1, '', 'flux-archive: archive.never: key was not created within timeout window\n']);
  assert.is(archive(['remove', '-n', 'later']).code, 0);
});

test('--no-force-primary: an archive in the job`s own namespace', () => {
  const r = inst.flux(['run', 'sh', '-c', `cd ${src} && flux archive create --no-force-primary -n mine tree/a.txt && flux archive list --no-force-primary -n mine`]);
  assert.equal(errLine(r), [0, 'tree/a.txt\n', '']);
  assert.equal(errLine(archive(['list', '-n', 'mine'])), [1, '', 'flux-archive: KVS lookup archive.mine: No such file or directory\n']);
});

test('--preserve: the archive is extracted after a restart on the same statedir', async () => {
  const statedir = path.join(d.dir, 'state');
  let one = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
  try {
    assert.equal(errLine(one.flux(['archive', 'create', '--preserve', 'tree/sub/big'], { cwd: src })), [0, '', '']);
    assert.is(await one.stop(), 0);
    one = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
    fs.mkdirSync(path.join(out, 'restart'));
    assert.equal(errLine(one.flux(['archive', 'extract', '-C', path.join(out, 'restart')])), [0, '', '']);
    assert.ok(fs.readFileSync(path.join(out, 'restart', 'tree', 'sub', 'big')).equals(big));
  } finally {
    await one.stop().catch(() => one.kill());
  }
});

test.run();
