/**
 * flux dump FILE writes the kvs as a tar archive (npm tar), and a new instance
 * started with -Sstatedir=NEW -Scontent.restore=FILE has every key and knows
 * the jobs (round trip); `flux dump -` writes the archive to stdout. Bad file names and formats are one line, exit 1.
 * FILE.zip is a zip (Flux's libarchive formats): values, eventlogs, links and
 * empty directories come back from it through flux restore, content.restore
 * and flux shutdown --dump.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { run, startInstance, tmpdir, type Instance } from '../helpers/flux';

const d = tmpdir('flux-t0804-');
const started: Instance[] = [];

test.after(() => {
  for (const i of started) i.kill();
  d.cleanup();
});

test('dump, then restore into a new statedir: every key and job kept', async () => {
  const a = await startInstance(['--test-size=1', `-Sstatedir=${path.join(d.dir, 's1')}`]);
  started.push(a);
  const done = a.flux(['submit', '--wait', 'echo', 'dumped']).stdout.trim();
  const held = a.flux(['submit', '--urgency=hold', 'true']).stdout.trim();
  assert.is(a.flux(['kvs', 'put', 'user.k=v', 'user.obj={"a":1}']).code, 0);
  const keys = a.flux(['kvs', 'dir', '-R', '-w', '0']).stdout;
  const tarfile = path.join(d.dir, 'dump.tar');
  const r = a.flux(['dump', tarfile]);
  assert.is(r.code, 0, r.stderr);
  const archived = Number(/flux-dump: archived (\d+) keys\n$/.exec(r.stderr)?.[1]);
  const members = run('tar', ['tf', tarfile]).stdout;
  // as Flux's: one member a key, none for the directories that hold them
  assert.is(members.split('\n').filter(Boolean).length, archived, members);
  assert.not.match(members, /\/\n/);
  assert.match(members, /user\/k\n/);
  assert.match(members, /job\/[0-9a-f]{4}\/[0-9a-f]{4}\/[0-9a-f]{4}\/[0-9a-f]{4}\/eventlog\n/);
  assert.is(await a.stop(), 0);

  const b = await startInstance(['--test-size=1', `-Sstatedir=${path.join(d.dir, 's2')}`, `-Scontent.restore=${tarfile}`]);
  started.push(b);
  assert.is(b.flux(['kvs', 'get', 'user.k', 'user.obj']).stdout, 'v\n{"a":1}\n');
  const listed = b.flux(['jobs', '-a', '-n', '-o', '{id.f58} {status_abbrev}']).stdout;
  assert.match(listed, new RegExp(`${done} CD`));
  assert.match(listed, new RegExp(`${held} S`));
  // every key of the dump is there (the jobs got flux-restart events since: compare names)
  const names = (s: string) => s.split('\n').filter(Boolean).map((l) => l.split(' = ')[0]);
  for (const k of names(keys)) assert.ok(names(b.flux(['kvs', 'dir', '-R', '-w', '0']).stdout).includes(k), `${k} restored`);
  assert.is(await b.stop(), 0);
});

test('dump errors are one line', async () => {
  const a = await startInstance(['--test-size=1']);
  started.push(a);
  const bad = a.flux(['dump', '/nonexistent/dir/x.tar']);
  assert.is(bad.code, 1);
  assert.is(bad.stderr, "flux-dump: Failed to open '/nonexistent/dir/x.tar'\n");
  const fmt = a.flux(['dump', '-q', path.join(d.dir, 'x.txt')]);
  assert.is(fmt.stderr, `flux-dump: No such format '${path.join(d.dir, 'x.txt')}'\n`);
  const tgz = path.join(d.dir, 'x.tgz');
  assert.is(a.flux(['dump', '-q', tgz]).code, 0);
  assert.equal([...fs.readFileSync(tgz).subarray(0, 2)], [0x1f, 0x8b], 'gzip');
  // - is a tar archive on stdout
  assert.is(a.flux(['kvs', 'put', 'user.piped=yes']).code, 0);
  const piped = a.flux(['env', 'sh', '-c', 'flux dump -q - | tar xOf - user/piped']);
  assert.equal([piped.code, piped.stdout, piped.stderr], [0, 'yes', '']);
  assert.is(await a.stop(), 0);
});

test('zip: dump, restore --key, content.restore and shutdown --dump keep values, eventlogs, links and empty directories', async () => {
  const a = await startInstance(['--test-size=1', `-Sstatedir=${path.join(d.dir, 'z1')}`]);
  started.push(a);
  const job = a.flux(['submit', '--wait', 'echo', 'zipped']).stdout.trim();
  for (const args of [['put', 'zz.k=v', 'zz.obj={"a":[1,2]}'], ['link', 'zz.k', 'zz.ln'], ['mkdir', 'zz.empty']]) {
    const r = a.flux(['kvs', ...args]);
    assert.is(r.code, 0, r.stderr);
  }
  const zip = path.join(d.dir, 'dump.zip');
  const r = a.flux(['dump', '-q', zip]);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.equal([...fs.readFileSync(zip).subarray(0, 4)], [0x50, 0x4b, 3, 4], 'a zip');
  // what another zip reader sees, where the machine has one (Python's zipfile)
  const py = spawnSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(z.read("zz/k").decode()); print(oct(z.getinfo("zz/ln").external_attr >> 16)); print(z.read("zz/ln").decode())', zip], { encoding: 'utf8' });
  if (py.status === 0) assert.is(py.stdout, 'v\n0o120777\nzz.k\n');
  const restored = a.flux(['restore', '-q', '--key=copy', zip]);
  assert.equal([restored.code, restored.stderr], [0, '']);
  const get = a.flux(['kvs', 'get', 'copy.zz.k', 'copy.zz.obj']);
  assert.is(get.stdout, 'v\n{"a":[1,2]}\n', get.stderr);
  assert.is(a.flux(['kvs', 'readlink', 'copy.zz.ln']).stdout, 'zz.k\n');
  assert.is(a.flux(['kvs', 'ls', 'copy.zz.empty']).code, 0, 'the empty directory is a directory');
  const jobKey = a.flux(['job', 'id', '--to=kvs', job]).stdout.trim();
  assert.match(a.flux(['kvs', 'eventlog', 'get', `copy.${jobKey}.eventlog`]).stdout, /^\S+ submit /);
  // shutdown --dump takes .zip too, and a new instance starts from it
  const dumpAtEnd = path.join(d.dir, 'end.zip');
  const sd = a.flux(['shutdown', '--quiet', `--dump=${dumpAtEnd}`]);
  assert.is(sd.code, 0, sd.stderr);
  await a.stop().catch(() => a.kill());
  const b = await startInstance(['--test-size=1', `-Sstatedir=${path.join(d.dir, 'z2')}`, `-Scontent.restore=${dumpAtEnd}`]);
  started.push(b);
  assert.is(b.flux(['kvs', 'get', 'zz.obj']).stdout, '{"a":[1,2]}\n');
  assert.is(b.flux(['kvs', 'readlink', 'zz.ln']).stdout, 'zz.k\n');
  assert.match(b.flux(['jobs', '-a', '-n', '-o', '{id.f58} {status_abbrev}']).stdout, new RegExp(`${job} CD`));
  assert.is(await b.stop(), 0);
});

test.run();
