/**
 * What Flux keeps of an instance's resources in its kvs, kept there too by
 * rank 0: `resource.R` (the instance's R, rewritten when it changes) and
 * `resource.eventlog` (RFC 18: `restart`, `resource-define`, `drain` and
 * `undrain`, the events Flux's resource module logs there; online, offline,
 * torpid and lively stay in the journal, as in Flux). Writes are chained in
 * order; a failed one is logged, never the failure of what caused it.
 */
import type { Handle } from '../../kernel/api';
import type { Rv1 } from '../../lib/formats';
import type { JournalEvent } from './journal';

export const R_KEY = 'resource.R';
export const EVENTLOG_KEY = 'resource.eventlog';
/** the journal's events that Flux's resource.eventlog holds */
const LOGGED = new Set(['restart', 'resource-define', 'drain', 'undrain']);

export class KvsRecord {
  private chain: Promise<void> = Promise.resolve();
  private lastR = '';

  constructor(private readonly h: Handle) {}

  /** Write R if it is not what was written last. */
  saveR(R: Rv1): void {
    const text = JSON.stringify(R);
    if (text === this.lastR) return;
    this.lastR = text;
    this.write(R_KEY, 'kvs.put', { key: R_KEY, value: R });
  }

  /** Append a journal event to resource.eventlog, if it is one Flux logs there. */
  log(e: JournalEvent): void {
    if (!LOGGED.has(e.name)) return;
    this.write(EVENTLOG_KEY, 'kvs.eventlog-append', { key: EVENTLOG_KEY, entries: [e] });
  }

  private write(key: string, topic: string, payload: unknown): void {
    this.chain = this.chain.then(() =>
      this.h.rpc(topic, payload).then(
        () => undefined,
        (e: Error) => this.h.log('err', `${key}: ${e.message}`),
      ),
    );
  }
}
