/**
 * flux restore (flux-restore(1)) and flux start --recovery (flux-start(1)):
 * a dump restored under a key of a running instance, and with --checkpoint
 * (kvs unloaded) into a statedir that a later start runs on, keeps every key;
 * --key is one transaction (a refused key leaves NAME as it was);
 * --checkpoint replaces what the store held; --size-limit skips big keys;
 * errors are one line. --recovery starts a size-1 instance on a statedir or a
 * dump with its jobs listed, the recovery-mode attribute set, every resource
 * offline (a job submitted there does not start), the banner before an
 * interactive shell, and refuses a missing target with one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { onTerminal } from '../helpers/terminal';

const d = tmpdir('flux-t0805-');
const started: Instance[] = [];
const st1 = path.join(d.dir, 'st1');
const tarfile = path.join(d.dir, 'dump.tar');
let keys: string[] = [];
let doneId = '';
let heldId = '';

test.after(() => {
  for (const i of started) i.kill();
  d.cleanup();
});

/** `flux kvs dir -R` as key names (values of jobs change across restarts: flux-restart events) */
const names = (out: string) => out.split('\n').filter(Boolean).map((l) => l.split(' = ')[0]!);

test('dump a statedir instance', async () => {
  const a = await startInstance(['--test-size=1', `-Sstatedir=${st1}`]);
  started.push(a);
  doneId = a.flux(['submit', '--wait', 'echo', 'restored']).stdout.trim();
  heldId = a.flux(['submit', '--urgency=hold', 'true']).stdout.trim();
  assert.is(a.flux(['kvs', 'put', 'user.k=v', 'user.obj={"a":1}', `user.big=${'x'.repeat(2000)}`]).code, 0);
  // a link and an empty directory go into the archive as a symbolic link and a directory member
  assert.is(a.flux(['kvs', 'link', 'user.k', 'user.ln']).code, 0);
  assert.is(a.flux(['kvs', 'mkdir', 'user.empty']).code, 0);
  keys = names(a.flux(['kvs', 'dir', '-R', '-w', '0']).stdout);
  assert.ok(keys.includes('user.ln -> user.k'), keys.join(' '));
  assert.ok(keys.length > 8, keys.join(' '));
  assert.is(a.flux(['dump', '-q', tarfile]).code, 0);

  // --key: under a key of the running kvs, every key of the dump
  const r = a.flux(['restore', '--key=old', tarfile]);
  assert.is(r.code, 0, r.stderr);
  // every key, and the empty directory
  assert.match(r.stderr, new RegExp(`\\rflux-restore: restored ${keys.length + 1} keys\\n`));
  assert.match(r.stderr, new RegExp(`flux-restore: writing ${keys.length + 1} keys to KVS key 'old'\\n$`));
  assert.is(a.flux(['kvs', 'readlink', 'old.user.ln']).stdout, 'user.k\n');
  assert.match(a.flux(['kvs', 'ls', '-F', 'old.user']).stdout, /empty\./);
  const under = names(a.flux(['kvs', 'dir', '-R', '-w', '0', 'old']).stdout);
  assert.equal(under.sort(), keys.map((k) => `old.${k}`).sort());
  assert.is(a.flux(['kvs', 'get', 'old.user.k', 'old.user.obj']).stdout, 'v\n{"a":1}\n');
  const jobdir = keys.find((k) => k.endsWith('.eventlog') && k.startsWith('job.'))!;
  assert.match(a.flux(['kvs', 'eventlog', 'get', `old.${jobdir}`]).stdout, /^\d+\.\d+ submit /, 'an eventlog stays an eventlog');

  // -v lists keys; --size-limit skips the big one with a line; the key is replaced, not merged
  const v = a.flux(['restore', '-v', '--size-limit=1k', '--key=old', tarfile]);
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stderr, /^user\/k$/m);
  assert.match(v.stderr, /^flux-restore: skipping user\/big \(2000 bytes is over the size limit\)$/m);
  assert.is(a.flux(['kvs', 'get', 'old.user.big']).code, 1);

  // from standard input
  const si = run('sh', ['-c', `flux restore -q --key=fromstdin - < ${tarfile}`], { env: a.env });
  assert.is(si.code, 0, si.stderr);
  assert.is(a.flux(['kvs', 'get', 'fromstdin.user.k']).stdout, 'v\n');

  // errors: one line, exit 1
  const cases: Array<[string[], string]> = [
    [['restore', tarfile], 'flux-restore: Please specify a restore target with --checkpoint or --key\n'],
    [['restore', '--checkpoint', tarfile], 'flux-restore: please unload kvs module before using --checkpoint\n'],
    [['restore', '--key=x', path.join(d.dir, 'nosuch.tar')], `flux-restore: ${path.join(d.dir, 'nosuch.tar')}: No such file or directory\n`],
    [['restore', '--key=x', '--size-limit=lots', tarfile], "flux-restore: invalid size limit 'lots'\n"],
    [['restore', '--key=x', '--checkpoint', tarfile], 'flux-restore: --checkpoint and --key are mutually exclusive\n'],
  ];
  const bad = path.join(d.dir, 'bad.tar');
  fs.writeFileSync(bad, 'notatar\n');
  cases.push([['restore', '--key=x', bad], `flux-restore: ${bad}: Unrecognized archive format\n`]);
  for (const [args, err] of cases) {
    const e = a.flux(args);
    assert.is(e.code, 1, args.join(' '));
    assert.is(e.stderr, err, args.join(' '));
  }
  assert.is(await a.stop(), 0);
});

test('restore --key is one transaction: a key the kvs refuses leaves NAME as it was', async () => {
  const c = await startInstance(['--test-size=1']);
  started.push(c);
  const tar = path.join(d.dir, 'long.tar');
  // under the longer NAME the second key is over 1024 bytes (its parts are short enough for a dump's file names)
  const long = `r.${Array.from({ length: 5 }, () => 'z'.repeat(199)).join('.')}`;
  assert.is(c.flux(['kvs', 'put', 'r.a=1', `${long}=2`]).code, 0);
  // more than one message holds (4 MiB parts): the kvs keeps the parts and commits them as one
  const big = 'b'.repeat(3 * 1024 * 1024);
  for (const k of ['r.big1', 'r.big2']) assert.is(c.flux(['kvs', 'put', '-r', `${k}=-`], { input: big }).code, 0);
  assert.is(c.flux(['dump', '-q', tar]).code, 0);
  const name = `t${'x'.repeat(40)}`;
  assert.is(c.flux(['kvs', 'put', `${name}.old=kept`]).code, 0);
  const r = c.flux(['restore', '-q', `--key=${name}`, tar]);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-restore: key is longer than 1024 bytes\n');
  assert.is(c.flux(['kvs', 'get', `${name}.old`]).stdout, 'kept\n', 'NAME is as it was');
  assert.is(c.flux(['kvs', 'get', `${name}.r.a`]).code, 1, 'nothing of the archive is there');
  assert.is(c.flux(['kvs', 'get', `${name}.r.big1`]).code, 1, 'nor of its first parts');
  assert.is(c.flux(['restore', '-q', '--key=short', tar]).code, 0);
  assert.is(c.flux(['kvs', 'get', 'short.r.a', `short.${long}`]).stdout, '1\n2\n');
  assert.is(run('sh', ['-c', 'flux kvs get short.r.big2 | wc -c'], { env: c.env }).stdout.trim(), String(big.length + 1), 'every part');
  assert.is(await c.stop(), 0);
});

test('--checkpoint into a statedir (kvs unloaded): the next start has every key and job', async () => {
  const st2 = path.join(d.dir, 'st2');
  // something there first: --checkpoint replaces it
  const pre = await startInstance(['--test-size=1', `-Sstatedir=${st2}`]);
  started.push(pre);
  assert.is(pre.flux(['kvs', 'put', 'stale.key=1']).code, 0);
  assert.is(await pre.stop(), 0);

  const bare = await startInstance(['--test-size=1', `-Sstatedir=${st2}`, '-Sbroker.rc1_path=', '-Sbroker.rc3_path=']);
  started.push(bare);
  const r = bare.flux(['restore', '--checkpoint', tarfile]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /flux-restore: writing \d+ keys to checkpoint for next KVS start\n$/);
  assert.is(bare.flux(['kvs', 'get', 'user.k']).code, 1, 'the kvs is unloaded again');
  const broken = path.join(d.dir, 'bad.tar');
  assert.is(bare.flux(['restore', '--checkpoint', broken]).stderr, `flux-restore: ${broken}: Unrecognized archive format\n`);
  assert.is(await bare.stop(), 0);

  const b = await startInstance(['--test-size=1', `-Sstatedir=${st2}`]);
  started.push(b);
  const now = names(b.flux(['kvs', 'dir', '-R', '-w', '0']).stdout);
  for (const k of keys) assert.ok(now.includes(k), `${k} restored`);
  assert.not.ok(now.includes('stale.key'), 'what the store held before is gone');
  assert.is(b.flux(['kvs', 'readlink', 'user.ln']).stdout, 'user.k\n');
  assert.match(b.flux(['kvs', 'ls', '-F', 'user']).stdout, /empty\./);
  assert.is(b.flux(['kvs', 'get', 'user.obj']).stdout, '{"a":1}\n');
  const listed = b.flux(['jobs', '-a', '-n', '-o', '{id.f58} {status_abbrev}']).stdout;
  assert.match(listed, new RegExp(`${doneId} CD`));
  assert.match(listed, new RegExp(`${heldId} S`));
  assert.is(await b.stop(), 0);
});

test('flux start --recovery on a statedir: jobs listed, attribute set, resources offline', () => {
  const script = [
    'flux jobs -a -n -o "{id.f58} {status_abbrev}"',
    'flux getattr broker.recovery-mode',
    'flux resource status',
    'id=$(flux submit true)',
    '! flux job wait-event -t 2 $id alloc 2>/dev/null && echo not-started',
  ].join('; ');
  const r = flux(['start', `--recovery=${st1}`, 'sh', '-c', script]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${doneId} CD\n`));
  assert.match(r.stdout, new RegExp(`${heldId} S\n`));
  assert.match(r.stdout, /\n1\n/);
  assert.match(r.stdout, /^ +avail\* ✗ +1 /m, 'rank 0 offline');
  assert.match(r.stdout, /not-started\n$/);
  assert.not.match(r.stdout, /Entering Flux recovery mode/, 'no banner when a command is given');
});

test('flux start --recovery on a dump file, and with --test-size=1', () => {
  const r = flux(['start', '--test-size=1', `--recovery=${tarfile}`, 'flux', 'jobs', '-a', '-n', '-o', '{id.f58}']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${doneId}\n`));
});

test('flux start --recovery errors are one line', () => {
  const empty = path.join(d.dir, 'empty');
  fs.mkdirSync(empty);
  const cases: Array<[string[], string]> = [
    [['--recovery=/nonexistent', 'true'], 'flux-start: /nonexistent: No such file or directory\n'],
    [[`--recovery=${empty}`, 'true'], `flux-start: ${path.join(empty, 'content.lmdb')}: No such file or directory\n`],
    [['--test-size=2', `--recovery=${st1}`, 'true'], 'flux-start: --recovery starts a size-1 instance: --test-size must be 1\n'],
  ];
  if (!fs.existsSync('/var/lib/flux')) cases.push([['--recovery', 'true'], 'flux-start: /var/lib/flux: No such file or directory\n']);
  for (const [args, err] of cases) {
    const r = flux(['start', ...args]);
    assert.is(r.code, 1, args.join(' '));
    assert.is(r.stderr, err, args.join(' '));
  }
});

test('flux start --recovery interactive: the banner, then a shell', async () => {
  const r = await onTerminal(`${path.join(__dirname, '..', '..', '..', 'bin', 'flux')} start --recovery=${st1}`, ['flux getattr broker.recovery-mode\n', 'exit\n']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /\| Entering Flux recovery mode\.\n\| All resources will be offline during recovery\./);
  assert.match(r.out, new RegExp(`\\| statedir +${st1}\n`));
  assert.match(r.out, /\| Exit this shell when finished\./);
  assert.match(r.out, /broker\.recovery-mode\n1\n/);
});

test.run();
