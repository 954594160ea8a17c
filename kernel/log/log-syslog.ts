/**
 * `log-syslog-enable` and `log-syslog-level` (flux-broker-attributes(7)):
 * this broker's own log entries at or above the level go to syslog as Flux
 * sends them — ident `flux`, facility user, text `USER@JOBID-PATH
 * APPNAME.SEVERITY[RANK]: TEXT`. Both attributes are read per entry, so
 * `flux setattr` takes effect at once. The datagram never blocks (lib/native):
 * an entry a busy syslog daemon cannot take is lost, not waited for.
 */
import * as os from 'node:os';
import { syslogSend } from '../../lib/native';
import { severityNames, type LogRing } from './log-ring';
import type { AttrStore } from '../attr/attrs';

/** LOG_USER */
const FACILITY = 1 << 3;

/** Start sending; returns what stops it. */
export function installSyslog(ring: LogRing, attrs: AttrStore, rank: () => number): () => void {
  let user: string | undefined;
  return ring.listen((e) => {
    if (attrs.get('log-syslog-enable') !== '1') return;
    if (e.severity > Number(attrs.get('log-syslog-level') ?? 3)) return;
    // forwarded entries are the other brokers' to send
    if (e.hostname !== String(rank())) return;
    user ??= os.userInfo().username;
    const text = `${user}@${attrs.get('jobid-path') ?? '/'} ${e.appname}.${severityNames[e.severity] ?? e.severity}[${e.hostname}]: ${e.text}`;
    syslogSend(FACILITY | e.severity, text);
  });
}
