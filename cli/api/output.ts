/**
 * A job's output as an async iterator (as `flux job attach` reads it): each
 * chunk of a task's stdout or stderr, in order, from the start of the job's
 * output to its end. Reading is paced by the loop: the next chunk of the log
 * is fetched once the loop has taken the last one, so a slow consumer never
 * piles output up in the broker or here. Output redirected to files (--output)
 * is not in the log and does not appear.
 */
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { entryData, readOutput, type OutputEntry } from '../attach/output-stream';
import type { Client } from './client';
import { Channel } from './channel';
import { parseJobId, waitForEvent, type JobId } from './job';

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  /** the task rank that wrote it */
  rank: number;
  /**
   * the text (whole lines, except a last line without a newline); output
   * that is not UTF-8 is a Buffer of its bytes, exactly as the task wrote them
   */
  data: string | Buffer;
}

export interface OutputWatchOptions {
  /** only this stream */
  stream?: 'stdout' | 'stderr';
}

class Stop extends Error {}

function chunkOf(e: OutputEntry): OutputChunk | undefined {
  const c = e.context ?? {};
  if (e.name !== 'data' || typeof c['data'] !== 'string') return undefined;
  return { stream: c['stream'] === 'stderr' ? 'stderr' : 'stdout', rank: Number(c['rank'] ?? 0), data: entryData(c) };
}

/** The job's output, from its start (waits for the job to start) to its end. */
export function outputWatch(h: Client, id: JobId | string, opts: OutputWatchOptions = {}): AsyncIterableIterator<OutputChunk> {
  for (const k of Object.keys(opts)) if (k !== 'stream') throw new FluxError(Errno.EINVAL, `outputWatch: unknown option '${k}'`);
  if (opts.stream !== undefined && opts.stream !== 'stdout' && opts.stream !== 'stderr') {
    throw new FluxError(Errno.EINVAL, "outputWatch: stream must be 'stdout' or 'stderr'");
  }
  const ch = new Channel<OutputChunk>();
  void (async () => {
    try {
      // job-exec has the job's output log once it started (or, if it never ran, there is none)
      await waitForEvent(h, id, ['start', 'clean']);
      const n = typeof id === 'string' ? parseJobId(id) : id;
      await readOutput(h, n, async (entries) => {
        if (ch.closed) throw new Stop();
        const chunks = entries.map(chunkOf).filter((c): c is OutputChunk => c !== undefined && (!opts.stream || c.stream === opts.stream));
        if (chunks.length > 0) await ch.push(...chunks);
        if (ch.closed) throw new Stop();
      });
      ch.end();
    } catch (e) {
      if (e instanceof Stop) ch.end();
      else ch.fail(e as Error);
    }
  })();
  return ch;
}
