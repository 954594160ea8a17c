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
  /** log every main eventlog event (-vv) */
  events: boolean;
  /** the job started running / finished (for the progress counts) */
  onState: (id: number, what: 'running' | 'inactive') => void;
}

function onOutput(e: OutputEntry, h: FollowHooks): void {
  const c = e.context ?? {};
  if (e.name === 'redirect') {
    h.note(`${String(c['rank'])}: ${String(c['stream'])} redirected to ${String(c['path'])}`);
    return;
  }
  if (e.name !== 'data' || typeof c['data'] !== 'string') return;
  const stream = c['stream'] === 'stderr' ? 'stderr' : 'stdout';
  const data = entryData(c);
  h.write(stream, h.labelIo ? labelLines(data, `${String(c['rank'])}: `) : data);
}

/** Follow the job to its end; its final record. */
export async function followJob(client: Client, id: number, hooks: FollowHooks): Promise<JobRecord> {
  const f58 = encodeF58(id);
  let output: Promise<void> | undefined;
  for await (const e of eventWatch(client, id)) {
    if (hooks.events) hooks.note(`${f58}: ${e.name}`);
    if (e.name === 'start' && !output) {
      hooks.onState(id, 'running');
      output = readOutput(client, id, (entries) => entries.forEach((x) => onOutput(x, hooks))).catch((err: Error) => {
        hooks.note(`${f58}: error reading output: ${err.message}`);
      });
    }
    if (e.name === 'exception' && Number(e.context?.['severity'] ?? 0) === 0) {
      const c = e.context ?? {};
      hooks.note(`${f58}: exception: type=${String(c['type'] ?? '')} ${String(c['note'] ?? '')}`.trimEnd());
    }
  }
  if (output) await output;
  const j = await client.rpc<JobRecord>('job-manager.wait-inactive', { id });
  hooks.onState(id, 'inactive');
  return j;
}
