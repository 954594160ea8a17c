/**
 * Each job's guest KVS namespace, as Flux gives it (RFC 16, flux-kvs(1),
 * flux-environment(7)): shells and tasks get FLUX_KVS_NAMESPACE=job-<decimal
 * id>; a task's `flux kvs put` writes into it and the keys stay at
 * job.<id>.guest in the primary namespace after the job; while the job runs
 * `namespace list` shows it (owned by the job's user) and -N job-<id> reads
 * and writes it (exec.eventlog is there); once the job is done it is a
 * namespace that does not exist; a nested instance has attribute
 * parent-kvs-namespace and `flux --parent kvs` reaches the job's namespace;
 * commands run in a job that read the primary namespace still do. Another
 * guest's refusal: t1200.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;
const uid = String(process.getuid?.() ?? 0);
const flux = (...args: string[]) => inst.flux(args);
/** the row `flux kvs namespace list` prints for a namespace */
const row = (ns: string, owner: string) => `${ns.padEnd(36)} ${owner.padStart(10)} 0x00000000`;
const dec = (id: string) => flux('job', 'id', '--to=dec', id).stdout.trim();
const kvsdir = (id: string) => flux('job', 'id', '--to=kvs', id).stdout.trim();

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

test('a job`s tasks get FLUX_KVS_NAMESPACE=job-<decimal id>, on every node', () => {
  const r = flux('run', '-N2', 'printenv', 'FLUX_KVS_NAMESPACE');
  assert.is(r.code, 0, r.stderr);
  const ns = `job-${dec(flux('job', 'last').stdout.trim())}`;
  assert.is(r.stdout, `${ns}\n${ns}\n`);
});

test('flux kvs put in a task writes to the job`s namespace, kept at job.<id>.guest after the job', () => {
  const r = flux('run', 'flux', 'kvs', 'put', 'foo=1', 'dir.bar=two');
  assert.is(r.code, 0, r.stderr);
  const id = flux('job', 'last').stdout.trim();
  assert.is(flux('kvs', 'get', `${kvsdir(id)}.guest.foo`).stdout, '1\n');
  assert.is(flux('kvs', 'get', `${kvsdir(id)}.guest.dir.bar`).stdout, 'two\n');
  // nothing in the primary namespace's root
  assert.is(flux('kvs', 'get', 'foo').code, 1);
  // the job is done: its namespace is gone, as in Flux
  const gone = flux('kvs', 'get', '-N', `job-${dec(id)}`, 'foo');
  assert.equal([gone.code, gone.stdout, gone.stderr], [1, '', 'flux-kvs: foo: Operation not supported\n']);
});

test('a running job`s namespace: listed, readable and writable with -N, gone at the end', () => {
  const id = flux('submit', 'sleep', '300').stdout.trim();
  try {
    assert.is(flux('job', 'wait-event', '-t', '30', id, 'start').code, 0);
    const ns = `job-${dec(id)}`;
    const list = flux('kvs', 'namespace', 'list');
    assert.equal(list.stdout.split('\n').slice(1, 3), [row(ns, uid), row('primary', uid)], list.stdout);
    assert.match(flux('kvs', 'get', '-N', ns, 'exec.eventlog').stdout, /^\{"timestamp":[\d.]+,"name":"init"\}\n/);
    assert.match(flux('kvs', 'ls', '-N', ns).stdout, /\bexec\b/);
    assert.is(flux('kvs', 'put', '-N', ns, 'k=v').code, 0);
    assert.is(flux('kvs', 'get', `${kvsdir(id)}.guest.k`).stdout, 'v\n');
    assert.is(inst.flux(['kvs', 'get', 'k'], { env: { FLUX_KVS_NAMESPACE: ns } }).stdout, 'v\n');
    const missing = flux('kvs', 'get', '-N', ns, 'nokey');
    assert.equal([missing.code, missing.stderr], [1, 'flux-kvs: nokey: No such file or directory\n']);
    assert.is(flux('kvs', 'getroot', '-N', ns, '-o').stdout, `${uid}\n`);
    // copy out of it into the primary namespace, and in
    assert.is(flux('kvs', 'copy', '-S', ns, 'k', 'saved').code, 0);
    assert.is(flux('kvs', 'get', 'saved').stdout, 'v\n');
    assert.is(flux('kvs', 'copy', '-D', ns, 'saved', 'back').code, 0);
    assert.is(flux('kvs', 'get', `${kvsdir(id)}.guest.back`).stdout, 'v\n');
    assert.is(flux('cancel', id).code, 0);
    assert.is(flux('job', 'wait-event', '-t', '30', id, 'clean').code, 0);
    assert.not.match(flux('kvs', 'namespace', 'list').stdout, ns);
    assert.is(flux('kvs', 'get', '-N', ns, 'k').stderr, 'flux-kvs: k: Operation not supported\n');
    assert.is(flux('kvs', 'get', `${kvsdir(id)}.guest.k`).stdout, 'v\n');
  } finally {
    flux('cancel', id);
  }
});

test('a nested instance has parent-kvs-namespace; flux --parent kvs reaches the job`s namespace', () => {
  const r = flux('alloc', '-N1', 'sh', '-c', 'flux getattr parent-kvs-namespace && flux --parent kvs put fromchild=1 && flux kvs get fromchild 2>/dev/null; echo "local=$?"');
  assert.is(r.code, 0, r.stderr);
  const id = flux('job', 'last').stdout.trim();
  // the nested instance's own kvs is its primary namespace (the broker does not pass FLUX_KVS_NAMESPACE on)
  assert.is(r.stdout, `job-${dec(id)}\nlocal=1\n`);
  assert.is(flux('kvs', 'get', `${kvsdir(id)}.guest.fromchild`).stdout, '1\n');
});

test('commands in a job that read the primary namespace still do', () => {
  const other = flux('submit', 'true').stdout.trim();
  assert.is(flux('job', 'wait-event', '-t', '30', other, 'clean').code, 0);
  const r = flux('run', 'sh', '-c', `flux job eventlog ${other} | tail -1 && flux job attach ${other} && flux jobs -n -a -o '{id.f58}' | grep -c ${other}`);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^[\d.]+ clean\n1\n$/);
});

test.run();
