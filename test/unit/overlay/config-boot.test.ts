/** The [bootstrap] table: hosts expanded in rank order, defaults, and the errors that name the key. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bindAddress, parentTable, parseBootstrap } from '../../../overlay/config-boot';
import { Topology } from '../../../lib/tree-topology';
import * as os from 'node:os';
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
  assert.equal(parseBootstrap({ curve_cert: '/c', hosts: [{ host: 'x' }] })!.hosts, [{ host: 'x' }]);
});

test('errors name the key', () => {
  assert.is(error(() => parseBootstrap({ bootstrap: 3 })), '[bootstrap] must be a table');
  assert.is(error(() => parseBootstrap({ bootstrap: { hostz: [] } })), 'bootstrap.hostz: unknown key');
  assert.is(error(() => parseBootstrap({ bootstrap: { hosts: [{ bind: 'x' }] } })), 'bootstrap.hosts[0]: host is required');
  assert.is(error(() => parseBootstrap({ bootstrap: { hosts: [{ host: 'a', port: 1 }] } })), 'bootstrap.hosts[0].port: unknown key');
  assert.is(error(() => parseBootstrap({ bootstrap: { default_port: 'x', hosts: [] } })), 'bootstrap.default_port: must be a port number, got "x"');
  assert.is(error(() => parseBootstrap({ bootstrap: { hosts: 'a' } })), 'bootstrap.hosts: must be an array of tables');
});

test("a host named again keeps its rank and only gains the keys it lacked (Flux's three-level example)", () => {
  const c = parseBootstrap({
    bootstrap: {
      hosts: [{ host: 'head,cn[01-08]', bind: 'tcp://eth0:1' }, { host: 'cn[01,05]', parent: 'head', bind: 'tcp://eth9:9' }, { host: 'cn[02-04]', parent: 'cn01' }, { host: 'cn[06-08]', parent: 'cn05' }],
    },
  })!;
  assert.equal(c.hosts.map((h) => h.host), ['head', 'cn01', 'cn02', 'cn03', 'cn04', 'cn05', 'cn06', 'cn07', 'cn08']);
  assert.is(c.hosts[1]!.bind, 'tcp://eth0:1', 'the first entry wins');
  assert.equal(Array.from(parentTable(c)), [-1, 0, 1, 1, 1, 0, 5, 5, 5]);
  const t = new Topology(parentTable(c));
  assert.equal([t.level(7), t.maxLevel(), t.descendants(5), t.childToward(0, 3)], [2, 2, 3, 1]);
  // no parent keys: every host a child of rank 0
  assert.equal(Array.from(parentTable(parseBootstrap({ hosts: [{ host: 'a[0-3]' }] })!)), [-1, 0, 0, 0]);
  assert.is(parseBootstrap({ hosts: [{ host: 'a[0-1]' }] })!.enableIpv6, false);
  assert.is(parseBootstrap({ bootstrap: { enable_ipv6: true, hosts: [{ host: 'a[0-1]' }] } })!.enableIpv6, true);
});

test('parent keys that draw no tree are refused, naming the entry', () => {
  const hosts = (...more: object[]) => parseBootstrap({ bootstrap: { hosts: [{ host: 'n[0-3]' }, ...more] } });
  assert.is(error(() => hosts({ host: 'n2', parent: 'n2' })), 'bootstrap.hosts[1].parent: n2 cannot be its own parent');
  assert.is(error(() => hosts({ host: 'n2', parent: 'm9' })), 'bootstrap.hosts[1].parent: m9 is not in bootstrap.hosts');
  assert.is(error(() => hosts({ host: 'n0', parent: 'n1' })), 'bootstrap.hosts[1].parent: n0 is rank 0, the root of the tree: it has no parent');
  assert.is(error(() => hosts({ host: 'n1', parent: 'n2' }, { host: 'n2', parent: 'n3' }, { host: 'n3', parent: 'n1' })), 'bootstrap.hosts: parent keys make a loop that never reaches rank 0 (n1 -> n2 -> n3 -> n1)');
  assert.is(error(() => hosts({ host: 'n1', parent: 3 })), 'bootstrap.hosts[1].parent: must be a string');
  assert.is(error(() => parseBootstrap({ bootstrap: { enable_ipv6: 'yes', hosts: [] } })), 'bootstrap.enable_ipv6: must be true or false, got "yes"');
});

test('bind URIs: * is every address, an interface its IPv4 address, anything else as written', () => {
  assert.is(bindAddress('tcp://*:8060'), 'tcp://0.0.0.0:8060');
  assert.is(bindAddress('tcp://lo:8060'), 'tcp://127.0.0.1:8060');
  assert.is(bindAddress('tcp://10.0.0.1:8060'), 'tcp://10.0.0.1:8060');
  assert.is(bindAddress('ipc:///tmp/x'), 'ipc:///tmp/x');
  // with enable_ipv6: * is every address of both families, an interface its IPv6 address
  assert.is(bindAddress('tcp://*:8060', true), 'tcp://[::]:8060');
  if (os.networkInterfaces()['lo']?.some((a) => a.family === 'IPv6')) assert.is(bindAddress('tcp://lo:8060', true), 'tcp://[::1]:8060');
});

test.run();
