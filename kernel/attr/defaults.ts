/**
 * The broker attributes every broker defines, with their defaults and flags
 * (flux-broker-attributes(7)). Values that depend on boot (rank, size, rundir ...)
 * are filled in by the broker as it learns them.
 */
import { AttrFlag, AttrStore } from './attrs';
import { localUriPath } from '../../lib/formats/local-uri';
import { backingModule, contentDump, fsdOnly, fsdOrNone, idleReduceCheck, intIn, nonEmpty, oneOf, sizeAtLeast, syslogEnable } from '../../lib/attr-checks';

const { ReadOnly: RO, Immutable: IMM, Runtime: RT, Forceable: F, ListUnset: LU, Unsupported: NS } = AttrFlag;

export const VERSION = '0.88.0';

/** why an attribute Flux has means nothing here (the refusal says it) */
const NO_SYSTEMD = 'flux-ts brokers do not talk to systemd';
const NO_ZMQ = 'flux-ts overlay links are not ZeroMQ sockets';
const NO_INITRC = "flux-ts's job shell runs no Lua initrc";
const NO_PLUGINPATH = "flux-ts's job shell searches no plugin path ([exec] shell-plugins names a site's plugins)";

export function defineDefaultAttrs(a: AttrStore): void {
  a.define('rank', undefined, RO);
  a.define('size', undefined, RO);
  a.define('version', VERSION, RO);
  a.define('hostname', undefined, IMM, { onSet: nonEmpty('hostname') });
  a.define('hostlist', undefined, RO);
  a.define('rundir', undefined, IMM, { onSet: nonEmpty('rundir') });
  a.define('rundir-cleanup', undefined, IMM);
  a.define('statedir', undefined, IMM, { onSet: nonEmpty('statedir') });
  a.define('statedir-cleanup', undefined, IMM);
  a.define('content.restore', undefined, IMM);
  a.define('content.hash', undefined, IMM | NS, { why: 'flux-ts has no content-addressed store, so nothing is hashed' });
  a.define('content.dump', undefined, RT, { onSet: contentDump });
  // rank 0: the store the kvs keeps in the statedir, or none (a statedir removed at exit gets none)
  let backing: string | undefined;
  a.define('content.backing-module', undefined, IMM, {
    onSet: (v) => {
      backingModule(v);
      backing = v;
    },
    get: () => (a.get('rank') !== '0' ? undefined : (backing ?? (a.get('statedir-cleanup') === '1' ? 'none' : 'kvs'))),
  });
  a.define('cron.directory', undefined, IMM | NS, { why: "flux-ts's cron module reads no crontab directory (flux cron tab reads one file)" });
  a.define('local-uri', undefined, IMM, { onSet: localUriPath });
  a.define('parent-uri', undefined, RO | LU);
  a.define('instance-level', '0', RO);
  a.define('jobid-path', '/', RO);
  a.define('security.owner', String(process.getuid?.() ?? 0), RO);
  a.define('broker.pid', String(process.pid), RO);
  a.define('broker.uuid', undefined, RO);
  a.define('broker.starttime', undefined, RO);
  a.define('broker.boot-method', undefined, RO);
  a.define('broker.mapping', undefined, RO);
  a.define('broker.critical-ranks', undefined, IMM | NS);
  a.define('broker.quorum', undefined, IMM, { onSet: intIn('broker.quorum', 1, Infinity) });
  a.define('broker.quorum-warn', '1m', IMM, { onSet: fsdOrNone('broker.quorum-warn') });
  a.define('broker.idle-reduce', '2s', IMM, { onSet: idleReduceCheck });
  a.define('broker.shutdown-warn', '1m', IMM | NS);
  a.define('broker.shutdown-timeout', 'none', IMM | NS);
  a.define('broker.cleanup-timeout', 'none', IMM | NS);
  a.define('broker.unload-builtins-timeout', '1m', IMM | NS);
  a.define('broker.rc1_path', 'flux modprobe rc1', IMM | F);
  a.define('broker.rc3_path', 'flux modprobe rc3', IMM | F);
  a.define('broker.rc2_none', undefined, IMM | F);
  a.define('broker.rc2_pgrp', undefined, IMM | NS);
  a.define('broker.module-nopanic', undefined, RT | NS);
  a.define('broker.exit-restart', undefined, RT | NS);
  a.define('broker.recovery-mode', undefined, IMM, { onSet: oneOf('broker.recovery-mode', ['0', '1']) });
  a.define('broker.sd-notify', undefined, IMM | NS, { why: NO_SYSTEMD });
  a.define('broker.sd-stop-timeout', 'none', IMM | NS, { why: NO_SYSTEMD });
  a.define('broker.exit-norestart', undefined, IMM | NS, { why: NO_SYSTEMD });
  a.define('conf.shell_initrc', undefined, RT | NS, { why: NO_INITRC });
  a.define('conf.shell_pluginpath', undefined, RT | NS, { why: NO_PLUGINPATH });
  a.define('config.path', undefined, IMM);
  a.define('log-ring-size', '1024', IMM, { onSet: intIn('log-ring-size', 1, 1 << 20) });
  a.define('log-ring-bytes', '8M', RT, { onSet: sizeAtLeast('log-ring-bytes', 64 << 10) });
  a.define('log-level', '7', RT, { onSet: intIn('log-level', -1, 7) });
  a.define('log-forward-level', '3', IMM, { onSet: intIn('log-forward-level', -1, 7) });
  a.define('log-critical-level', '2', RT, { onSet: intIn('log-critical-level', -1, 7) });
  a.define('log-stderr-level', '3', RT, { onSet: intIn('log-stderr-level', -1, 7) });
  a.define('log-stderr-mode', 'leader', IMM, { onSet: oneOf('log-stderr-mode', ['leader', 'local']) });
  a.define('log-filename', undefined, IMM);
  a.define('log-syslog-enable', '0', RT, { onSet: syslogEnable });
  a.define('log-syslog-level', '3', RT, { onSet: intIn('log-syslog-level', -1, 7) });
  a.define('tbon.topo', undefined, IMM);
  a.define('tbon.fanout', undefined, IMM);
  a.define('tbon.level', undefined, RO);
  a.define('tbon.maxlevel', undefined, RO);
  a.define('tbon.descendants', undefined, RO);
  a.define('tbon.endpoint', undefined, RO);
  a.define('tbon.parent-endpoint', undefined, RO);
  a.define('tbon.prefertcp', '0', IMM, { onSet: oneOf('tbon.prefertcp', ['0', '1']) });
  a.define('tbon.interface-hint', 'default-route', IMM);
  a.define('tbon.torpid_min', '5s', IMM, { onSet: fsdOnly('tbon.torpid_min') });
  a.define('tbon.torpid_max', '30s', IMM, { onSet: fsdOnly('tbon.torpid_max') });
  a.define('tbon.tcp_user_timeout', '20s', IMM, { onSet: fsdOnly('tbon.tcp_user_timeout') });
  a.define('tbon.connect_timeout', '30s', IMM, { onSet: fsdOnly('tbon.connect_timeout') });
  a.define('tbon.child_rcvhwm', '0', IMM | NS);
  a.define('tbon.zmqdebug', undefined, IMM | NS, { why: NO_ZMQ });
  a.define('tbon.zmq_io_threads', undefined, IMM | NS, { why: NO_ZMQ });
  // local connector limits (kernel/connector/local-socket.ts)
  a.define('connector.client-outbuf', '32M', IMM, { onSet: sizeAtLeast('connector.client-outbuf', 1 << 20) });
  a.define('connector.inflight-max', '64M', IMM, { onSet: sizeAtLeast('connector.inflight-max', 1 << 20) });
}
