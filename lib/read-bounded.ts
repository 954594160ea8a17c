/**
 * Read a file a client named, without letting it stall or swamp the reader:
 * opened O_NONBLOCK (a FIFO with no writer cannot block the open), refused
 * unless it is a regular file no larger than `max` bytes, read off the event
 * loop. Used for plugin files (shell plugins, jobtap plugins by path). Throws
 * an Error whose message is the one-line reason.
 */
import { promises as fsp } from 'node:fs';

export async function readBoundedFile(file: string, max: number): Promise<string> {
  const fh = await fsp.open(file, fsp.constants.O_RDONLY | fsp.constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > max) throw new Error(`larger than ${max} bytes`);
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}
