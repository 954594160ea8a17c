/**
 * Message tracing (flux module trace and flux overlay trace, Flux's
 * module.trace and overlay.trace): the clients that asked to see the
 * messages modules (or overlay links) receive (rx) and send (tx), each with
 * its filter, and one record per message that passes a filter. The broker
 * calls record() only while someone traces (active), and each record is
 * sent to the tracer's stream.
 */
import { fnmatchRegex } from './formats/fnmatch';
import type { ModuleTraceRecord } from './protocol/broker';

/** what record() is given of a message (kernel/message/message.ts's Message has these) */
export interface TracedMessage {
  type: number;
  topic: string;
  payload?: unknown;
  errnum: number;
  errstr?: string;
}

export interface TraceFilter {
  /** module names; empty: every module */
  names: readonly string[];
  /** the peer rank of an overlay trace; -1: every peer */
  nodeid: number;
  /** message types (RFC 3 bits: request 1, response 2, event 4, control 8); 0: all */
  typemask: number;
  topic_glob: string;
  /** payloads (and error texts) too */
  full: boolean;
}

/** one record of a trace stream (module.trace's; overlay.trace's has the same fields) */
export type TraceRecord = ModuleTraceRecord;

interface Tracer {
  filter: TraceFilter;
  topic: RegExp;
  send(r: TraceRecord): void;
}

/** a payload's size as it would travel: its JSON's bytes */
function payloadSize(p: unknown): number {
  if (p === undefined || p === null) return 0;
  if (Buffer.isBuffer(p)) return p.length;
  try {
    return Buffer.byteLength(JSON.stringify(p) ?? '');
  } catch {
    return 0;
  }
}

export class MessageTracer {
  private readonly tracers = new Map<string, Tracer>();

  /** onDrop: a trace whose stream failed (its record could not be sent) is stopped and reported here */
  constructor(private readonly onDrop: (key: string, why: string) => void) {}

  get active(): boolean {
    return this.tracers.size > 0;
  }

  /** A client's trace (key: who and which request); its records go to send until removed. */
  add(key: string, filter: TraceFilter, send: (r: TraceRecord) => void): void {
    this.tracers.set(key, { filter, topic: fnmatchRegex(filter.topic_glob || '*'), send });
  }

  /** Stop the traces whose key starts with prefix (a client that went away: all of its); how many. */
  removeAll(prefix: string): number {
    let n = 0;
    for (const k of [...this.tracers.keys()]) if (k.startsWith(prefix) && this.tracers.delete(k)) n++;
    return n;
  }

  /** One message of module `name` (or, with a rank, on the overlay link to that peer), received (rx) or sent (tx). */
  record(prefix: 'rx' | 'tx', name: string, msg: TracedMessage, rank = -1): void {
    // a trace's own stream is not traced (it would feed itself)
    if (msg.topic === 'module.trace' || msg.topic === 'overlay.trace') return;
    let size: number | undefined;
    for (const [key, t] of this.tracers) {
      const f = t.filter;
      if ((f.typemask !== 0 && (f.typemask & msg.type) === 0) || (f.names.length > 0 && !f.names.includes(name)) || (f.nodeid >= 0 && f.nodeid !== rank) || !t.topic.test(msg.topic)) {
        continue;
      }
      const failed = msg.errnum > 0;
      size ??= failed ? 0 : payloadSize(msg.payload);
      const r: TraceRecord = {
        timestamp: Date.now() / 1000,
        prefix,
        name,
        rank,
        type: msg.type,
        topic: msg.topic,
        payload_size: size,
        payload: f.full && !failed && size > 0 ? msg.payload : null,
        errnum: msg.errnum,
        errstr: f.full && failed ? (msg.errstr ?? '') : '',
      };
      // the traced message goes on whatever becomes of its record: a failing trace is stopped, never thrown into the module's (or link's) path
      try {
        t.send(r);
      } catch (e) {
        this.tracers.delete(key);
        this.onDrop(key, (e as Error).message);
      }
    }
  }
}
