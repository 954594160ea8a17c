/**
 * Broker attributes (kernel/attr): who may set what. Read-only attributes are
 * the broker's alone, immutable ones take a command-line value only, runtime
 * ones may change with `flux setattr`, forceable ones only with --force; unknown
 * names are refused everywhere; validators reject bad values before they land.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Errno } from '../../../../lib/errno';
import { FluxError } from '../../../../lib/errors';
import { AttrFlag, AttrStore } from '../../../../kernel/attr/attrs';
import { VERSION, defineDefaultAttrs } from '../../../../kernel/attr/defaults';

function thrown(fn: () => unknown): FluxError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, FluxError);
    return e as FluxError;
  }
  assert.unreachable('expected a FluxError');
  throw new Error('unreachable');
}

function store(): AttrStore {
  const a = new AttrStore();
  defineDefaultAttrs(a);
  return a;
}

const Flags = suite('attrs: flags');

Flags('read-only: refused on the command line and at run time, even with --force', () => {
  const a = store();
  const e = thrown(() => a.setFromCommandLine('rank', '3'));
  assert.is(e.errno, Errno.EPERM);
  assert.is(e.message, 'rank: attribute may not be set on the command line');
  assert.is(thrown(() => a.setAtRuntime('version', '1', false)).message, 'version: attribute may not be updated');
  const f = thrown(() => a.setAtRuntime('version', '1', true));
  assert.is(f.errno, Errno.EPERM);
  assert.is(f.message, 'version: Operation not permitted');
  assert.is(a.get('version'), VERSION);
});

Flags('immutable: the command line sets it, run time does not', () => {
  const a = store();
  a.setFromCommandLine('broker.quorum', '2');
  assert.is(a.get('broker.quorum'), '2');
  const e = thrown(() => a.setAtRuntime('broker.quorum', '1', false));
  assert.is(e.errno, Errno.EPERM);
  assert.is(e.message, 'broker.quorum: attribute may not be updated');
  assert.is(thrown(() => a.setAtRuntime('broker.quorum', '1', true)).message, 'broker.quorum: Operation not permitted');
  assert.is(a.get('broker.quorum'), '2');
});

Flags('runtime: flux setattr changes it, with or without --force', () => {
  const a = store();
  a.setAtRuntime('log-stderr-level', '6', false);
  assert.is(a.get('log-stderr-level'), '6');
  a.setAtRuntime('log-stderr-level', '5', true);
  assert.is(a.get('log-stderr-level'), '5');
});

Flags('unsupported: any value but the one shown is refused, on the command line and at run time', () => {
  const a = store();
  const e = thrown(() => a.setFromCommandLine('broker.shutdown-timeout', '1.5m'));
  assert.is(e.errno, Errno.EINVAL);
  assert.is(e.message, 'broker.shutdown-timeout: setting this attribute is not supported by flux-ts (it stays "none")');
  a.setFromCommandLine('broker.shutdown-timeout', 'none');
  assert.is(thrown(() => a.setAtRuntime('broker.module-nopanic', '1', true)).message, 'broker.module-nopanic: setting this attribute is not supported by flux-ts');
  assert.is(a.get('broker.module-nopanic'), undefined);
});

Flags('forceable: only with --force', () => {
  const a = store();
  const e = thrown(() => a.setAtRuntime('broker.rc2_none', '1', false));
  assert.is(e.errno, Errno.EPERM);
  assert.is(e.message, 'broker.rc2_none: attribute may not be updated');
  a.setAtRuntime('broker.rc2_none', '1', true);
  assert.is(a.get('broker.rc2_none'), '1');
  // a running broker keeps its directories: not even --force changes them
  for (const d of ['rundir', 'statedir']) assert.is(thrown(() => a.setAtRuntime(d, '/tmp/x', true)).message, `${d}: Operation not permitted`);
});

Flags('unknown names are ENOENT everywhere', () => {
  const a = store();
  const e = thrown(() => a.setFromCommandLine('nosuch', '1'));
  assert.is(e.errno, Errno.ENOENT);
  assert.is(e.message, 'nosuch: unknown attribute');
  assert.is(thrown(() => a.setAtRuntime('nosuch', '1', true)).errno, Errno.ENOENT);
  assert.not.ok(a.has('nosuch'));
  assert.is(a.get('nosuch'), undefined);
  assert.is(a.flags('nosuch'), 0);
});

Flags('validators refuse bad values and keep the old one', () => {
  const a = store();
  for (const [name, bad] of [
    ['log-level', '8'],
    ['log-level', 'x'],
    ['log-stderr-level', '-2'],
    ['log-ring-size', '0'],
    ['broker.quorum', '0'],
    ['broker.quorum-warn', 'soon'],
    ['broker.idle-reduce', 'soon'],
    ['tbon.connect_timeout', 'soon'],
    ['log-stderr-mode', 'everywhere'],
  ] as const) {
    const before = a.get(name);
    const e = thrown(() => a.setFromCommandLine(name, bad));
    assert.is(e.errno, Errno.EINVAL, `${name}=${bad}`);
    assert.is(e.message, `Error parsing ${name} attribute`);
    assert.is(a.get(name), before);
  }
  a.setFromCommandLine('broker.quorum-warn', 'none');
  a.setFromCommandLine('broker.idle-reduce', 'none');
  a.setFromCommandLine('broker.idle-reduce', '500ms');
  assert.is(thrown(() => a.setFromCommandLine('broker.idle-reduce', '2d')).errno, Errno.EINVAL);
  assert.is(a.get('broker.idle-reduce'), '500ms');
  a.setFromCommandLine('tbon.connect_timeout', '1.5m');
  a.setFromCommandLine('log-level', '-1');
  a.setFromCommandLine('log-stderr-mode', 'local');
  assert.is(a.get('tbon.connect_timeout'), '1.5m');
});

Flags('runtime changes are validated too', () => {
  const a = store();
  assert.is(thrown(() => a.setAtRuntime('log-stderr-level', 'loud', false)).errno, Errno.EINVAL);
  assert.is(a.get('log-stderr-level'), '3');
});

Flags('setInternal updates anything and defines unknown names as read-only', () => {
  const a = store();
  a.setInternal('rank', '0');
  assert.is(a.get('rank'), '0');
  a.setInternal('jobid', 'ƒ2');
  assert.is(a.get('jobid'), 'ƒ2');
  assert.is(a.flags('jobid'), AttrFlag.ReadOnly);
});

Flags('computed attributes read through their getter', () => {
  const a = new AttrStore();
  let n = 0;
  a.define('counter', undefined, AttrFlag.ReadOnly, { get: () => String(++n) });
  assert.is(a.get('counter'), '1');
  assert.is(a.get('counter'), '2');
});

Flags('names(): set attributes and list-unset ones, in strcmp order', () => {
  const a = new AttrStore();
  a.define('b', '1', AttrFlag.ReadOnly);
  a.define('a.x', '1', AttrFlag.ReadOnly);
  a.define('A', '1', AttrFlag.ReadOnly);
  a.define('unset', undefined, AttrFlag.ReadOnly);
  a.define('listed', undefined, AttrFlag.ReadOnly | AttrFlag.ListUnset);
  assert.equal(a.names(), ['A', 'a.x', 'b', 'listed']);
});

Flags('defaults match flux-broker-attributes(7)', () => {
  const a = store();
  const want: Record<string, string> = {
    version: VERSION,
    'instance-level': '0',
    'jobid-path': '/',
    'broker.quorum-warn': '1m',
    'broker.idle-reduce': '2s',
    'broker.shutdown-warn': '1m',
    'broker.shutdown-timeout': 'none',
    'broker.cleanup-timeout': 'none',
    'broker.unload-builtins-timeout': '1m',
    'log-ring-size': '1024',
    'log-level': '7',
    'log-forward-level': '3',
    'log-critical-level': '2',
    'log-stderr-level': '3',
    'log-stderr-mode': 'leader',
    'log-syslog-enable': '0',
    'log-syslog-level': '3',
    'tbon.prefertcp': '0',
    'tbon.interface-hint': 'default-route',
    'tbon.torpid_min': '5s',
    'tbon.torpid_max': '30s',
    'tbon.tcp_user_timeout': '20s',
    'tbon.connect_timeout': '30s',
    'tbon.child_rcvhwm': '0',
  };
  for (const [k, v] of Object.entries(want)) assert.is(a.get(k), v, k);
  assert.is(a.get('broker.pid'), String(process.pid));
  assert.is(a.flags('parent-uri') & AttrFlag.ListUnset, AttrFlag.ListUnset);
});

Flags('content.backing-module: rank 0 only; kvs for a kept statedir, none for a temporary one; kvs or none may be given', () => {
  const a = store();
  a.setInternal('rank', '1');
  assert.is(a.get('content.backing-module'), undefined);
  const z = store();
  z.setInternal('rank', '0');
  assert.is(z.get('content.backing-module'), 'kvs');
  z.setInternal('statedir-cleanup', '1');
  assert.is(z.get('content.backing-module'), 'none');
  const n = store();
  n.setFromCommandLine('content.backing-module', 'none');
  n.setInternal('rank', '0');
  assert.is(n.get('content.backing-module'), 'none');
  const e = thrown(() => store().setFromCommandLine('content.backing-module', 'content-sqlite'));
  assert.is(e.errno, Errno.EINVAL);
  assert.is(e.message, "content.backing-module: no backing store module 'content-sqlite' in flux-ts (kvs, or none)");
  assert.is(thrown(() => z.setAtRuntime('content.backing-module', 'none', false)).errno, Errno.EPERM);
});

Flags('names Flux has that mean nothing here are refused with the reason', () => {
  const cases: Array<[string, string]> = [
    ['tbon.zmqdebug', 'tbon.zmqdebug: setting this attribute is not supported by flux-ts: flux-ts overlay links are not ZeroMQ sockets'],
    ['content.hash', 'content.hash: setting this attribute is not supported by flux-ts: flux-ts has no content-addressed store, so nothing is hashed'],
    ['broker.sd-stop-timeout', 'broker.sd-stop-timeout: setting this attribute is not supported by flux-ts (it stays "none"): flux-ts brokers do not talk to systemd'],
  ];
  for (const [name, text] of cases) assert.is(thrown(() => store().setFromCommandLine(name, '1')).message, text);
  // Flux's own value is taken as it stays
  store().setFromCommandLine('broker.sd-stop-timeout', 'none');
});

Flags.run();
