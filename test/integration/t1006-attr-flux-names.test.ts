/**
 * Broker attributes Flux's `flux lsattr -v` lists that flux-ts lacked
 * (flux-broker-attributes(7)): content.backing-module with its real value and
 * its effect (`kvs` keeps the kvs in the statedir across a restart, `none`
 * does not; another name is refused in one line), rundir-cleanup shown as the
 * broker will act, and the names that mean nothing in flux-ts refused with why.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

const lsattr = (out: string, name: string) => out.split('\n').find((l) => l.startsWith(`${name} `))?.replace(/ +/, ' ');

test('lsattr -v: content.backing-module on rank 0 only, rundir-cleanup as the broker will act', () => {
  // a singleton: the broker made its rundir and a statedir removed at exit
  const one = flux(['start', 'flux', 'lsattr', '-v']);
  assert.is(one.code, 0, one.stderr);
  assert.is(lsattr(one.stdout, 'content.backing-module'), 'content.backing-module none');
  assert.is(lsattr(one.stdout, 'rundir-cleanup'), 'rundir-cleanup 1');
  assert.is(lsattr(one.stdout, 'broker.sd-stop-timeout'), 'broker.sd-stop-timeout none');
  // a test instance: flux start makes (and removes) the rundir the brokers share; only rank 0 has a backing store
  const two = flux(['start', '--test-size=2', 'sh', '-c', 'flux lsattr -v | grep -e rundir-cleanup -e content.backing; flux exec -r 1 flux getattr content.backing-module'], { timeoutMs: 60_000 });
  assert.match(two.stdout, /^content\.backing-module +none\nrundir-cleanup +0\n$/);
  assert.match(two.stderr, 'flux-getattr: content.backing-module: No such file or directory');
});

test('content.backing-module: kvs keeps the kvs in a kept statedir across a restart, none does not', () => {
  const tmp = tmpdir();
  try {
    const kept = path.join(tmp.dir, 'kept');
    const put = flux(['start', `-Sstatedir=${kept}`, 'sh', '-c', 'flux getattr content.backing-module; flux kvs put t1006.a=1']);
    assert.equal([put.code, put.stdout], [0, 'kvs\n'], put.stderr);
    assert.ok(fs.existsSync(path.join(kept, 'content.lmdb')));
    const again = flux(['start', `-Sstatedir=${kept}`, 'flux', 'kvs', 'get', 't1006.a']);
    assert.equal([again.code, again.stdout], [0, '1\n'], again.stderr);

    const none = path.join(tmp.dir, 'none');
    const put2 = flux(['start', `-Sstatedir=${none}`, '-Scontent.backing-module=none', 'sh', '-c', 'flux getattr content.backing-module; flux kvs put t1006.b=2; flux kvs get t1006.b']);
    assert.equal([put2.code, put2.stdout], [0, 'none\n2\n'], put2.stderr);
    assert.equal(fs.readdirSync(none), [], 'the statedir was written');
    const gone = flux(['start', `-Sstatedir=${none}`, '-Scontent.backing-module=none', 'flux', 'kvs', 'get', 't1006.b']);
    assert.is(gone.code, 1);
    assert.match(gone.stderr, 'flux-kvs: t1006.b: No such file or directory');
  } finally {
    tmp.cleanup();
  }
});

test('refused in one line: another backing store, a change at run time, and the names that mean nothing here', () => {
  const cases: Array<[string, string]> = [
    ['content.backing-module=content-sqlite', "flux-broker: content.backing-module: no backing store module 'content-sqlite' in flux-ts (kvs, or none)\n"],
    ['tbon.zmqdebug=1', 'flux-broker: tbon.zmqdebug: setting this attribute is not supported by flux-ts: flux-ts overlay links are not ZeroMQ sockets\n'],
    ['tbon.zmq_io_threads=4', 'flux-broker: tbon.zmq_io_threads: setting this attribute is not supported by flux-ts: flux-ts overlay links are not ZeroMQ sockets\n'],
    ['content.hash=sha256', 'flux-broker: content.hash: setting this attribute is not supported by flux-ts: flux-ts has no content-addressed store, so nothing is hashed\n'],
    ['content.dump=auto', 'flux-broker: content.dump: auto (a dump for offline garbage collection) is not supported by flux-ts: its kvs keeps no unreferenced content to collect\n'],
    ['cron.directory=/etc/flux/cron', "flux-broker: cron.directory: setting this attribute is not supported by flux-ts: flux-ts's cron module reads no crontab directory (flux cron tab reads one file)\n"],
    ['broker.sd-notify=1', 'flux-broker: broker.sd-notify: setting this attribute is not supported by flux-ts: flux-ts brokers do not talk to systemd\n'],
    ['broker.sd-stop-timeout=90s', 'flux-broker: broker.sd-stop-timeout: setting this attribute is not supported by flux-ts (it stays "none"): flux-ts brokers do not talk to systemd\n'],
    ['broker.exit-norestart=42', 'flux-broker: broker.exit-norestart: setting this attribute is not supported by flux-ts: flux-ts brokers do not talk to systemd\n'],
  ];
  for (const [kv, err] of cases) {
    const r = flux(['start', `-S${kv}`, 'true']);
    assert.equal([r.code, r.stderr], [1, err], kv);
  }
  const rt = flux(['start', 'sh', '-c', 'flux setattr content.backing-module kvs; echo rc=$?; flux setattr conf.shell_initrc /etc/initrc.lua; echo rc=$?']);
  assert.equal([rt.code, rt.stdout], [0, 'rc=1\nrc=1\n']);
  assert.is(
    rt.stderr,
    'flux-setattr: content.backing-module: attribute may not be updated\n' +
      "flux-setattr: conf.shell_initrc: setting this attribute is not supported by flux-ts: flux-ts's job shell runs no Lua initrc\n",
  );
});

test.run();
