/**
 * flux module list/load/remove/reload with a site module written here (plain
 * JS in a temp dir), called through `flux ping`; Flux's error texts; a module
 * that is not one, or whose start() throws, fails cleanly and the broker lives.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance;
const tmp = tmpdir();
const hello = path.join(tmp.dir, 'hello.js');

test.before(async () => {
  fs.writeFileSync(
    hello,
    "const api = require('flux-ts/kernel/api');\n" +
      "module.exports = { default: api.defineModule({ name: 'hello', create: () => ({ handlers: [api.request('greet', (m) => ({ text: 'hi ' + m.payload.who }))] }) }) };\n",
  );
  fs.writeFileSync(path.join(tmp.dir, 'notmod.js'), 'module.exports = { answer: 42 };\n');
  fs.writeFileSync(
    path.join(tmp.dir, 'boom.js'),
    "const api = require('flux-ts/kernel/api');\n" +
      "module.exports = { default: api.defineModule({ name: 'boom', create: () => ({ handlers: [], start() { throw new Error('cannot open the widget database'); } }) }) };\n",
  );
  inst = await startInstance();
});
test.after(async () => {
  try {
    await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

const HEADER = 'Module                    Idle  S Sendq Recvq Service';

test('list: Flux header and row format; rexec and cron are loaded', () => {
  const r = inst.flux(['module', 'list']);
  assert.is(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines[0], HEADER);
  const row = lines.find((l) => l.startsWith('rexec '));
  assert.ok(row, r.stdout);
  assert.match(row!, /^rexec {21}[ \d]{3}\d  R     0     0 $/);
  // rank 0 also runs the cron service, as Flux's rc1 loads it
  assert.match(r.stdout, /^cron {22}[ \d]{3}\d  R     0     0 $/m);
});

test('load by path, ping it, see it listed, remove it', () => {
  let r = inst.flux(['module', 'load', './hello.js'], { cwd: tmp.dir });
  assert.equal([r.code, r.stderr], [0, '']);
  r = inst.flux(['module', 'list']);
  assert.match(r.stdout, /^hello {21}[ \d]{3}\d  R     0     0 $/m);
  r = inst.flux(['module', 'list', '-l']);
  assert.match(r.stdout.split('\n')[0]!, /Service  Path$/);
  assert.ok(r.stdout.includes(hello), r.stdout);
  r = inst.flux(['ping', '-c', '1', 'hello']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^flux-ping any!hello\n0!hello\.ping pad=0 seq=0 time=\d+\.\d{3} ms \([0-9a-f]{8}(![0-9a-f]{8})+\)\n$/);
  r = inst.flux(['module', 'load', hello]);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-module: load hello: File exists\n');
  r = inst.flux(['module', 'remove', 'hello']);
  assert.equal([r.code, r.stderr], [0, '']);
  r = inst.flux(['ping', '-c', '1', 'hello']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-ping: hello.ping: Function not implemented\n');
});

test('load --name and module arguments; reload', () => {
  let r = inst.flux(['module', 'load', '--name=hi', hello, 'a=1', '-b']);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.is(inst.flux(['ping', '-c', '1', 'hi']).code, 0);
  r = inst.flux(['module', 'reload', '--name=hi', hello]);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.is(inst.flux(['ping', '-c', '1', 'hi']).code, 0);
  assert.is(inst.flux(['module', 'remove', 'hi']).code, 0);
  r = inst.flux(['module', 'reload', '--name=hi', hello]);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-module: remove hi: No such file or directory\n');
  r = inst.flux(['module', 'reload', '-f', '--name=hi', hello]);
  assert.is(r.code, 0, r.stderr);
  assert.is(inst.flux(['module', 'remove', 'hi']).code, 0);
  // a module found nowhere, loaded or not: no talk of an old one where there is none
  r = inst.flux(['module', 'reload', 'nosuch']);
  assert.equal([r.code, r.stderr], [1, 'flux-module: reload nosuch: module not found in search path\n']);
});

test('Flux errors: bad path, already loaded, remove nosuch, not in search path', () => {
  let r = inst.flux(['module', 'load', '/nonexistent/mod.so']);
  assert.equal([r.code, r.stderr], [1, "flux-module: could not canonicalize module path '/nonexistent/mod.so': No such file or directory\n"]);
  r = inst.flux(['module', 'load', 'rexec']);
  assert.equal([r.code, r.stderr], [1, 'flux-module: load rexec: File exists\n']);
  r = inst.flux(['module', 'remove', 'nosuch']);
  assert.equal([r.code, r.stderr], [1, 'flux-module: remove nosuch: No such file or directory\n']);
  r = inst.flux(['module', 'remove', '-f', 'nosuch']);
  assert.equal([r.code, r.stderr], [0, '']);
  r = inst.flux(['module', 'load', 'nosuchmodule']);
  assert.equal([r.code, r.stderr], [1, 'flux-module: load nosuchmodule: module not found in search path\n']);
});

test('a file that is not a module, and a module whose start() throws', () => {
  let r = inst.flux(['module', 'load', path.join(tmp.dir, 'notmod.js')]);
  assert.is(r.code, 1);
  assert.is(r.stderr, `flux-module: ${path.join(tmp.dir, 'notmod.js')}: does not export a flux-ts module\n`);
  r = inst.flux(['module', 'load', path.join(tmp.dir, 'boom.js')]);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-module: load boom: cannot open the widget database\n');
  assert.not.match(inst.flux(['module', 'list']).stdout, /^boom /m);
  assert.is(inst.flux(['getattr', 'size']).stdout, '1\n');
});

test("the broker's own services: not listed, and remove or reload is refused in one line; they keep serving", () => {
  assert.not.match(inst.flux(['module', 'list']).stdout, /^broker /m);
  const why = "the broker's own services are built in and cannot be unloaded";
  for (const [args, verb] of [[['remove', 'broker'], 'remove'], [['remove', '-f', 'broker'], 'remove'], [['reload', 'broker'], 'reload']] as const) {
    const r = inst.flux(['module', ...args]);
    assert.equal([r.code, r.stderr], [1, `flux-module: ${verb} broker: ${why}\n`], args.join(' '));
  }
  assert.equal([inst.flux(['getattr', 'size']).stdout, inst.flux(['module', 'stats', 'log']).code], ['1\n', 0]);
});

test('usage errors', () => {
  let r = inst.flux(['module', 'load']);
  // as Flux's optparse_print_usage(): the usage line, the summary and the options
  assert.equal([r.code, r.stderr.split('\n').slice(0, 3)], [1, ['Usage: flux-module load [OPTIONS] module', 'Load module', '  -h, --help             Display this message.']]);
  r = inst.flux(['module', 'load', '-n', 'x', 'y']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-module load: unrecognized option '-n'\n/);
  r = inst.flux(['module', 'bogus']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-module: Unknown subcommand: bogus\nUsage: flux-module COMMAND/);
  r = inst.flux(['module']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-module: missing subcommand\nUsage: flux-module COMMAND/);
});

test.run();
