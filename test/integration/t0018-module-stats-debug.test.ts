/**
 * flux module stats and flux module debug as Flux 0.88 has them: stats JSON
 * indented by one space, -p/-t/-s values as %d and %lf, -R (the broker
 * process's getrusage fields), -c and -C (kvs counters zeroed, on this rank
 * and through the kvs.stats-clear event), and the per-module debug word
 * (0x%x) that a module reads with moduleDebugTest(); Flux's error lines.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';
import { Client } from '../../cli/api/client';

let inst: Instance;
const tmp = tmpdir();
const dbg = path.join(tmp.dir, 'dbg.js');

test.before(async () => {
  // a site module that answers whether debug bit 0x2 is set (and clears it once seen)
  fs.writeFileSync(
    dbg,
    "const api = require('flux-ts/kernel/api');\n" +
      "module.exports = { default: api.defineModule({ name: 'dbg', create: (s) => ({ handlers: [api.request('probe', () => ({ on: api.moduleDebugTest(s.handle, 2, true), word: api.moduleDebugFlags(s.handle) }))] }) }) };\n",
  );
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  try {
    await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

const ok = (args: string[]) => {
  const r = inst.flux(args);
  assert.equal([r.code, r.stderr], [0, ''], args.join(' '));
  return r.stdout;
};
const fails = (args: string[], stderr: string) => {
  const r = inst.flux(args);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', stderr], args.join(' '));
};
/** one more cancelled kvs watch: a watch that ends after its first answer */
const cancelOne = () => ok(['kvs', 'get', '--watch', '--count=1', 'a']);
const cancelled = () => ok(['module', 'stats', '-p', 'cancelled', 'kvs']);

test('stats: the object indented by one space; -p walks it; %d and %lf values; -s scales', () => {
  ok(['kvs', 'put', 'a=1']);
  const all = ok(['module', 'stats', 'kvs']);
  assert.match(all, /^\{\n "keys": \d+,\n "namespaces": 1,\n/);
  assert.match(ok(['module', 'stats', '-p', 'pack', 'kvs']), /^\{\n "packed": \d+,\n "packedBytes": \d+,\n/);
  assert.is(ok(['module', 'stats', '-p', 'namespaces', 'kvs']), '1\n');
  assert.is(ok(['module', 'stats', '-p', 'namespaces', '-t', 'double', 'kvs']), '1.000000\n');
  assert.is(ok(['module', 'stats', '-p', 'namespaces', '-s', '2.5', 'kvs']), '2\n');
  assert.is(ok(['module', 'stats', '-p', 'namespaces', '-s', '2.5', '-t', 'double', 'kvs']), '2.500000\n');
  fails(['module', 'stats', '-p', 'pack.nosuch', 'kvs'], "flux-module: `pack.nosuch' not found in response\n");
  fails(['module', 'stats', 'nosuch'], 'flux-module: nosuch.stats-get: No service matching nosuch.stats-get is registered\n');
});

test('stats -R: getrusage(2) fields of the broker process; children and thread refused as Flux refuses an unsupported who', () => {
  const fields = ['utime', 'stime', 'maxrss', 'ixrss', 'idrss', 'isrss', 'minflt', 'majflt', 'nswap', 'inblock', 'oublock', 'msgsnd', 'msgrcv', 'nsignals', 'nvcsw', 'nivcsw'];
  for (const args of [['-R'], ['--rusage'], ['--rusage=self'], ['-Rself']]) {
    const out = ok(['module', 'stats', ...args, 'kvs']);
    assert.ok(out.startsWith('{\n "utime": '), out);
    assert.equal(Object.keys(JSON.parse(out) as object), fields, args.join(' '));
  }
  assert.match(ok(['module', 'stats', '-R', '-p', 'utime', 'job-manager']), /^\d+\.\d{6}\n$/);
  assert.ok(Number(ok(['module', 'stats', '-R', '-p', 'maxrss', 'kvs'])) > 1000);
  fails(['module', 'stats', '-Rchildren', 'kvs'], 'flux-module: kvs.rusage: children is unsupported\n');
  fails(['module', 'stats', '--rusage=thread', 'kvs'], 'flux-module: kvs.rusage: thread is unsupported\n');
  fails(['module', 'stats', '--rusage=bogus', 'kvs'], 'flux-module: kvs.rusage: bogus is unsupported\n');
});

test('stats -c zeroes the kvs counters, silently; a module with no resettable stats is refused in one line', () => {
  cancelOne();
  cancelOne();
  assert.is(cancelled(), '2\n');
  assert.is(ok(['module', 'stats', '-c', 'kvs']), '');
  assert.is(cancelled(), '0\n');
  // rank 1's kvs forwards to rank 0's, as its stats-get does
  cancelOne();
  assert.is(ok(['exec', '-r', '1', 'flux', 'module', 'stats', '--clear', 'kvs']), '');
  assert.is(cancelled(), '0\n');
  fails(['module', 'stats', '-c', 'job-manager'], 'flux-module: job-manager.stats-clear: job-manager keeps no stats that stats-clear can reset\n');
  fails(['module', 'stats', '-C', 'job-manager'], 'flux-module: job-manager.stats-clear: job-manager keeps no stats that stats-clear can reset\n');
  fails(['module', 'stats', '-c', '-R', 'kvs'], 'flux-module: only one of --clear, --clear-all, --rusage may be given\n');
  fails(['module', 'stats', '-C', '-p', 'keys', 'kvs'], 'flux-module: --parse, --scale and --type do not apply to --clear-all\n');
});

test('stats -C: the kvs.stats-clear event clears it too (published alone, or by -C from rank 1)', async () => {
  cancelOne();
  assert.is(cancelled(), '1\n');
  ok(['event', 'pub', 'kvs.stats-clear']);
  await waitUntil(() => cancelled() === '0\n', { what: 'kvs cancelled at 0 after the kvs.stats-clear event' });
  cancelOne();
  assert.is(ok(['exec', '-r', '1', 'flux', 'module', 'stats', '-C', 'kvs']), '');
  assert.is(cancelled(), '0\n');
});

test('debug: the word as 0x%x; -s, -c, -S (0x, 0 octal, decimal), -C; one word per module, read by the module', async () => {
  const d = (...args: string[]) => ok(['module', 'debug', ...args]);
  assert.is(d('kvs'), '0x0\n');
  assert.is(d('-s', '0x5', 'kvs'), '0x5\n');
  assert.is(d('--setbit=8', 'kvs'), '0xd\n');
  assert.is(d('-c', '1', 'kvs'), '0xc\n');
  assert.is(d('kvs'), '0xc\n');
  assert.is(d('-S', '010', 'kvs'), '0x8\n');
  assert.is(d('--set=255', 'kvs'), '0xff\n');
  assert.is(d('job-manager'), '0x0\n');
  assert.is(d('-C', 'kvs'), '0x0\n');
  ok(['module', 'load', dbg]);
  const h = await Client.connect(inst.uri);
  try {
    assert.equal(await h.rpc('dbg.probe', {}), { on: false, word: 0 });
    assert.is(d('-s', '0x6', 'dbg'), '0x6\n');
    // the module sees bit 0x2 and clears it once seen (flux_module_debug_test with clear)
    assert.equal(await h.rpc('dbg.probe', {}), { on: true, word: 4 });
    assert.is(d('dbg'), '0x4\n');
    // a reloaded module starts with a word of 0, as a new handle in Flux
    ok(['module', 'reload', dbg]);
    assert.is(d('dbg'), '0x0\n');
  } finally {
    h.close();
    ok(['module', 'remove', 'dbg']);
  }
});

test('debug errors: bad MASK, two operations, unknown module, no module', () => {
  fails(['module', 'debug', '-s', 'zz', 'kvs'], 'flux-module: --setbit=zz: not a number from 0 to 0xffffffff\n');
  fails(['module', 'debug', '--set=0x100000000', 'kvs'], 'flux-module: --set=0x100000000: not a number from 0 to 0xffffffff\n');
  fails(['module', 'debug', '-C', '-s', '1', 'kvs'], 'flux-module: only one of --clear, --set, --clearbit, --setbit may be given\n');
  fails(['module', 'debug', 'nosuch'], 'flux-module: nosuch.debug: No service matching nosuch.debug is registered\n');
  const r = inst.flux(['module', 'debug']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Usage: flux-module debug \[OPTIONS\] module\nGet\/set module debug flags\n/);
});

test.run();
