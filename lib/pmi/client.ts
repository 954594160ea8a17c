/**
 * The broker's PMI-1 client (pmi.md §4): connects over an inherited PMI_FD
 * socket (flux start --test-size, Slurm `srun --mpi=pmi2`, mpiexec.hydra) or
 * over TCP to PMI_PORT (hydra `-pmi-port`), does init/get_maxes/get_appnum/
 * get_my_kvsname, then serves put/barrier/get/abort/finalize in lock-step.
 * Every reply is awaited with a timeout and a dead server rejects at once, so
 * bootstrap never hangs forever.
 *
 * Values longer than vallen_max are chunked: the chunks go under `<key>.<i>`
 * and `<key>` holds `@pmi-chunks@<count>`; get() reassembles them.
 */
import * as net from 'node:net';
import { Errno } from '../errno';
import { FluxError } from '../errors';
import type { PmiClient } from './pmi';
import { PmiLineReader, formatPmiLine, parsePmiLine, pmiInt, pmiRc, type PmiFields } from './wire';

export interface PmiConnectOptions {
  /** ms to wait for any reply but a barrier's (default 30 s) */
  timeoutMs?: number;
  /** ms to wait for barrier_out (default 10 min: other ranks may start late) */
  barrierTimeoutMs?: number;
  /** protocol trace sink; default: stderr when FLUX_PMI_DEBUG is set */
  trace?: (text: string) => void;
}

export interface PmiMaxes {
  kvsnameMax: number;
  keylenMax: number;
  vallenMax: number;
}

const CHUNK_MARK = '@pmi-chunks@';

/** A line-oriented, one-request-at-a-time connection to a PMI-1 server. */
class PmiConnection {
  private readonly lines: string[] = [];
  private waiter: ((line: string) => void) | undefined;
  private failWaiter: ((e: FluxError) => void) | undefined;
  private dead: FluxError | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  finalized = false;

  constructor(
    readonly sock: net.Socket,
    private readonly trace: ((text: string) => void) | undefined,
  ) {
    const reader = new PmiLineReader(
      (l) => this.onLine(l),
      64 * 1024,
      (head) => this.kill(new FluxError(Errno.EPROTO, `PMI server sent an over-long line: ${head}...`)),
    );
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => reader.feed(d));
    sock.on('error', (e) => this.kill(new FluxError(Errno.ECONNRESET, `PMI server connection failed: ${e.message}`)));
    sock.on('close', () => this.kill(new FluxError(Errno.ECONNRESET, 'PMI server closed the connection')));
    sock.unref();
  }

  private onLine(line: string): void {
    this.trace?.(`S: ${line}`);
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      this.failWaiter = undefined;
      w(line);
    } else {
      this.lines.push(line);
    }
  }

  private kill(e: FluxError): void {
    if (this.dead) return;
    this.dead = this.finalized ? new FluxError(Errno.EINVAL, 'PMI connection is finalized') : e;
    const f = this.failWaiter;
    this.waiter = undefined;
    this.failWaiter = undefined;
    f?.(this.dead);
    this.sock.destroy();
  }

  /** Next line from the server, or reject on timeout / connection loss. */
  readLine(timeoutMs: number, what: string): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<string>((resolve, reject) => {
      this.sock.ref();
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.failWaiter = undefined;
        this.sock.unref();
        const e = new FluxError(Errno.ETIMEDOUT, `PMI server did not answer ${what} within ${Math.round(timeoutMs / 1000)}s`);
        reject(e);
        this.kill(e);
      }, timeoutMs);
      this.waiter = (l) => {
        clearTimeout(timer);
        this.sock.unref();
        resolve(l);
      };
      this.failWaiter = (e) => {
        clearTimeout(timer);
        this.sock.unref();
        reject(e);
      };
    });
  }

  send(line: string): void {
    if (this.dead) throw this.dead;
    this.trace?.(`C: ${line.replace(/\n$/, '')}`);
    this.sock.write(line);
  }

  /** Send a request and await its response, whose cmd must be `expect`. Serialised. */
  request(line: string, expect: string, timeoutMs: number): Promise<PmiFields> {
    const run = async (): Promise<PmiFields> => {
      if (this.dead) throw this.dead;
      this.send(line);
      const reply = await this.readLine(timeoutMs, `'${line.split(' ')[0]!.trim()}'`);
      const f = parsePmiLine(reply);
      if (!f || f.get('cmd') !== expect) {
        const e = new FluxError(Errno.EPROTO, `PMI protocol error: expected cmd=${expect}, got '${reply}'`);
        this.kill(e);
        throw e;
      }
      return f;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Write and flush, without waiting for a reply (abort). */
  flush(line: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.dead) return resolve();
      const t = setTimeout(resolve, timeoutMs);
      this.trace?.(`C: ${line.replace(/\n$/, '')}`);
      this.sock.write(line, () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.finalized = true;
    this.sock.end();
    this.sock.destroy();
  }
}

/** A connected, initialised PMI-1 client. */
export class SimplePmiClient implements PmiClient {
  kvsname = '';
  appnum = 0;
  maxes: PmiMaxes = { kvsnameMax: 64, keylenMax: 64, vallenMax: 1024 };

  constructor(
    private readonly conn: PmiConnection,
    readonly rank: number,
    readonly size: number,
    private readonly timeoutMs: number,
    private readonly barrierTimeoutMs: number,
  ) {}

  /** init (1.1), get_maxes, get_appnum, get_my_kvsname. */
  async handshake(): Promise<void> {
    const init = await this.conn.request(formatPmiLine([['cmd', 'init'], ['pmi_version', 1], ['pmi_subversion', 1]]), 'response_to_init', this.timeoutMs);
    const rc = pmiRc(init);
    if (rc !== 0) throw new FluxError(Errno.EPROTO, `PMI init failed: rc=${rc}`);
    const v = pmiInt(init, 'pmi_version');
    const sv = pmiInt(init, 'pmi_subversion');
    if (v !== 1 || sv !== 1) throw new FluxError(Errno.EPROTO, `PMI server speaks version ${v ?? '?'}.${sv ?? '?'}, need 1.1`);
    const maxes = await this.ok(formatPmiLine([['cmd', 'get_maxes']]), 'maxes');
    this.maxes = {
      kvsnameMax: pmiInt(maxes, 'kvsname_max') ?? 64,
      keylenMax: pmiInt(maxes, 'keylen_max') ?? 64,
      vallenMax: pmiInt(maxes, 'vallen_max') ?? 1024,
    };
    const app = await this.ok(formatPmiLine([['cmd', 'get_appnum']]), 'appnum');
    this.appnum = pmiInt(app, 'appnum') ?? 0;
    const kvs = await this.ok(formatPmiLine([['cmd', 'get_my_kvsname']]), 'my_kvsname');
    const name = kvs.get('kvsname');
    if (name === undefined || name === '') throw new FluxError(Errno.EPROTO, 'PMI server sent no kvsname');
    this.kvsname = name;
  }

  private async ok(line: string, expect: string, timeoutMs = this.timeoutMs): Promise<PmiFields> {
    const f = await this.conn.request(line, expect, timeoutMs);
    const rc = pmiRc(f);
    if (rc !== 0) {
      const msg = f.get('msg');
      throw new FluxError(Errno.EPROTO, `PMI ${line.split(' ')[0]!.replace('cmd=', '').trim()} failed: rc=${rc}${msg ? ` (${msg})` : ''}`);
    }
    return f;
  }

  private checkOpen(): void {
    if (this.conn.finalized) throw new FluxError(Errno.EINVAL, 'PMI connection is finalized');
  }

  private async put1(key: string, value: string): Promise<void> {
    if (Buffer.byteLength(key) > this.maxes.keylenMax) {
      throw new FluxError(Errno.EINVAL, `PMI key '${key}' is longer than keylen_max=${this.maxes.keylenMax}`);
    }
    const line = formatPmiLine([['cmd', 'put'], ['kvsname', this.kvsname], ['key', key], ['value', value]]);
    await this.ok(line, 'put_result');
  }

  async put(key: string, value: string): Promise<void> {
    this.checkOpen();
    if (/[\n]/.test(value)) throw new FluxError(Errno.EINVAL, 'PMI values may not contain newlines');
    if (/[\s=]/.test(key)) throw new FluxError(Errno.EINVAL, `bad PMI key '${key}'`);
    if (Buffer.byteLength(value) <= this.maxes.vallenMax && !value.startsWith(CHUNK_MARK)) {
      return this.put1(key, value);
    }
    const chunks = splitBytes(value, this.maxes.vallenMax);
    for (let i = 0; i < chunks.length; i++) await this.put1(`${key}.${i}`, chunks[i]!);
    await this.put1(key, `${CHUNK_MARK}${chunks.length}`);
  }

  async barrier(): Promise<void> {
    this.checkOpen();
    const f = await this.conn.request(formatPmiLine([['cmd', 'barrier_in']]), 'barrier_out', this.barrierTimeoutMs);
    const rc = pmiRc(f);
    if (rc !== 0) {
      const msg = f.get('msg');
      throw new FluxError(Errno.EPROTO, `barrier: operation failed${msg ? `: ${msg}` : ''}`);
    }
  }

  private async get1(key: string): Promise<string> {
    const f = await this.conn.request(formatPmiLine([['cmd', 'get'], ['kvsname', this.kvsname], ['key', key]]), 'get_result', this.timeoutMs);
    const v = f.get('value');
    if (pmiRc(f) !== 0 || v === undefined) throw new FluxError(Errno.ENOENT, `PMI key '${key}' not found`);
    return v;
  }

  async get(key: string): Promise<string> {
    this.checkOpen();
    const v = await this.get1(key);
    const m = /^@pmi-chunks@(\d+)$/.exec(v);
    if (!m) return v;
    const parts: string[] = [];
    for (let i = 0; i < Number(m[1]); i++) parts.push(await this.get1(`${key}.${i}`));
    return parts.join('');
  }

  async abort(code: number, msg: string): Promise<void> {
    const line = formatPmiLine([['cmd', 'abort'], ['exitcode', code], ['error_msg', msg.replace(/[\r\n]+/g, ' ')]]);
    await this.conn.flush(line, 1000);
    this.conn.close();
  }

  async finalize(): Promise<void> {
    if (this.conn.finalized) return;
    try {
      await this.ok(formatPmiLine([['cmd', 'finalize']]), 'finalize_ack');
    } finally {
      this.conn.close();
    }
  }
}

/** Split a string into pieces of at most `max` UTF-8 bytes, on character boundaries. */
export function splitBytes(s: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  let curBytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch);
    if (curBytes + b > max && cur.length > 0) {
      out.push(cur);
      cur = '';
      curBytes = 0;
    }
    cur += ch;
    curBytes += b;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function nonNegInt(s: string | undefined): number | undefined {
  return s !== undefined && /^\d+$/.test(s.trim()) ? Number(s.trim()) : undefined;
}

function connectTcp(hostport: string, timeoutMs: number): Promise<net.Socket> {
  const i = hostport.lastIndexOf(':');
  const host = i > 0 ? hostport.slice(0, i).replace(/^\[(.*)\]$/, '$1') : '';
  const port = Number(hostport.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    return Promise.reject(new FluxError(Errno.EINVAL, `PMI_PORT=${hostport}: expected host:port`));
  }
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const t = setTimeout(() => {
      sock.destroy();
      reject(new FluxError(Errno.ETIMEDOUT, `PMI_PORT=${hostport}: connect timed out`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(t);
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (e) => {
      clearTimeout(t);
      reject(new FluxError(Errno.ECONNREFUSED, `PMI_PORT=${hostport}: ${e.message}`));
    });
  });
}

/**
 * Connect to the PMI server named by the environment. Undefined when there is
 * none (no PMI_FD / PMI_PORT, or PMI_FD without a valid PMI_RANK / PMI_SIZE,
 * which Flux skips too); else a connected, initialised client. A server that
 * is named but fails rejects with a FluxError saying why.
 */
export async function pmiConnect(env: NodeJS.ProcessEnv = process.env, opts: PmiConnectOptions = {}): Promise<PmiClient | undefined> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const barrierTimeoutMs = opts.barrierTimeoutMs ?? 600_000;
  const trace = opts.trace ?? (env['FLUX_PMI_DEBUG'] !== undefined ? (t: string) => process.stderr.write(`bootstrap: simple: ${t}\n`) : undefined);
  let sock: net.Socket;
  let rank: number | undefined;
  let size: number | undefined;
  let conn: PmiConnection;
  if (env['PMI_FD'] !== undefined) {
    const fd = nonNegInt(env['PMI_FD']);
    rank = nonNegInt(env['PMI_RANK']);
    size = nonNegInt(env['PMI_SIZE']);
    if (fd === undefined || rank === undefined || size === undefined || size < 1 || rank >= size) {
      trace?.(`PMI_FD=${env['PMI_FD']} PMI_RANK=${env['PMI_RANK']} PMI_SIZE=${env['PMI_SIZE']}: not usable`);
      return undefined;
    }
    try {
      sock = new net.Socket({ fd, readable: true, writable: true });
    } catch (e) {
      throw new FluxError(Errno.EBADF, `PMI_FD=${fd}: ${(e as Error).message}`);
    }
    conn = new PmiConnection(sock, trace);
  } else if (env['PMI_PORT'] !== undefined && env['PMI_PORT'] !== '') {
    sock = await connectTcp(env['PMI_PORT'], timeoutMs);
    conn = new PmiConnection(sock, trace);
    const id = env['PMI_ID'] ?? env['PMI_RANK'] ?? '0';
    try {
      conn.send(formatPmiLine([['cmd', 'initack'], ['pmiid', id]]));
      const ack = parsePmiLine(await conn.readLine(timeoutMs, "'cmd=initack'"));
      if (ack?.get('cmd') !== 'initack') throw new FluxError(Errno.EPROTO, 'PMI protocol error: expected cmd=initack');
      for (let i = 0; i < 3; i++) {
        const f = parsePmiLine(await conn.readLine(timeoutMs, "'cmd=initack'"));
        if (f?.get('cmd') !== 'set') throw new FluxError(Errno.EPROTO, 'PMI protocol error: expected cmd=set');
        if (f.has('size')) size = pmiInt(f, 'size');
        if (f.has('rank')) rank = pmiInt(f, 'rank');
      }
    } catch (e) {
      conn.close();
      throw e;
    }
    if (rank === undefined || size === undefined || size < 1 || rank < 0 || rank >= size) {
      conn.close();
      throw new FluxError(Errno.EPROTO, `PMI_PORT server gave rank=${rank} size=${size}`);
    }
  } else {
    return undefined;
  }
  const client = new SimplePmiClient(conn, rank, size, timeoutMs, barrierTimeoutMs);
  try {
    await client.handshake();
  } catch (e) {
    conn.close();
    throw e;
  }
  return client;
}
