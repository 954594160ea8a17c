/** The [bootstrap] table: hosts expanded in rank order, defaults, and the errors that name the key. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bindAddress, parseBootstrap } from '../../../overlay/config-boot';
import { thrownMessage } from '../../helpers/errors';

const error = thrownMessage;

test('hosts in rank order, hostlists expanded, defaults filled in', () => {
  const c = parseBootstrap({ bootstrap: { curve_cert: '/c', default_port: 8050, hosts: [{ host: 'a[0-1]' }, { host: 'b', bind: 'tcp://eth0:9', connect: 'tcp://b:9' }] } })!;
  assert.equal(c.hosts.map((h) => h.host), ['a0', 'a1', 'b']);
  assert.equal([c.defaultBind, c.defaultConnect, c.defaultPort, c.curveCert], ['tcp://*:%p', 'tcp://%h:%p', 8050, '/c']);
  assert.is(c.hosts[2]!.connect, 'tcp://b:9');
});

test('no table, no hosts: PMI as usual; top-level keys (the walkthrough file) are read', () => {
  assert.is(parseBootstrap({}), undefined);
  assert.is(parseBootstrap({ bootstrap: { curve_cert: '/c' } }), undefined);
  assert.equal(parseBootstrap({ curve_cert: '/c', hosts: [{ host: 'x' }] })!.hosts, [{ host: 'x', bind: undefined, connect: undefined }]);
});

test('errors name the key', () => {
  assert.is(error(() => parseBootstrap({ bootstrap: 3 })), '[bootstrap] must be a table');
  assert.is(error(() => parseBootstrap({ bootstrap: { hostz: [] } })), 'bootstrap.hostz: unknown key');
  assert.is(error(() => parseBootstrap({ bootstrap: { hosts: [{ bind: 'x' }] } })), 'bootstrap.hosts[0]: host is required');
  assert.is(error(() => parseBootstrap({ bootstrap: { hosts: [{ host: 'a', port: 1 }] } })), 'bootstrap.hosts[0].port: unknown key');
  assert.is(error(() => parseBootstrap({ bootstrap: { hosts: [{ host: 'a' }, { host: 'a' }] } })), 'bootstrap.hosts: a is listed twice');
  assert.is(error(() => parseBootstrap({ bootstrap: { default_port: 'x', hosts: [] } })), 'bootstrap.default_port: must be a port number, got "x"');
  assert.is(error(() => parseBootstrap({ bootstrap: { hosts: 'a' } })), 'bootstrap.hosts: must be an array of tables');
});

test('bind URIs: * is every address, an interface its IPv4 address, anything else as written', () => {
  assert.is(bindAddress('tcp://*:8060'), 'tcp://0.0.0.0:8060');
  assert.is(bindAddress('tcp://lo:8060'), 'tcp://127.0.0.1:8060');
  assert.is(bindAddress('tcp://10.0.0.1:8060'), 'tcp://10.0.0.1:8060');
  assert.is(bindAddress('ipc:///tmp/x'), 'ipc:///tmp/x');
});

test.run();
