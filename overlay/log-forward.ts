/**
 * Log forwarding on followers: entries at or below log-forward-level go to
 * rank 0 as `log.append`, so the leader's dmesg and `log-filename` show
 * followers' errors, and (log-stderr-mode=leader) its stderr. As in Flux, they
 * are forwarded in `local` mode too (what `-v` selects): there each broker
 * prints its own, and the leader only keeps them. While no parent link is up (early boot, lost
 * parent) entries are printed locally instead, so nothing is silently lost;
 * so are those at or below log-critical-level, always (as Flux: a crit line
 * must reach stderr even when it cannot reach the leader any more).
 */
import type { TreeHost } from '../kernel/tree-host';
import type { Overlay } from './overlay';

export function installLogForwarding(b: TreeHost, ov: Overlay): void {
  if (b.rank === 0) return;
  const ring = b.logRing;
  const printLocally = ring.printer;
  const level = Number(b.attrs.get('log-forward-level') ?? 3);
  const me = String(b.rank);
  ring.printer = (e) => {
    if (ring.stderrMode === 'local' || !ov.parentUp || e.severity <= ring.criticalLevel) printLocally(e);
  };
  ring.listen((e) => {
    if (!ov.parentUp || e.severity > level || e.hostname !== me) return;
    const entry = { severity: e.severity, appname: e.appname, text: e.text, hostname: e.hostname, timestamp: e.timestamp };
    b.self.send('log.append', { entries: [entry] }, { nodeid: 0 });
  });
}
