/**
 * What `flux shutdown` shows while the instance goes down: the broker log
 * entries posted from the moment it asked, at or above a severity, as Flux's
 * broker forwards them to flux-shutdown (`broker.info[0]: rc3-success:
 * finalize->goodbye 5.1ms`: no timestamp), up to the broker's move to
 * GOODBYE, which is the last line (Flux ends the stream there, after rc3).
 */
import type { BrokerLogDmesgResponse } from '../../lib/protocol/broker';

const SEV = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

export const LOG_WARNING = 4;
export const LOG_INFO = 6;
export const LOG_DEBUG = 7;

type Entry = BrokerLogDmesgResponse['entry'];

/** one entry as flux-shutdown prints it */
export function shutdownLine(e: Entry): string {
  const rank = Number.parseInt(e.hostname, 10);
  return `${e.appname}.${SEV[e.severity] ?? String(e.severity)}[${Number.isNaN(rank) ? 0 : rank}]: ${e.text}\n`;
}

/** the broker's own transition into GOODBYE (rc3 done): the end of what is shown */
export function isGoodbye(e: Entry): boolean {
  return e.appname === 'broker' && /^\S+: finalize->goodbye /.test(e.text);
}

/** a printer of entries at or above `level`; it prints nothing more once the broker reached GOODBYE */
export function logPrinter(level: number, write: (s: string) => void): (e: Entry) => void {
  let done = false;
  return (e) => {
    if (done) return;
    if (e.severity <= level) write(shutdownLine(e));
    if (isGoodbye(e)) done = true;
  };
}
