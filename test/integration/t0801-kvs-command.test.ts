/**
 * flux kvs (flux-kvs(1)): put/get (raw, append, stdin), errors as Flux words
 * them, ls (columns, -R, -d -F), dir (-R, truncation), unlink (-R), link,
 * readlink, mkdir, copy, move (one transaction: a failure changes nothing), get
 * --watch --count, eventlog append/get/wait-event, namespace list, and that
 * what `flux kvs put` wrote is still there after a restart on the statedir.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { FLUX, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';
import { Client } from '../../cli/api/client';

const d = tmpdir('flux-t0801-');
const statedir = path.join(d.dir, 'state');
let inst: Instance;
const kvs = (...args: string[]) => inst.flux(['kvs', ...args]);

test.before(async () => {
  inst = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  d.cleanup();
});

test('put and get, raw, append, stdin', () => {
  assert.is(kvs('put', 'a.b.c=hello').code, 0);
  assert.is(kvs('get', 'a.b.c').stdout, 'hello\n');
  assert.is(kvs('put', 'num=42', 'obj={"x":1,"y":[1,2]}', 'str=plain').code, 0);
  assert.is(kvs('get', 'num', 'obj', 'str').stdout, '42\n{"x":1,"y":[1,2]}\nplain\n');
  assert.is(kvs('put', '-r', 'raw=abc').code, 0);
  assert.is(kvs('get', '-r', 'raw').stdout, 'abc');
  assert.is(inst.flux(['kvs', 'put', '-r', 'fromstdin=-'], { input: 'from stdin' }).code, 0);
  assert.is(kvs('get', 'fromstdin').stdout, 'from stdin\n');
  kvs('put', '-A', 'app=one');
  kvs('put', '-A', 'app=two');
  assert.is(kvs('get', 'app').stdout, 'onetwo\n');
  assert.is(kvs('put', 'a.=x2').code, 0);
  assert.is(kvs('get', '.a.').stdout, 'x2\n', 'keys are normalized');
  // a value and a directory replace each other
  assert.is(kvs('put', 'a.b.c=hello').code, 0);
  assert.is(kvs('get', 'a.b.c').stdout, 'hello\n');
});

test('errors are one line, exit 1', () => {
  const cases: Array<[string[], string]> = [
    [['get', 'nosuch'], 'flux-kvs: nosuch: No such file or directory\n'],
    [['get', 'a.b'], 'flux-kvs: a.b: Is a directory\n'],
    [['get', ''], 'flux-kvs: : Invalid argument\n'],
    [['put', '=x'], 'flux-kvs: : Invalid argument\n'],
    [['put', 'novalue'], 'flux-kvs: put: you must specify a value as key=value\n'],
    [['get', '-j', 'num'], "flux-kvs get: unrecognized option '-j'\nTry `flux-kvs get --help' for more information.\n"],
    [['dir', 'num'], 'flux-kvs: num: Not a directory\n'],
    [['ls', 'nosuch'], 'nosuch: No such file or directory\n'],
    [['get', '-N', 'nosuchns', 'k'], 'flux-kvs: k: Operation not supported\n'],
    [['readlink', 'num'], 'flux-kvs: num: Invalid argument\n'],
    [['readlink', 'nosuch'], 'flux-kvs: nosuch: No such file or directory\n'],
    [['copy', 'nosuch', 'x'], 'flux-kvs: nosuch: No such file or directory\n'],
    [['link', '-T', 'other', 'a', 'b'], 'flux-kvs: link: -T other: flux-ts has no links to another namespace\n'],
  ];
  for (const [args, err] of cases) {
    const r = kvs(...args);
    assert.is(r.code, 1, args.join(' '));
    assert.is(r.stderr, err, args.join(' '));
  }
  assert.match(kvs('get').stderr, /^Usage: flux-kvs get /);
});

test('ls, dir, unlink', () => {
  kvs('put', 'd1.k1=v1', 'd1.k2=v2', 'd2.sub.k3=3');
  assert.is(kvs('ls', 'd1').stdout, 'k1    k2\n');
  assert.is(kvs('ls', '-R', 'd2').stdout, 'd2:\nsub\n\nd2.sub:\nk3\n');
  assert.is(kvs('ls', '-d', '-F', 'd1', 'num').stdout, 'd1.    num\n');
  assert.is(kvs('ls', '-w', '1', 'd1').stdout, 'k1\nk2\n');
  assert.is(kvs('dir', 'd1').stdout, 'd1.k1 = v1\nd1.k2 = v2\n');
  assert.is(kvs('dir', '-R', 'd2').stdout, 'd2.sub.k3 = 3\n');
  kvs('put', `long=${'x'.repeat(100)}`);
  assert.is(kvs('dir', '-w', '30', '-R').stdout.split('\n').find((l) => l.startsWith('long')), `long = ${'x'.repeat(20)}...`);
  assert.is(kvs('unlink', 'num').code, 0);
  assert.is(kvs('unlink', 'num').stderr, "flux-kvs: cannot unlink 'num': No such file or directory\n");
  assert.is(kvs('unlink', 'd1').stderr, "flux-kvs: cannot unlink 'd1': Directory not empty\n");
  assert.is(kvs('unlink', '-R', 'd1').code, 0);
  assert.is(kvs('ls', 'd1').code, 1);
});

test('link, readlink, mkdir, copy, move', () => {
  kvs('put', 'lt.dir.v=1', 'lt.val=hello');
  assert.is(kvs('link', 'lt.val', 'lt.ln').code, 0);
  assert.is(kvs('link', 'lt.dir', 'lt.dirln').code, 0);
  assert.is(kvs('readlink', 'lt.ln', 'lt.dirln').stdout, 'lt.val\nlt.dir\n');
  assert.is(kvs('get', 'lt.ln').stdout, 'hello\n', 'get follows a link');
  assert.is(kvs('get', 'lt.dirln.v').stdout, '1\n', 'and a link on the way');
  assert.is(kvs('mkdir', 'lt.empty').code, 0);
  assert.is(kvs('ls', '-F', 'lt').stdout, 'dir.      dirln@    empty.    ln@       val\n');
  assert.is(kvs('dir', 'lt').stdout, 'lt.dir.\nlt.dirln -> lt.dir\nlt.empty.\nlt.ln -> lt.val\nlt.val = hello\n');
  assert.is(kvs('ls', 'lt.empty').stdout, '');
  // a key put below an empty directory; emptied again it stays (it was made)
  kvs('put', 'lt.empty.k=x');
  assert.is(kvs('unlink', 'lt.empty.k').code, 0);
  assert.match(kvs('ls', '-F', 'lt').stdout, /empty\./);
  // copy and move: values, links and directories
  assert.is(kvs('copy', 'lt', 'lt2').code, 0);
  assert.is(kvs('dir', '-R', 'lt2').stdout, 'lt2.dir.v = 1\nlt2.dirln -> lt.dir\nlt2.ln -> lt.val\nlt2.val = hello\n');
  assert.match(kvs('ls', '-F', 'lt2').stdout, /empty\./);
  assert.is(kvs('move', 'lt2.val', 'lt2.moved').code, 0);
  assert.is(kvs('get', 'lt2.moved').stdout, 'hello\n');
  assert.is(kvs('get', 'lt2.val').code, 1);
  // unlinking a link leaves its target; an empty directory goes without -R
  assert.is(kvs('unlink', 'lt.ln').code, 0);
  assert.is(kvs('get', 'lt.val').stdout, 'hello\n');
  assert.is(kvs('unlink', 'lt.empty').code, 0);
  assert.not.match(kvs('ls', 'lt').stdout, /empty/);
  assert.is(kvs('mkdir', 'lt.again').code, 0);
  assert.is(kvs('link', 'lt.loop', 'lt.loop').code, 0);
  assert.is(kvs('get', 'lt.loop').stderr, 'flux-kvs: lt.loop: Too many levels of symbolic links\n');
});

test('copy and move are one transaction: a failure leaves source and destination as they were', () => {
  // the copy's last key would be too long under the destination (1024 bytes at most)
  const long = 'z'.repeat(1000);
  const dst = `tx.${'d'.repeat(40)}`;
  assert.is(kvs('put', 'tx.src.a=1', `tx.src.${long}=2`, `${dst}.old=kept`).code, 0);
  assert.is(kvs('eventlog', 'append', 'tx.src.log', 'ev').code, 0);
  for (const cmd of ['copy', 'move']) {
    const r = kvs(cmd, 'tx.src', dst);
    assert.is(r.code, 1, cmd);
    assert.is(r.stderr, `flux-kvs: ${dst}: Invalid argument\n`, cmd);
    assert.is(kvs('get', `${dst}.old`).stdout, 'kept\n', `${cmd}: the destination is as it was`);
    assert.is(kvs('get', `${dst}.a`).code, 1, `${cmd}: nothing of the source is in the destination`);
    assert.is(kvs('dir', '-R', 'tx.src').stdout.split('\n').filter(Boolean).length, 3, `${cmd}: the source is intact`);
  }
  // a move that works: the destination is the source (eventlog included), the source is gone, in one step
  assert.is(kvs('unlink', `tx.src.${long}`).code, 0);
  assert.is(kvs('move', 'tx.src', 'tx.moved').code, 0);
  assert.is(kvs('get', 'tx.moved.a').stdout, '1\n');
  assert.match(kvs('eventlog', 'get', 'tx.moved.log').stdout, / ev\n$/);
  assert.is(kvs('eventlog', 'append', 'tx.moved.log', 'ev2').code, 0, 'the moved eventlog takes appends');
  assert.is(kvs('ls', 'tx.src').code, 1);
});

test('one command is one transaction: put, mkdir and unlink of several keys bump the version once; a refused key changes none', () => {
  const version = () => Number(kvs('version').stdout);
  let v = version();
  assert.is(kvs('put', 'multi.a=1', 'multi.b=2', 'multi.c.d=3').code, 0);
  assert.is(version(), v + 1, 'put of three keys: one version');
  assert.is(kvs('get', 'multi.a', 'multi.b', 'multi.c.d').stdout, '1\n2\n3\n');
  const s = kvs('put', '-s', 'multi.e=5', 'multi.f=6');
  assert.is(s.stdout, `${v + 2}\n`, '-s prints the one version');
  assert.is(kvs('put', '-A', 'multi.a=x', 'multi.a=y').code, 0);
  assert.is(kvs('get', 'multi.a').stdout, '1xy\n', '-A twice in one command appends both');
  v = version();
  assert.is(kvs('mkdir', 'multi.m1', 'multi.m2').code, 0);
  assert.is(version(), v + 1, 'mkdir of two keys: one version');
  v = version();
  assert.is(kvs('unlink', 'multi.m1', 'multi.m2', 'multi.e').code, 0);
  assert.is(version(), v + 1, 'unlink of three keys: one version');
  v = version();
  const r = kvs('unlink', 'multi.f', 'multi.nosuch');
  assert.is(r.code, 1);
  assert.is(r.stderr, "flux-kvs: cannot unlink 'multi.nosuch': No such file or directory\n");
  assert.is(version(), v, 'nothing removed');
  assert.is(kvs('get', 'multi.f').stdout, '6\n');
  assert.is(kvs('namespace', 'create', 'multins').code, 0);
  assert.is(kvs('put', '-N', 'multins', 'k1=1', 'k2=2').code, 0);
  assert.is(kvs('version', '-N', 'multins').stdout, '1\n', 'a namespace: one version too');
  assert.is(kvs('get', '-N', 'multins', 'k2').stdout, '2\n');
  assert.is(kvs('put', '-N', 'nosuchns', 'k1=1', 'k2=2').stderr, 'flux-kvs: flux_kvs_commit: Operation not supported\n');
  assert.is(kvs('namespace', 'remove', 'multins').code, 0);
});

test('get --watch prints the value, then each new one', async () => {
  kvs('put', 'w=1');
  const watch = spawn(FLUX, ['kvs', 'get', '--watch', '--count=3', 'w'], { env: inst.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  watch.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => watch.on('close', (code) => r(code)));
  try {
    // each put once the watch has printed what it has so far
    await waitUntil(() => out === '1\n', { what: 'the watch to print 1' });
    assert.is(kvs('put', 'w=2').code, 0);
    await waitUntil(() => out === '1\n2\n', { what: 'the watch to print 2' });
    assert.is(kvs('put', 'w=3').code, 0);
    assert.is(await exit, 0);
    assert.is(out, '1\n2\n3\n');
  } finally {
    watch.kill('SIGKILL');
  }
});

test('eventlog-append {close}: the entries and the close in one request (job logs end so); a watch ends, no more appends', async () => {
  const h = await Client.connect(inst.uri);
  try {
    await h.rpc('kvs.eventlog-append', { key: 'closing.log', entries: [{ name: 'first' }, { name: 'last' }], close: true });
  } finally {
    h.close();
  }
  // a watch of a closed eventlog prints what it holds and ends
  const w = kvs('eventlog', 'get', '--watch', 'closing.log');
  assert.is(w.code, 0, w.stderr);
  assert.match(w.stdout, /^[\d.]+ first\n[\d.]+ last\n$/);
  const more = kvs('eventlog', 'append', 'closing.log', 'later');
  assert.is.not(more.code, 0, 'a closed eventlog took an append');
  assert.is(kvs('eventlog', 'get', 'closing.log').stdout, w.stdout);
});

test('eventlog append, get, wait-event', () => {
  assert.is(kvs('eventlog', 'append', 'test.log', 'foo').code, 0);
  assert.is(kvs('eventlog', 'append', 'test.log', 'bar', '{"a":1}').code, 0);
  assert.is(kvs('eventlog', 'append', '-t', '1700000000.5', 'test.log', 'baz', '{"b":"x"}').code, 0);
  const got = kvs('eventlog', 'get', 'test.log').stdout;
  assert.match(got, /^\d+\.\d{6} foo\n\d+\.\d{6} bar a=1\n1700000000\.500000 baz b="x"\n$/);
  assert.is(kvs('eventlog', 'wait-event', '-v', 'test.log', 'baz').stdout, got);
  assert.is(kvs('eventlog', 'wait-event', '-t', '1', 'test.log', 'never').stderr, "flux-kvs: wait-event timeout on event 'never'\n");
  assert.is(kvs('eventlog', 'wait-event', '-t', '1', 'nosuch.log', 'x').stderr, 'flux-kvs: eventlog path nosuch.log not found\n');
  assert.is(kvs('eventlog', 'get', 'nosuch.log').stderr, 'flux-kvs: flux_kvs_lookup_get: No such file or directory\n');
  assert.is(kvs('eventlog', 'append', 'test.log', 'bad', 'notjson').stderr, 'flux-kvs: eventlog_entry_create: Invalid argument\n');
  assert.match(kvs('get', 'test.log').stdout, /^\{"timestamp":\d+\.?\d*,"name":"foo"\}\n/);
});

test('the other options: -S/-D of a namespace that does not exist, -W, --uniq, -u, -H, -q, -1, -f, help and usage', async () => {
  assert.is(kvs('copy', '-S', 'other', 'num', 'x').stderr, 'flux-kvs: flux_kvs_copy: Operation not supported\n');
  assert.is(kvs('put', 'mvsrc=1').code, 0);
  assert.is(kvs('move', '-D', 'other', 'mvsrc', 'x').stderr, 'flux-kvs: flux_kvs_move: Operation not supported\n');
  assert.is(kvs('get', 'mvsrc').stdout, '1\n', 'the failed move left its source');
  // --waitcreate: the watch waits for a key that does not exist yet
  const later = inst.fluxAsync(['kvs', 'get', '--watch', '--waitcreate', '--count=1', 'later.key']);
  assert.is(kvs('put', 'later.key=made').code, 0);
  assert.is((await later).stdout, 'made\n');
  assert.is(kvs('get', '--watch', 'never.made').stderr, 'flux-kvs: never.made: No such file or directory\n');
  // --uniq: a value put again unchanged is not printed again
  kvs('put', 'u=1');
  const uniq = spawn(FLUX, ['kvs', 'get', '--watch', '--uniq', '--count=2', 'u'], { env: inst.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  uniq.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<number | null>((r) => uniq.on('close', (code) => r(code)));
  try {
    await waitUntil(() => out === '1\n', { what: 'the watch to print 1' });
    assert.is(kvs('put', 'u=1').code, 0);
    assert.is(kvs('put', 'u=2').code, 0);
    assert.is(await done, 0);
    assert.is(out, '1\n2\n');
  } finally {
    uniq.kill('SIGKILL');
  }
  const json = kvs('eventlog', 'get', '-u', 'test.log').stdout.trim().split('\n');
  assert.equal(JSON.parse(json[2]!), { timestamp: 1700000000.5, name: 'baz', context: { b: 'x' } });
  const human = kvs('eventlog', 'get', '-H', 'test.log').stdout.split('\n');
  assert.match(human[0]!, /^\[[A-Z][a-z]{2}\d\d \d\d:\d\d\] foo$/);
  assert.match(human[1]!, /^\[ *\+\d+\.\d{6}\] bar a=1$/);
  assert.is(kvs('eventlog', 'wait-event', '-q', 'test.log', 'baz').stdout, '');
  assert.match(kvs('eventlog', 'wait-event', '-u', 'test.log', 'foo').stdout, /^\{"timestamp":[\d.]+,"name":"foo"\}\n$/);
  const waited = inst.fluxAsync(['kvs', 'eventlog', 'get', '--watch', '-W', '--count=1', 'new.log']);
  assert.is(kvs('eventlog', 'append', 'new.log', 'first').code, 0);
  assert.match((await waited).stdout, /^\d+\.\d{6} first\n$/);
  kvs('put', 'one.a=1', 'one.b=2');
  assert.is(kvs('ls', '-1', 'one').stdout, 'a\nb\n');
  assert.is(kvs('unlink', 'nosuch.key').code, 1);
  const f = kvs('unlink', '-f', 'nosuch.key');
  assert.equal([f.code, f.stderr], [0, '']);
  // every sub-command has its own --help and usage
  assert.match(kvs('get', '--help').stdout + kvs('get', '--help').stderr, /^Usage: flux-kvs get .*\nRetrieve value\(s\) for key\(s\)\n {2}-h, --help/);
  const missing = kvs('eventlog', 'append', 'k');
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /^Usage: flux-kvs eventlog append \[-N ns\] \[-t SECONDS\] key name \[context \.\.\.\]\nAppend to eventlog\n/);
  const top = kvs();
  assert.is(top.code, 1);
  assert.match(top.stderr, /^Usage: flux-kvs \[OPTIONS\] COMMAND ARGS\n(.*\n)*Common commands from flux-kvs:\n(.*\n)* {3}eventlog +Access eventlogs\n/);
  assert.is(kvs('eventlog').stderr, 'flux-kvs eventlog: missing subcommand\nUsage: flux-kvs eventlog [get|append|wait-event] ...\n');
});

test('namespace list', () => {
  const uid = String(process.getuid?.() ?? 0);
  assert.is(
    kvs('namespace', 'list').stdout,
    `NAMESPACE                                 OWNER      FLAGS\nprimary${' '.repeat(40 - uid.length)}${uid} 0x00000000\n`,
  );
});

test('what flux kvs put is kept across a restart', async () => {
  assert.is(await inst.stop(), 0);
  inst = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
  assert.is(kvs('get', 'a.b.c', 'app', 'obj').stdout, 'hello\nonetwo\n{"x":1,"y":[1,2]}\n');
  assert.match(kvs('eventlog', 'get', 'test.log').stdout, /baz b="x"\n$/);
  assert.is(kvs('ls', 'd1').code, 1, 'unlinked keys stay unlinked');
  assert.is(kvs('readlink', 'lt.dirln').stdout, 'lt.dir\n', 'links are kept');
  assert.is(kvs('get', 'lt.dirln.v').stdout, '1\n');
  assert.match(kvs('ls', '-F', 'lt').stdout, /again\./, 'empty directories are kept');
  // what a transaction (kvs.commit) wrote and removed
  assert.is(kvs('get', 'lt2.moved').stdout, 'hello\n', 'copies and moves are kept');
  assert.is(kvs('get', 'lt2.val').code, 1);
  assert.match(kvs('eventlog', 'get', 'tx.moved.log').stdout, / ev\n.* ev2\n$/);
  assert.is(kvs('ls', 'tx.src').code, 1);
});

test.run();
