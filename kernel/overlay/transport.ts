/**
 * Overlay transports, chosen by URI scheme: `ipc://PATH` (unix socket) and
 * `tcp://ADDR:PORT`. Both hand the secure link a plain byte stream, so another
 * transport only needs a listen and a connect here.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';

export interface Listener {
  /** the URI peers connect to (with the real port for tcp) */
  readonly uri: string;
  close(): Promise<void>;
}

/** An address other hosts can reach: first non-internal IPv4, else loopback. */
export function defaultAddress(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function parse(uri: string): { kind: 'ipc'; path: string } | { kind: 'tcp'; host: string; port: number } {
  if (uri.startsWith('ipc://')) return { kind: 'ipc', path: uri.slice('ipc://'.length) };
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:]+):(\d+|\*)$/.exec(uri);
  if (m) {
    const host = m[1]!.replace(/^\[|\]$/g, '');
    return { kind: 'tcp', host, port: m[2] === '*' ? 0 : Number(m[2]) };
  }
  throw new Error(`unsupported overlay URI ${uri}`);
}

/** Bind `uri` (tcp port `*` = any); each accepted connection goes to onConnection. */
export function listen(uri: string, onConnection: (s: net.Socket) => void): Promise<Listener> {
  const where = parse(uri);
  const server = net.createServer({ noDelay: true } as net.ServerOpts, onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (bound: string) => {
      server.off('error', reject);
      server.on('error', () => {});
      resolve({
        uri: bound,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            if (where.kind === 'ipc') fs.rmSync(where.path, { force: true });
          }),
      });
    };
    if (where.kind === 'ipc') {
      fs.rmSync(where.path, { force: true });
      server.listen(where.path, () => {
        fs.chmodSync(where.path, 0o700);
        done(uri);
      });
    } else {
      server.listen(where.port, where.host, () => {
        const a = server.address() as net.AddressInfo;
        const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        done(`tcp://${host}:${a.port}`);
      });
    }
  });
}

/** Connect to `uri`; rejects with the system error. */
export function connect(uri: string): Promise<net.Socket> {
  const where = parse(uri);
  return new Promise((resolve, reject) => {
    const s = where.kind === 'ipc' ? net.createConnection(where.path) : net.createConnection(where.port, where.host);
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      if (where.kind === 'tcp') s.setNoDelay(true);
      resolve(s);
    });
  });
}
