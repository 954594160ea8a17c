/**
 * Reading a job's output (its RFC 24 output eventlog) the way flux job attach,
 * flux run and flux submit --watch do: from job-exec's output log in bounded
 * chunks, `job-exec.output-read {id, offset, wait: true}` answering with at most
 * 1 MiB of complete lines and waiting while the job runs and nothing new is
 * written. The next read goes out only after the caller has taken the last one
 * (its promise resolved, e.g. once stdout drained), so a slow reader slows the
 * reading and nothing piles up in the broker or here. On the host of the
 * output log, a reader allowed to open it (the instance owner) asks with
 * `direct` and reads the lines from the file itself (checked to be the same
 * file by device and inode): the broker then sends no output at all.
 *
 * A job that job-exec does not know (it ran under an earlier job-exec, or none
 * is loaded) is read from the kvs copy instead (`kvs.watch` of
 * job.<id>.guest.output), which holds the first 1M of each stream and a warning
 * where it was cut.
 *
 * A data entry's data is text, or base64 with `encoding: "base64"` when the
 * task's bytes were not UTF-8 (entryData gives them back).
 */
import * as fs from 'node:fs';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { encodeKvs } from '../../lib/formats';
import { decodeData } from '../../lib/io-data';
import type { Client } from '../api/client';
import { onCommandReset } from '../command-reset';

/** One RFC 18 entry of the output eventlog. */
export interface OutputEntry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

interface Chunk {
  log?: string;
  offset?: number;
  eof?: boolean;
  /** direct: the file and where its complete lines end */
  path?: string;
  dev?: number;
  ino?: number;
  size?: number;
}

/** what one read of the file takes at most */
const DIRECT_CHUNK = 1024 * 1024;

/**
 * A data entry's data: text, or the bytes of a base64 entry (RFC 24: output
 * that is not UTF-8), to be written as they are. An encoding nobody knows is
 * an error (EPROTO), never printed as text.
 */
export function entryData(c: Record<string, unknown>): string | Buffer {
  try {
    return decodeData(c) ?? '';
  } catch (e) {
    throw new FluxError(Errno.EPROTO, `output log: ${(e as Error).message}`);
  }
}

/** the entries of complete JSON lines */
export function parseLines(text: string): OutputEntry[] {
  const out: OutputEntry[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    if (nl > start) out.push(JSON.parse(text.slice(start, nl)) as OutputEntry);
    start = nl + 1;
  }
  return out;
}

/**
 * Call onEntries with the job's output entries, in order, until the end of the
 * output; resolves then. Rejects with a FluxError when reading fails.
 */
export async function readOutput(client: Client, id: number, onEntries: (entries: OutputEntry[], offset: number) => unknown): Promise<void> {
  let offset = 0;
  let direct = true;
  let file: fs.promises.FileHandle | undefined;
  try {
    for (;;) {
      let r: Chunk;
      try {
        r = await client.rpc<Chunk>('job-exec.output-read', { id, offset, wait: true, ...(direct ? { direct } : {}) });
      } catch (e) {
        if (offset === 0 && e instanceof FluxError && (e.errno === Errno.ENOENT || e.errno === Errno.ENOSYS)) {
          return await readKvsCopy(client, id, onEntries);
        }
        throw e;
      }
      if (typeof r.path === 'string' && typeof r.size === 'number' && r.size > offset) {
        file ??= await openSame(r);
        if (!file) {
          // not ours to open (another host, another user): the broker sends the lines
          direct = false;
          continue;
        }
        await readRange(file, offset, r.size, onEntries);
        offset = r.size;
        continue;
      }
      if (typeof r.offset !== 'number' || r.offset < offset) throw new FluxError(Errno.EPROTO, 'job-exec.output-read: malformed response');
      offset = r.offset;
      if (r.log) await onEntries(parseLines(r.log), offset);
      if (r.eof) return;
    }
  } finally {
    if (file) openLogs.delete(file);
    await file?.close().catch(() => undefined);
  }
}

/**
 * Output logs open now. A command may be over before its reader is (flux run
 * ends once every task's EOF is in, while a read waits for more): a fresh
 * process closes them as it exits, a warm client before its next command.
 */
const openLogs = new Set<fs.promises.FileHandle>();
onCommandReset(async () => {
  const all = [...openLogs];
  openLogs.clear();
  await Promise.all(all.map((fh) => fh.close().catch(() => undefined)));
});

/** the output log file named by the broker, if we can open it and it is the same file (device, inode) */
async function openSame(r: Chunk): Promise<fs.promises.FileHandle | undefined> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(r.path!, 'r');
    const st = await fh.stat();
    if (st.dev === r.dev && st.ino === r.ino) {
      openLogs.add(fh);
      return fh;
    }
  } catch {
    /* not here, or not ours */
  }
  await fh?.close().catch(() => undefined);
  return undefined;
}

/** the complete lines of the file in [from, to), a chunk at a time */
async function readRange(fh: fs.promises.FileHandle, from: number, to: number, onEntries: (entries: OutputEntry[], offset: number) => unknown): Promise<void> {
  let buf = Buffer.allocUnsafe(DIRECT_CHUNK);
  let pos = from;
  while (pos < to) {
    const want = Math.min(to - pos, buf.length);
    const { bytesRead } = await fh.read(buf, 0, want, pos);
    if (bytesRead === 0) throw new FluxError(Errno.EIO, 'output log ended early');
    const nl = buf.lastIndexOf(0x0a, bytesRead - 1);
    if (nl < 0) {
      // one line longer than the buffer: read it whole
      buf = Buffer.allocUnsafe(buf.length * 2);
      continue;
    }
    pos += nl + 1;
    await onEntries(parseLines(buf.toString('utf8', 0, nl + 1)), pos);
  }
}

/** the kvs copy of the output eventlog (nothing if there is none) */
function readKvsCopy(client: Client, id: number, onEntries: (entries: OutputEntry[], offset: number) => unknown): Promise<void> {
  return client
    .rpcStream('kvs.watch', { key: `${encodeKvs(id)}.guest.output`, waitcreate: false }, (p) => {
      const entries = (p as { entries?: OutputEntry[] } | undefined)?.entries;
      if (entries) void onEntries(entries, 0);
    })
    .catch((e: unknown) => {
      if (e instanceof FluxError && (e.errno === Errno.ENOENT || e.errno === Errno.ENOSYS)) return;
      throw e;
    });
}
