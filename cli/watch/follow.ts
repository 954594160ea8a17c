/**
 * What flux watch does for one job: copy its output (once it started) to our
 * stdout and stderr, report its state changes, and end with its record once
 * it is inactive. A job that never ran has no output; one that finished long
 * ago has its output copied from the start.
 */
import type { Client } from '../api/client';
import { eventWatch } from '../api/job';
import { entryData, readOutput, type OutputEntry } from '../attach/output-stream';
import { labelLines } from '../../lib/io-data';
import { encodeF58 } from '../../lib/formats';
import type { JobRecord } from '../jobspec/job-info';

export interface FollowHooks {
  /** label each output line with its task rank (-l) */
  labelIo: boolean;
  /** write job output (stream, text or bytes: output that is not UTF-8 comes as a Buffer) */
  write: (stream: 'stdout' | 'stderr', text: string | Buffer) => void;
  /** a line about the job for stderr (redirects, exceptions, -vv events) */
  note: (line: string) => void;
  /** log every main eventlog event, and the exec eventlog's up to shell.init (-vv) */
  events: boolean;
  /** log `ID: T.TTTs: complete|failed: status=N` at the job's finish event (-v) */
  status?: boolean;
  /** the time -v/-vv lines count from, shared by the jobs watched (Flux's: the earliest submit time, lowered by any earlier event) */
  t0?: { value: number };
  /** with events, the exec eventlog's too (default; not for flux submit --wait without --watch, as Flux's) */
  execEvents?: boolean;
  /** copy the job's output (default); flux submit --wait -v follows only the events */
  output?: boolean;
  /** the job started running / finished (for the progress counts) */
  onState: (id: number, what: 'running' | 'inactive') => void;
}

/** an event's context as Flux's watcher logs it: compact JSON, keys sorted, nothing when empty */
function contextString(c: Record<string, unknown> | undefined): string {
  if (!c || Object.keys(c).length === 0) return '';
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]))
      : Array.isArray(v)
        ? v.map(sorted)
        : v;
  return JSON.stringify(sorted(c));
}

function onOutput(e: OutputEntry, h: FollowHooks, f58: string): void {
  const c = e.context ?? {};
  if (e.name === 'redirect') {
    h.note(`${String(c['rank'])}: ${String(c['stream'])} redirected to ${String(c['path'])}`);
    return;
  }
  if (e.name !== 'data' || typeof c['data'] !== 'string') return;
  const stream = c['stream'] === 'stderr' ? 'stderr' : 'stdout';
  const data = entryData(c);
  // as Flux's JobWatcher: the job id before the task rank, however many jobs are watched
  h.write(stream, h.labelIo ? labelLines(data, `${f58}: ${String(c['rank'])}: `) : data);
}

/** Follow the job to its end; its final record. */
export async function followJob(client: Client, id: number, hooks: FollowHooks): Promise<JobRecord> {
  const f58 = encodeF58(id);
  let output: Promise<void> | undefined;
  let exec: Promise<void> | undefined;
  const t0 = hooks.t0 ?? { value: Infinity };
  /** a -v/-vv line: `ID: T.TTTs: TEXT`, T from t0 */
  const log = (timestamp: number, text: string) => {
    t0.value = Math.min(t0.value, timestamp);
    hooks.note(`${f58}: ${(timestamp - t0.value).toFixed(3)}s: ${text}`);
  };
  for await (const e of eventWatch(client, id)) {
    // any event earlier than t0 moves it, as Flux's
    t0.value = Math.min(t0.value, e.timestamp);
    if (hooks.events) log(e.timestamp, `${e.name} ${contextString(e.context)}`);
    if (e.name === 'finish' && hooks.status) {
      const status = Number(e.context?.['status'] ?? 0);
      log(e.timestamp, `${status === 0 ? 'complete' : 'failed'}: status=${status}`);
    }
    if (e.name === 'start' && hooks.events && hooks.execEvents !== false && !exec) exec = execEvents(client, id, log);
    if (e.name === 'start' && !output && hooks.output !== false) {
      hooks.onState(id, 'running');
      output = readOutput(client, id, (entries) => entries.forEach((x) => onOutput(x, hooks, f58))).catch((err: Error) => {
        hooks.note(`${f58}: error reading output: ${err.message}`);
      });
    }
    if (e.name === 'exception' && Number(e.context?.['severity'] ?? 0) === 0) {
      const c = e.context ?? {};
      hooks.note(`${f58}: exception: type=${String(c['type'] ?? '')} ${String(c['note'] ?? '')}`.trimEnd());
    }
  }
  if (exec) await exec;
  if (output) await output;
  const j = await client.rpc<JobRecord>('job-manager.wait-inactive', { id });
  hooks.onState(id, 'inactive');
  return j;
}

/** -vv: the exec eventlog's events up to shell.init (then the output is what follows), as `exec.NAME CONTEXT` */
async function execEvents(client: Client, id: number, log: (timestamp: number, text: string) => void): Promise<void> {
  const it = eventWatch(client, id, { path: 'exec' });
  try {
    for await (const e of it) {
      log(e.timestamp, `exec.${e.name} ${contextString(e.context)}`);
      if (e.name === 'shell.init') break;
    }
  } catch {
    /* no exec eventlog: nothing to log */
  } finally {
    await it.return?.();
  }
}
