/**
 * Overlay transports, chosen by URI scheme: `ipc://PATH` (unix socket) and
 * `tcp://ADDR:PORT`. Both hand the secure link a plain byte stream, so another
 * transport only needs a listen and a connect here.
 */
import type * as Dns from 'node:dns/promises';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { claimSocketPath } from '../lib/socket-claim';

export interface Listener {
  /** the URI peers connect to (with the real port for tcp) */
  readonly uri: string;
  close(): Promise<void>;
}

export class InterfaceHintError extends Error {}

const isLinkLocal6 = (a: os.NetworkInterfaceInfo) => a.family === 'IPv6' && /^fe[89ab]/i.test(a.address);

/** The interface's IPv4 address, else a routable IPv6 one. */
function interfaceAddress(name: string): string | undefined {
  const addrs = os.networkInterfaces()[name] ?? [];
  return (addrs.find((a) => a.family === 'IPv4') ?? addrs.find((a) => a.family === 'IPv6' && !isLinkLocal6(a)))?.address;
}

/** Name of the interface holding the IPv4 default route (/proc/net/route), if any. */
async function defaultRouteInterface(): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.promises.readFile('/proc/net/route', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n').slice(1)) {
    const [iface, dest] = line.trim().split(/\s+/);
    if (iface && dest !== undefined && /^0+$/.test(dest)) return iface;
  }
  return undefined;
}

/** The address this host's name resolves to (IPv4 preferred). */
async function hostnameAddress(): Promise<string | undefined> {
  const name = os.hostname();
  // loaded here, not at start: a broker without tcp never resolves a name (~0.3 MiB of Node's own)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dns = require('node:dns/promises') as typeof Dns;
  try {
    return (await dns.lookup(name, { family: 4 })).address;
  } catch {
    try {
      return (await dns.lookup(name)).address;
    } catch {
      return undefined;
    }
  }
}

function ipv4ToInt(a: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

/** The first interface IPv4 address inside `cidr` (a.b.c.d/n); undefined if `cidr` is not one. */
function cidrAddress(cidr: string): string | undefined | null {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  const net = m ? ipv4ToInt(m[1]!) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (net === undefined || !(bits >= 0 && bits <= 32)) return null;
  const size = 2 ** (32 - bits);
  const base = Math.floor(net / size) * size;
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      const v = a.family === 'IPv4' ? ipv4ToInt(a.address) : undefined;
      if (v !== undefined && v >= base && v < base + size) return a.address;
    }
  }
  return undefined;
}

/**
 * The address to bind for other hosts, chosen as Flux chooses it from
 * `tbon.interface-hint`: `default-route` (the interface of the IPv4 default
 * route, falling back to the hostname's address where there is none),
 * `hostname` (what the hostname resolves to), an interface name, or an IPv4
 * CIDR (the first interface address inside it). InterfaceHintError otherwise.
 */
export async function hintAddress(hint: string): Promise<string> {
  const fail = (why: string) => new InterfaceHintError(`tbon.interface-hint ${hint}: ${why}`);
  if (hint === 'default-route') {
    const iface = await defaultRouteInterface();
    const a = (iface !== undefined ? interfaceAddress(iface) : undefined) ?? (await hostnameAddress());
    if (a === undefined) throw fail(`no default route and ${os.hostname()} does not resolve`);
    return a;
  }
  if (hint === 'hostname') {
    const a = await hostnameAddress();
    if (a === undefined) throw fail(`${os.hostname()} does not resolve`);
    return a;
  }
  if (os.networkInterfaces()[hint] !== undefined) {
    const a = interfaceAddress(hint);
    if (a === undefined) throw fail(`interface ${hint} has no usable address`);
    return a;
  }
  const a = cidrAddress(hint);
  if (a === null) throw fail('not an interface here, default-route, hostname, or an IPv4 CIDR');
  if (a === undefined) throw fail('no interface address in that network');
  return a;
}

/** `tcp://ADDR:*` for an address (IPv6 in brackets). */
export function tcpWildcard(address: string): string {
  return address.includes(':') ? `tcp://[${address}]:*` : `tcp://${address}:*`;
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
export async function listen(uri: string, onConnection: (s: net.Socket) => void): Promise<Listener> {
  const where = parse(uri);
  // a socket a running instance serves is refused, a stale one removed (lib/socket-claim.ts)
  if (where.kind === 'ipc') await claimSocketPath(where.path);
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

/**
 * Connect to `uri`; rejects with the system error, with ETIMEDOUT after
 * `timeoutMs` (0: only the system's limit), or with the signal's reason.
 */
export function connect(uri: string, timeoutMs = 0, signal?: AbortSignal): Promise<net.Socket> {
  const where = parse(uri);
  return new Promise((resolve, reject) => {
    const s = where.kind === 'ipc' ? net.createConnection(where.path) : net.createConnection(where.port, where.host);
    const fail = (e: Error) => {
      cleanup();
      s.destroy();
      reject(e);
    };
    const onAbort = () => fail((signal!.reason as Error | undefined) ?? new Error('aborted'));
    const timer =
      timeoutMs > 0
        ? setTimeout(() => fail(Object.assign(new Error(`connect ETIMEDOUT: no answer in ${timeoutMs / 1000}s`), { code: 'ETIMEDOUT' })), timeoutMs)
        : undefined;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      s.off('error', fail);
      signal?.removeEventListener('abort', onAbort);
    };
    s.once('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    s.once('connect', () => {
      cleanup();
      if (where.kind === 'tcp') s.setNoDelay(true);
      resolve(s);
    });
  });
}
