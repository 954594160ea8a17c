/**
 * Node's own I/O paths run once in the broker zygote before it forks
 * (cli/broker-zygote.ts, ADR 0024): a unix-socket server, a client that
 * writes and reads text and bytes through it, and the file system calls of
 * Node's pool. Node compiles its internal functions when they first run, so
 * every forked broker would otherwise compile the same socket, stream and fs
 * code again (6 ms of a follower's ~45 ms of CPU at start-up).
 *
 * Everything it opens is closed again before it resolves: the zygote forks
 * with nothing of it left. A failure (no writable temporary directory) only
 * means the brokers compile that code themselves.
 */
import { promises as fsp } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const once = (emitter: NodeJS.EventEmitter, event: string) => new Promise<void>((resolve) => emitter.once(event, () => resolve()));

export async function warmNodeIo(): Promise<void> {
  let dir: string | undefined;
  try {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flux-zygote-'));
    await fsp.lstat(dir);
    const server = net.createServer((c) => {
      c.on('data', (d) => c.write(d));
      c.on('end', () => c.end());
    });
    server.listen(path.join(dir, 's'));
    await once(server, 'listening');
    for (const encoding of ['utf8', undefined] as const) {
      const c = net.connect(path.join(dir, 's'));
      if (encoding) c.setEncoding(encoding);
      await once(c, 'connect');
      c.write('warm\n');
      c.write(Buffer.alloc(64));
      await once(c, 'data');
      c.end();
      await once(c, 'close');
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  } catch {
    /* the brokers compile it themselves */
  } finally {
    if (dir !== undefined) await fsp.rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}
