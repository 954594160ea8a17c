/** flux uptime and flux version / flux -V: Flux's exact layouts and connection errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import { flux, startInstance, type Instance } from '../helpers/flux';
import { Client } from '../../cli/api/client';

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
  assert.is(lines[2], 'broker:  \t\t0.88.0');
  assert.is(lines[3], `FLUX_URI:\t\t${inst.uri}`);
  assert.match(lines[4]!, /^build-options:\t\t\+/);
  assert.is(lines.length, 6);
});

test('flux -V and --version are flux version', () => {
  assert.is(inst.flux(['-V']).stdout, inst.flux(['version']).stdout);
  assert.is(inst.flux(['--version']).stdout, inst.flux(['version']).stdout);
});

test('version outside an instance: no broker or FLUX_URI line', () => {
  const r = flux(['version'], { env: { FLUX_URI: '' } });
  assert.is(r.code, 0);
  assert.match(r.stdout, /^commands:    \t\t0\.88\.0\nlibflux-core:\t\t0\.88\.0\nbuild-options:\t\t\+.*\n$/);
});

test('version with an unreachable FLUX_URI: two lines, then flux_open, exit 1', () => {
  const r = flux(['version'], { env: { FLUX_URI: 'local:///nonexistent/sock' } });
  assert.is(r.code, 1);
  assert.is(r.stdout, 'commands:    \t\t0.88.0\nlibflux-core:\t\t0.88.0\n');
  assert.is(r.stderr, 'flux: flux_open: cannot connect to local:///nonexistent/sock: No such file or directory\n');
});

test.run();
