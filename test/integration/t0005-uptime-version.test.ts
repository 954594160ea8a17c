/** flux uptime and flux version / flux -V: Flux's exact layouts and connection errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import { flux, ROOT, startInstance, type Instance } from '../helpers/flux';
import { Client } from '../../cli/api/client';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** flux-ts's own version, printed by flux version beside the Flux version */
const PKG_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let inst: Instance;

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop();
});

const user = os.userInfo().username;

test('uptime: one line, two spaces after each comma', () => {
  const r = inst.flux(['uptime']);
  assert.is(r.code, 0, r.stderr);
  const re = new RegExp(`^ \\d\\d:\\d\\d:\\d\\d run (\\d+(\\.\\d+)?(ms|s|m|h|d)|\\de\\+\\d\\dd),  owner ${user},  depth 0,  size 1\\n$`);
  assert.match(r.stdout, re);
});

test('uptime ignores extra arguments', () => {
  const r = inst.flux(['uptime', 'extra']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /,  size 1\n$/);
});

test('uptime: a drained rank is counted (when the resource module is loaded)', async () => {
  if (inst.flux(['ping', '-c', '1', 'resource']).code !== 0) return; // resource module not loaded in this build
  const h = await Client.connect(inst.uri);
  try {
    await h.rpc('resource.drain', { targets: '0', reason: 'uptime test' }, { nodeid: 0 });
  } finally {
    h.close();
  }
  const r = inst.flux(['uptime']);
  assert.match(r.stdout, /,  size 1,  1 drained\n$/);
});

test('uptime outside an instance names the socket', () => {
  const r = flux(['uptime'], { env: { FLUX_URI: 'local:///nonexistent/sock' } });
  assert.equal([r.code, r.stdout], [1, '']);
  assert.is(r.stderr, 'flux: flux_open: cannot connect to local:///nonexistent/sock: No such file or directory\n');
});

test('version inside an instance', () => {
  const r = inst.flux(['version']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.is(lines[0], 'commands:    \t\t0.88.0');
  assert.is(lines[1], 'libflux-core:\t\t0.88.0');
  assert.is(lines[2], `flux-ts:     \t\t${PKG_VERSION}`);
  assert.is(lines[3], 'broker:  \t\t0.88.0');
  assert.is(lines[4], `FLUX_URI:\t\t${inst.uri}`);
  assert.match(lines[5]!, /^build-options:\t\t\+/);
  assert.is(lines.length, 7);
});

test('flux -V and --version are flux version', () => {
  assert.is(inst.flux(['-V']).stdout, inst.flux(['version']).stdout);
  assert.is(inst.flux(['--version']).stdout, inst.flux(['version']).stdout);
});

test('version outside an instance: no broker or FLUX_URI line', () => {
  const r = flux(['version'], { env: { FLUX_URI: '' } });
  assert.is(r.code, 0);
  assert.match(r.stdout, /^commands:    \t\t0\.88\.0\nlibflux-core:\t\t0\.88\.0\nflux-ts:     \t\t\d+\.\d+\.\d+\S*\nbuild-options:\t\t\+.*\n$/);
});

test('version with an unreachable FLUX_URI: three lines, then flux_open, exit 1', () => {
  const r = flux(['version'], { env: { FLUX_URI: 'local:///nonexistent/sock' } });
  assert.is(r.code, 1);
  assert.is(r.stdout, `commands:    \t\t0.88.0\nlibflux-core:\t\t0.88.0\nflux-ts:     \t\t${PKG_VERSION}\n`);
  assert.is(r.stderr, 'flux: flux_open: cannot connect to local:///nonexistent/sock: No such file or directory\n');
});

test.run();
