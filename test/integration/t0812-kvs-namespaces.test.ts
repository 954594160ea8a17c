/**
 * KVS namespaces as Flux 0.88 has them (flux-kvs(1); shared/reference
 * flux-core-outputs-2.md 1.6): namespace create [-o OWNER] / list / remove
 * with Flux's columns and errors; -N on the sub-commands and
 * FLUX_KVS_NAMESPACE when there is no -N; a namespace that does not exist is
 * Flux's `Operation not supported` line for each sub-command; each namespace
 * has its own keys, version and watches (isolation), from rank 1 too; copy and
 * move across namespaces (-S/-D); removing a namespace ends its watches and
 * waits. Guests and namespace owners: t1200; restart: t0813.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;
const kvs = (...args: string[]) => inst.flux(['kvs', ...args]);
const uid = String(process.getuid?.() ?? 0);
const HEADER = 'NAMESPACE                                 OWNER      FLAGS\n';
/** a `namespace list` row: the name in 36 columns, the owner right-aligned in 10, the flags */
const row = (ns: string, owner: string) => `${ns.padEnd(36)} ${owner.padStart(10)} 0x00000000\n`;
const stats = () => JSON.parse(inst.flux(['module', 'stats', 'kvs']).stdout) as { watchers: number; versionWaiters: number; namespaces: number };

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

test('namespace create, list and remove print what Flux prints', () => {
  assert.is(kvs('namespace', 'list').stdout, HEADER + row('primary', uid));
  assert.equal([kvs('namespace', 'create', 'myns').code, kvs('namespace', 'create', '-o', '1000', 'userns').code], [0, 0]);
  const list = kvs('namespace', 'list');
  assert.equal([list.code, list.stdout, list.stderr], [0, HEADER + row('myns', uid) + row('primary', uid) + row('userns', '1000'), '']);
  assert.is(kvs('put', '-N', 'myns', 'k=v').code, 0);
  assert.is(kvs('get', '-N', 'myns', 'k').stdout, 'v\n');
  assert.is(kvs('ls', '-N', 'myns').stdout, 'k\n');
  const errors: Array<[string[], string]> = [
    [['get', '-N', 'nosuchns', 'k'], 'flux-kvs: k: Operation not supported\n'],
    [['namespace', 'create', 'myns'], 'flux-kvs: myns: File exists\n'],
    [['namespace', 'remove', 'primary'], 'flux-kvs: primary: Operation not supported\n'],
    [['namespace', 'create', '-o', 'abc', 'x'], 'flux-kvs: --owner requires an unsigned integer argument\n'],
    [['namespace', 'create', '-r', 'sha1-00', 'x'], 'flux-kvs: create: -r: flux-ts has no content store, so no root references\n'],
    [['namespace', 'create', 'has space'], 'flux-kvs: has space: Invalid argument\n'],
    [
      ['namespace', 'bogus'],
      'flux-kvs namespace: Unknown subcommand: bogus\nUsage: flux-kvs namespace create [-o owner] name [name...]\n   or: flux-kvs namespace list\n   or: flux-kvs namespace remove name [name...]\n',
    ],
  ];
  for (const [args, err] of errors) {
    const r = kvs(...args);
    assert.equal([r.code, r.stdout, r.stderr], [1, '', err], args.join(' '));
  }
  const usage = kvs('namespace', 'create');
  assert.is(usage.code, 1);
  assert.match(usage.stderr, /^Usage: flux-kvs namespace create \[-o owner\] name \[name\.\.\.\]\nCreate a KVS namespace\n/);
  // removing one that does not exist succeeds silently; several at once
  for (const args of [['remove', 'myns'], ['remove', 'nosuchns'], ['create', 'a1', 'a2'], ['remove', 'a1', 'a2', 'userns']]) {
    const r = kvs('namespace', ...args);
    assert.equal([r.code, r.stdout, r.stderr], [0, '', ''], args.join(' '));
  }
  assert.is(kvs('namespace', 'list').stdout, HEADER + row('primary', uid));
  const gone = kvs('get', '-N', 'myns', 'k');
  assert.equal([gone.code, gone.stderr], [1, 'flux-kvs: k: Operation not supported\n'], 'what a removed namespace held went with it');
});

test('a namespace that does not exist: Flux`s line for each sub-command', () => {
  const cases: Array<[string[], string]> = [
    [['put', '-N', 'nosuchns', 'k=1'], 'flux-kvs: flux_kvs_commit: Operation not supported\n'],
    [['put', '-N', 'nosuchns', '-s', 'k=1'], 'flux-kvs: flux_kvs_commit_get_sequence: Operation not supported\n'],
    [['get', '-N', 'nosuchns', '--watch', '--waitcreate', 'k'], 'flux-kvs: k: Operation not supported\n'],
    [['dir', '-N', 'nosuchns'], 'flux-kvs: .: Operation not supported\n'],
    [['dir', '-N', 'nosuchns', 'd'], 'flux-kvs: d: Operation not supported\n'],
    [['ls', '-N', 'nosuchns'], '.: Operation not supported\n'],
    [['unlink', '-N', 'nosuchns', 'k'], "flux-kvs: cannot unlink 'k': Operation not supported\n"],
    [['mkdir', '-N', 'nosuchns', 'd'], 'flux-kvs: flux_kvs_commit: Operation not supported\n'],
    [['link', '-N', 'nosuchns', 'a', 'b'], 'flux-kvs: flux_kvs_commit: Operation not supported\n'],
    [['readlink', '-N', 'nosuchns', 'b'], 'flux-kvs: b: Operation not supported\n'],
    [['version', '-N', 'nosuchns'], 'flux-kvs: flux_kvs_get_version: Operation not supported\n'],
    [['wait', '-N', 'nosuchns', '1'], 'flux-kvs: flux_kvs_wait_version: Operation not supported\n'],
    [['getroot', '-N', 'nosuchns', '-s'], 'flux-kvs: flux_kvs_getroot_get_sequence: Operation not supported\n'],
    [['getroot', '-N', 'nosuchns', '-o'], 'flux-kvs: flux_kvs_getroot_get_owner: Operation not supported\n'],
    [['copy', '-S', 'nosuchns', 'a', 'b'], 'flux-kvs: flux_kvs_copy: Operation not supported\n'],
    [['eventlog', 'append', '-N', 'nosuchns', 'l', 'e'], 'flux-kvs: flux_kvs_commit: Operation not supported\n'],
    [['eventlog', 'get', '-N', 'nosuchns', 'l'], 'flux-kvs: flux_kvs_lookup_get: Operation not supported\n'],
    [['eventlog', 'get', '-N', 'nosuchns', '--watch', 'l'], 'flux-kvs: flux_kvs_lookup_get: Operation not supported\n'],
    [['eventlog', 'wait-event', '-N', 'nosuchns', 'l', 'e'], 'flux-kvs: flux_kvs_lookup_get: Operation not supported\n'],
  ];
  assert.is(kvs('put', 'a=1').code, 0);
  cases.push([['move', '-D', 'nosuchns', 'a', 'b'], 'flux-kvs: flux_kvs_move: Operation not supported\n']);
  for (const [args, err] of cases) {
    const r = kvs(...args);
    assert.equal([r.code, r.stdout, r.stderr], [1, '', err], args.join(' '));
  }
  assert.is(kvs('get', 'a').stdout, '1\n', 'the failed move left its source');
});

test('each namespace has its own keys, version and eventlogs; rank 1 reaches them too', () => {
  assert.is(kvs('namespace', 'create', 'ns1', 'ns2').code, 0);
  const primaryBefore = Number(kvs('version').stdout);
  assert.is(kvs('put', 'same=primary').code, 0);
  assert.is(kvs('put', '-N', 'ns1', 'same=one', 'only.in.one=1').code, 0);
  assert.is(kvs('put', '-N', 'ns2', '-s', 'same=two').stdout, '1\n', 'a new namespace starts at version 0');
  assert.equal(['', '-N ns1', '-N ns2'].map((n) => kvs('get', ...n.split(' ').filter(Boolean), 'same').stdout), ['primary\n', 'one\n', 'two\n']);
  // the put of two keys is one transaction: one version
  assert.equal([kvs('version', '-N', 'ns1').stdout, kvs('getroot', '-N', 'ns1', '-s').stdout, kvs('getroot', '-N', 'ns1', '-o').stdout], ['1\n', '1\n', `${uid}\n`]);
  assert.is(Number(kvs('version').stdout), primaryBefore + 1, 'changes in ns1 and ns2 are not the primary namespace`s');
  assert.is(kvs('get', 'only.in.one').stderr, 'flux-kvs: only.in.one: No such file or directory\n');
  assert.is(kvs('dir', '-N', 'ns1', '-R').stdout, 'only.in.one = 1\nsame = one\n');
  assert.is(kvs('ls', '-N', 'ns2').stdout, 'same\n');
  // links, directories, unlink, eventlogs: all in the namespace
  assert.is(kvs('mkdir', '-N', 'ns1', '-s', 'emptydir').stdout, '2\n');
  assert.is(kvs('link', '-N', 'ns1', 'same', 'ln').code, 0);
  assert.is(kvs('readlink', '-N', 'ns1', 'ln').stdout, 'same\n');
  assert.is(kvs('get', '-N', 'ns1', 'ln').stdout, 'one\n');
  assert.is(kvs('unlink', '-N', 'ns1', '-R', 'only').code, 0);
  assert.is(kvs('eventlog', 'append', '-N', 'ns1', '-t', '1700000000.5', 'log', 'first', '{"a":1}').code, 0);
  assert.is(kvs('eventlog', 'get', '-N', 'ns1', 'log').stdout, '1700000000.500000 first a=1\n');
  assert.is(kvs('eventlog', 'wait-event', '-N', 'ns1', '-t', '5', 'log', 'first').stdout, '1700000000.500000 first a=1\n');
  assert.is(kvs('eventlog', 'get', 'log').code, 1, 'not in the primary namespace');
  assert.is(kvs('ls', '-N', 'ns1').stdout, 'emptydir    ln          log         same\n');
  // rank 1 forwards to rank 0: the same namespaces
  const r1 = inst.flux(['exec', '-r', '1', 'sh', '-c', 'flux kvs get -N ns2 same && flux kvs put -N ns2 from.rank1=yes && flux kvs namespace list']);
  assert.is(r1.code, 0, r1.stderr);
  assert.is(r1.stdout, `two\n${HEADER}${row('ns1', uid)}${row('ns2', uid)}${row('primary', uid)}`);
  assert.is(kvs('get', '-N', 'ns2', 'from.rank1').stdout, 'yes\n');
  assert.is(kvs('version', '-N', 'ns2').stdout, '2\n');
});

test('copy and move across namespaces with -S/-D; within one, as before', () => {
  assert.is(kvs('put', 'src.a=1', 'src.b=2').code, 0);
  assert.is(kvs('copy', '-D', 'ns1', 'src', 'copied').code, 0);
  assert.is(kvs('dir', '-N', 'ns1', '-R', 'copied').stdout, 'copied.a = 1\ncopied.b = 2\n');
  assert.is(kvs('get', 'src.a').stdout, '1\n');
  assert.is(kvs('move', '-S', 'ns1', '-D', 'ns2', 'copied', 'moved').code, 0);
  assert.is(kvs('dir', '-N', 'ns2', '-R', 'moved').stdout, 'moved.a = 1\nmoved.b = 2\n');
  assert.is(kvs('get', '-N', 'ns1', 'copied.a').stderr, 'flux-kvs: copied.a: No such file or directory\n');
  assert.is(kvs('move', '-S', 'ns2', '-D', 'ns2', 'moved', 'again').code, 0);
  assert.is(kvs('get', '-N', 'ns2', 'again.b').stdout, '2\n');
  // the same key to itself is only refused within one namespace
  assert.is(kvs('copy', '-D', 'ns1', 'src', 'src').code, 0);
  assert.is(kvs('copy', '-S', 'ns1', '-D', 'ns1', 'src', 'src').stderr, 'flux-kvs: src: Invalid argument\n');
  const miss = kvs('copy', '-S', 'ns1', 'nosuch', 'x');
  assert.equal([miss.code, miss.stderr], [1, 'flux-kvs: nosuch: No such file or directory\n']);
});

test('FLUX_KVS_NAMESPACE is the namespace when no -N is given; -N wins', () => {
  const env = { FLUX_KVS_NAMESPACE: 'ns1' };
  assert.is(inst.flux(['kvs', 'get', 'same'], { env }).stdout, 'one\n');
  assert.is(inst.flux(['kvs', 'get', '-N', 'primary', 'same'], { env }).stdout, 'primary\n');
  assert.is(inst.flux(['kvs', 'put', 'viaenv=1'], { env }).code, 0);
  assert.is(kvs('get', '-N', 'ns1', 'viaenv').stdout, '1\n');
  assert.is(inst.flux(['kvs', 'version'], { env }).stdout, kvs('version', '-N', 'ns1').stdout);
  // copy without -S/-D: both are the variable's
  assert.is(inst.flux(['kvs', 'copy', 'viaenv', 'viaenv2'], { env }).code, 0);
  assert.is(kvs('get', '-N', 'ns1', 'viaenv2').stdout, '1\n');
  const missing = inst.flux(['kvs', 'get', 'same'], { env: { FLUX_KVS_NAMESPACE: 'nosuchns' } });
  assert.equal([missing.code, missing.stderr], [1, 'flux-kvs: same: Operation not supported\n']);
  // a link to another namespace is not something flux-ts has; to its own is a plain link
  assert.is(kvs('link', '-N', 'ns1', '-T', 'ns2', 'same', 'x').stderr, 'flux-kvs: link: -T ns2: flux-ts has no links to another namespace\n');
  assert.is(kvs('link', '-N', 'ns1', '-T', 'ns1', 'same', 'x').code, 0);
  assert.is(kvs('get', '-N', 'ns1', 'x').stdout, 'one\n');
});

test('removing a namespace ends its watches and waits (Operation not supported)', async () => {
  assert.is(kvs('namespace', 'create', 'doomed').code, 0);
  assert.is(kvs('put', '-N', 'doomed', 'w=1').code, 0);
  const before = stats();
  const watch = inst.fluxAsync(['kvs', 'get', '-N', 'doomed', '--watch', 'w']);
  const wait = inst.fluxAsync(['kvs', 'wait', '-N', 'doomed', '100']);
  await waitUntil(() => stats().watchers > before.watchers && stats().versionWaiters > before.versionWaiters, { what: 'the watch and the wait to reach the kvs' });
  assert.is(stats().namespaces, 4);
  assert.is(kvs('namespace', 'remove', 'doomed').code, 0);
  const [w, v] = await Promise.all([watch, wait]);
  assert.equal([w.code, w.stdout, w.stderr], [1, '1\n', 'flux-kvs: w: Operation not supported\n']);
  assert.equal([v.code, v.stderr], [1, 'flux-kvs: flux_kvs_wait_version: Operation not supported\n']);
  assert.is(stats().namespaces, 3);
});

test.run();
