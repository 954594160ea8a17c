/** flux setattr / lsattr against a singleton: values, Flux's exact errors and usage. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, flux, type Instance } from '../helpers/flux';

let inst: Instance;

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop();
});

test('setattr changes a runtime attribute silently', () => {
  const r = inst.flux(['setattr', 'log-stderr-level', '4']);
  assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
  assert.is(inst.flux(['getattr', 'log-stderr-level']).stdout, '4\n');
});

test('setattr log-level at run time: messages above it no longer reach the ring (flux dmesg)', () => {
  assert.is(inst.flux(['logger', '--severity=debug', 'before-marker']).code, 0);
  const r = inst.flux(['setattr', 'log-level', '6']);
  assert.equal([r.code, r.stderr], [0, '']);
  inst.flux(['logger', '--severity=debug', 'dropped-marker']);
  inst.flux(['logger', '--severity=info', 'kept-marker']);
  const d = inst.flux(['dmesg']).stdout;
  assert.ok(d.includes('before-marker') && d.includes('kept-marker'), d);
  assert.not.ok(d.includes('dropped-marker'), d);
  inst.flux(['setattr', 'log-level', '7']);
});

test('a read-only attribute may not be updated', () => {
  const r = inst.flux(['setattr', 'rank', '5']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-setattr: rank: attribute may not be updated\n');
});

test('--force does not help a read-only one', () => {
  const r = inst.flux(['setattr', '--force', 'rank', '5']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-setattr: rank: Operation not permitted\n');
});

test('-f updates a forceable attribute', () => {
  const r = inst.flux(['setattr', '-f', 'broker.rc2_none', '1']);
  assert.is(r.code, 0);
  assert.is(inst.flux(['getattr', 'broker.rc2_none']).stdout, '1\n');
});

test('unknown attribute', () => {
  const r = inst.flux(['setattr', 'no.such.attr', '1']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-setattr: no.such.attr: unknown attribute\n');
});

test('wrong argument count prints the usage, exit 1', () => {
  const r = inst.flux(['setattr', 'log-stderr-level']);
  assert.is(r.code, 1);
  assert.is(
    r.stderr,
    'Usage: flux setattr name value\nSet broker attribute\n  -h, --help             Display this message.\n' +
      "  -f, --force            force update of attribute that doesn't support runtime\n                         changes\n",
  );
});

test('lsattr lists names sorted, one per line', () => {
  const r = inst.flux(['lsattr']);
  assert.is(r.code, 0);
  const names = r.stdout.trimEnd().split('\n');
  assert.ok(names.includes('rank') && names.includes('version') && names.includes('parent-uri'));
  assert.equal(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
});

test('lsattr -v: %-40s%s with - for unset', () => {
  const r = inst.flux(['lsattr', '-v']);
  assert.is(r.code, 0);
  const lines = r.stdout.split('\n');
  assert.ok(lines.includes(`${'rank'.padEnd(40)}0`));
  assert.ok(lines.includes(`${'size'.padEnd(40)}1`));
  assert.ok(lines.includes(`${'parent-uri'.padEnd(40)}-`));
  assert.ok(lines.includes(`${'log-stderr-level'.padEnd(40)}4`));
});

test('lsattr: unknown option and extra arguments', () => {
  let r = inst.flux(['lsattr', '--bogus']);
  assert.is(r.code, 1);
  assert.is(r.stderr, "flux lsattr: unrecognized option '--bogus'\nTry `flux lsattr --help' for more information.\n");
  r = inst.flux(['lsattr', 'extra']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Usage: flux lsattr \[-v\]\n/);
});

test('no instance: flux_open names the socket', () => {
  const r = flux(['lsattr'], { env: { FLUX_URI: 'local:///nonexistent/sock' } });
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux: flux_open: cannot connect to local:///nonexistent/sock: No such file or directory\n');
  const bare = flux(['lsattr'], { env: { FLUX_URI: 'local://' } });
  assert.equal([bare.code, bare.stderr], [1, 'flux: flux_open: malformed URI local://: no socket path (local://PATH)\n']);
});

test.run();
