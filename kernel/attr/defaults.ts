/**
 * The broker attributes every broker defines, with their defaults and flags
 * (flux-broker-attributes(7)). Values that depend on boot (rank, size, rundir ...)
 * are filled in by the broker as it learns them.
 */
import { FluxError } from '../../lib/errors';
import { Errno } from '../../lib/errno';
import { tryParse as parseFsd } from '../../lib/formats/fsd';
import { AttrFlag, AttrStore } from './attrs';
import { parseSize } from '../../lib/formats/size';
import { canSyslog } from '../../lib/native';
import { localUriPath } from '../../lib/formats/local-uri';

const { ReadOnly: RO, Immutable: IMM, Runtime: RT, Forceable: F, ListUnset: LU, Unsupported: NS } = AttrFlag;

export const VERSION = '0.88.0';

function syslogEnable(v: string): void {
  if (v !== '0' && v !== '1') throw new FluxError(Errno.EINVAL, 'Error parsing log-syslog-enable attribute (0 or 1)');
  if (v === '1' && !canSyslog()) throw new FluxError(Errno.EINVAL, 'log-syslog-enable: this build has no native addon (dist/native/flux-ts.node): no syslog');
}

function intIn(name: string, lo: number, hi: number) {
  return (v: string) => {
    if (!/^-?\d+$/.test(v) || Number(v) < lo || Number(v) > hi) {
      throw new FluxError(Errno.EINVAL, `Error parsing ${name} attribute`);
    }
  };
}

/** a byte size (digits, optional K/M/G) of at least `min` bytes */
function sizeAtLeast(name: string, min: number) {
  return (v: string) => {
    const n = parseSize(v);
    if (n === undefined || n < min) throw new FluxError(Errno.EINVAL, `Error parsing ${name} attribute`);
  };
}

/** FSD or "none" */
export function fsdOrNone(name: string) {
  return (v: string) => {
    if (v !== 'none' && !/^\d+(\.\d+)?(ms|s|m|h|d)?$/.test(v)) {
      throw new FluxError(Errno.EINVAL, `Error parsing ${name} attribute`);
    }
  };
}

/** broker.idle-reduce: `none`, or an FSD of at most a day (0 is off too) */
function idleReduceCheck(v: string): void {
  fsdOrNone('broker.idle-reduce')(v);
  if (v !== 'none' && !((parseFsd(v) ?? Infinity) <= 86400)) throw new FluxError(Errno.EINVAL, 'Error parsing broker.idle-reduce attribute (none, or at most 1d)');
}

/** a directory: empty, it would name nothing */
const nonEmpty = (name: string) => (v: string) => {
  if (v === '') throw new FluxError(Errno.EINVAL, `${name}: empty value`);
};

/** an FSD (the tbon liveness timeouts; their limits are checked once the config is read) */
function fsdOnly(name: string) {
  return (v: string) => {
    if (parseFsd(v) === undefined) throw new FluxError(Errno.EINVAL, `Error parsing ${name} attribute`);
  };
}

export function defineDefaultAttrs(a: AttrStore): void {
  a.define('rank', undefined, RO);
  a.define('size', undefined, RO);
  a.define('version', VERSION, RO);
  a.define('hostname', undefined, IMM);
  a.define('hostlist', undefined, RO);
  a.define('rundir', undefined, IMM | F, { onSet: nonEmpty('rundir') });
  a.define('rundir-cleanup', undefined, IMM);
  a.define('statedir', undefined, IMM | F, { onSet: nonEmpty('statedir') });
  a.define('statedir-cleanup', undefined, IMM);
  a.define('content.restore', undefined, IMM);
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
  a.define('broker.rc1_path', undefined, IMM | F);
  a.define('broker.rc3_path', undefined, IMM | F);
  a.define('broker.rc2_none', undefined, IMM | F);
  a.define('broker.rc2_pgrp', undefined, IMM | NS);
  a.define('broker.module-nopanic', undefined, RT | NS);
  a.define('broker.exit-restart', undefined, RT | NS);
  a.define('broker.recovery-mode', undefined, IMM, {
    onSet: (v) => {
      if (v !== '0' && v !== '1') throw new FluxError(Errno.EINVAL, 'Error parsing broker.recovery-mode attribute');
    },
  });
  a.define('conf.shell_initrc', undefined, RT | NS);
  a.define('conf.shell_pluginpath', undefined, RT | NS);
  a.define('config.path', undefined, IMM);
  a.define('log-ring-size', '1024', IMM, { onSet: intIn('log-ring-size', 1, 1 << 20) });
  a.define('log-level', '7', RT, { onSet: intIn('log-level', -1, 7) });
  a.define('log-forward-level', '3', IMM, { onSet: intIn('log-forward-level', -1, 7) });
  a.define('log-critical-level', '2', RT, { onSet: intIn('log-critical-level', -1, 7) });
  a.define('log-stderr-level', '3', RT, { onSet: intIn('log-stderr-level', -1, 7) });
  a.define('log-stderr-mode', 'leader', IMM, {
    onSet: (v) => {
      if (v !== 'leader' && v !== 'local') throw new FluxError(Errno.EINVAL, 'Error parsing log-stderr-mode attribute');
    },
  });
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
  a.define('tbon.prefertcp', '0', IMM);
  a.define('tbon.interface-hint', 'default-route', IMM);
  a.define('tbon.torpid_min', '5s', IMM, { onSet: fsdOnly('tbon.torpid_min') });
  a.define('tbon.torpid_max', '30s', IMM, { onSet: fsdOnly('tbon.torpid_max') });
  a.define('tbon.tcp_user_timeout', '20s', IMM, { onSet: fsdOnly('tbon.tcp_user_timeout') });
  a.define('tbon.connect_timeout', '30s', IMM, { onSet: fsdOnly('tbon.connect_timeout') });
  a.define('tbon.child_rcvhwm', '0', IMM | NS);
  // local connector limits (kernel/connector/local-socket.ts)
  a.define('connector.client-outbuf', '32M', IMM, { onSet: sizeAtLeast('connector.client-outbuf', 1 << 20) });
  a.define('connector.inflight-max', '64M', IMM, { onSet: sizeAtLeast('connector.inflight-max', 1 << 20) });
}
