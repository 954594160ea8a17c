/**
 * The broker's log: a ring buffer of RFC 5424-style entries (what `flux dmesg`
 * reads) plus the stderr printer. Entries at or below log-stderr-level are written
 * to stderr in Flux's format; followers forward entries to the leader (overlay).
 */
import { LogLevel, type LogLevelName } from '../api/handle';
import { eventTime } from '../../lib/event-time';
import { BoundedRing, truncateUtf8 } from '../../lib/bounded-ring';

export interface LogEntry {
  seq: number;
  /** seconds since the epoch, microsecond precision */
  timestamp: number;
  severity: number;
  appname: string;
  /** rank, or hostname before the rank is known */
  hostname: string;
  text: string;
}

export const severityNames: readonly LogLevelName[] = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
];

export function severityOf(name: string): number | undefined {
  return (LogLevel as Record<string, number>)[name];
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Whole seconds as a Date plus the microseconds (rounded, never 1000000). */
function split(ts: number): { d: Date; usec: number } {
  const total = Math.round(ts * 1e6);
  const sec = Math.floor(total / 1e6);
  return { d: new Date(sec * 1000), usec: total - sec * 1e6 };
}

/** `Nov 24 06:48:05.181897 UTC 2026` in UTC (the broker's stderr time stamp). */
export function stderrTime(ts: number): string {
  const { d, usec } = split(ts);
  return (
    `${MON[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:` +
    `${pad(d.getUTCSeconds())}.${pad(usec, 6)} UTC ${d.getUTCFullYear()}`
  );
}

/** `2026-11-24T06:29:19.366458Z` (flux dmesg's time stamp). */
export function isoTime(ts: number): string {
  const { d, usec } = split(ts);
  return d.toISOString().slice(0, 19) + '.' + pad(usec, 6) + 'Z';
}

export function formatDmesg(e: LogEntry): string {
  return `${isoTime(e.timestamp)} ${e.appname}.${severityNames[e.severity] ?? e.severity}[${e.hostname}]: ${e.text}`;
}

export function formatStderr(e: LogEntry, mode: 'leader' | 'local'): string {
  const sev = severityNames[e.severity] ?? String(e.severity);
  if (mode === 'local') return `<${e.severity}>${e.appname}.${sev}[${e.hostname}]: ${e.text}`;
  return `${stderrTime(e.timestamp)} ${e.appname}.${sev}[${e.hostname}]: ${e.text}`;
}

/** Wall-clock seconds since the epoch with real microsecond resolution (Date.now() has only ms). */
export function nowSeconds(): number {
  return eventTime();
}

/** what an entry costs the ring: its strings plus a fixed overhead for the rest */
export const entryBytes = (e: LogEntry): number => Buffer.byteLength(e.text) + e.appname.length + e.hostname.length + 64;

export class LogRing {
  /** bounded by log-ring-size entries and log-ring-bytes bytes; the oldest go first */
  readonly ring = new BoundedRing<LogEntry>(entryBytes, 1024, 8 << 20);
  private seq = 0;
  private readonly listeners = new Set<(e: LogEntry) => void>();
  /** entries with severity <= this go to the ring */
  level = 7;
  /** entries with severity <= this go to stderr (printer decides where) */
  stderrLevel = 3;
  stderrMode: 'leader' | 'local' = 'leader';
  /** entries at or below this are always printed locally */
  criticalLevel = 2;
  /** where stderr output goes; the overlay replaces it on followers to forward */
  printer: (e: LogEntry) => void = (e) => {
    process.stderr.write(formatStderr(e, this.stderrMode) + '\n');
  };
  hostname = '?';

  append(severity: number, appname: string, text: string, hostname = this.hostname, timestamp?: number): LogEntry {
    const e: LogEntry = {
      seq: ++this.seq,
      timestamp: timestamp ?? nowSeconds(),
      severity,
      appname,
      hostname,
      text: truncateUtf8(text, this.ring.maxBytes - 128),
    };
    if (severity <= this.level) {
      this.ring.push(e);
      for (const l of this.listeners) l(e);
    }
    // in local mode each broker prints its own: another rank's entry (forwarded to the leader) only enters the ring
    if ((severity <= this.stderrLevel || severity <= this.criticalLevel) && (this.stderrMode === 'leader' || hostname === this.hostname)) this.printer(e);
    return e;
  }

  all(): readonly LogEntry[] {
    return this.ring.all();
  }

  clear(): void {
    this.ring.clear();
  }

  listen(cb: (e: LogEntry) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
}
