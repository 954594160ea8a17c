/**
 * A PMI-1 server (pmi.md §6, §6.1): what `flux start --test-size=N` gives its
 * brokers and a job shell gives its tasks. One connection per rank (an
 * inherited socketpair, or TCP with the hydra `initack` handshake), an
 * in-memory KVS whose puts become visible at the next barrier, kvsname `-` by
 * default, appnum 0, and the maxes kvsname_max=64 keylen_max=64
 * vallen_max=1024. The barrier completes when the `local` clients served here
 * have entered; with `exchange` (a job whose tasks span several shells) their
 * puts are first traded for everyone's. A rank that goes away makes any
 * barrier it has not entered fail at once (rc=-1) instead of hanging. A rank's
 * `cmd=abort` (PMI_Abort, MPI_Abort: MPICH sends `cmd=abort exitcode=N`) is
 * reported once, the first: the job is ending.
 */
import * as net from 'node:net';
import { PmiLineReader, PmiRc, formatPmiLine, parsePmiLine, pmiInt, type PmiFields } from './wire';

export interface PmiServerOptions {
  /** all ranks (PMI size) */
  size: number;
  /** the ranks this server serves (default size): a barrier completes when they have all entered */
  local?: number;
  /** trade this server's puts since the last barrier for everyone's (resolves with all of them) */
  exchange?: (puts: ReadonlyMap<string, string>) => Promise<ReadonlyMap<string, string>>;
  kvsname?: string;
  appnum?: number;
  kvsnameMax?: number;
  keylenMax?: number;
  vallenMax?: number;
  /** keys every client can get from the start (PMI_process_mapping) */
  preput?: ReadonlyMap<string, string>;
  /** -vv: called for every line, dir 'C' (from client) or 'S' (to client) */
  trace?: (rank: number, dir: 'C' | 'S', line: string) => void;
  /** PMI_Abort from a client (the first only); msg is `aborted` when it sent none */
  onAbort?: (rank: number, code: number, msg: string) => void;
  /** an unparsable or unknown request; the connection is closed after */
  onProtocolError?: (rank: number, text: string) => void;
  /** a warning to show the user (e.g. a PMI-2 client) */
  onWarning?: (rank: number, text: string) => void;
}

type Sock = net.Socket;

/** onAbort's msg when the client sent none (MPICH sends only `exitcode=N`) */
const NO_MESSAGE = 'aborted';

interface Conn {
  rank: number;
  sock: Sock;
  finalized: boolean;
  inSpawn: boolean;
}

export class PmiServer {
  readonly kvsname: string;
  private readonly global = new Map<string, string>();
  private pending = new Map<string, string>();
  private readonly entered = new Map<number, Conn>();
  private readonly conns = new Set<Conn>();
  private readonly gone = new Map<number, string>();
  private tcp: net.Server | undefined;
  private aborted = false;
  private readonly maxes: { kvsname: number; key: number; val: number };

  constructor(private readonly opts: PmiServerOptions) {
    this.kvsname = opts.kvsname ?? '-';
    this.maxes = { kvsname: opts.kvsnameMax ?? 64, key: opts.keylenMax ?? 64, val: opts.vallenMax ?? 1024 };
  }

  /** Serve one rank over an already-connected socket (PMI_FD model). */
  addClient(rank: number, sock: Sock): void {
    this.attach({ rank, sock, finalized: false, inSpawn: false }, false);
  }

  /** Listen on TCP for PMI_PORT clients (rank from `cmd=initack pmiid=R`). Resolves with the port. */
  listenTcp(host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const srv = net.createServer((sock) => this.attach({ rank: -1, sock, finalized: false, inSpawn: false }, true));
      srv.once('error', reject);
      srv.listen(0, host, () => {
        this.tcp = srv;
        resolve((srv.address() as net.AddressInfo).port);
      });
    });
  }

  /** The rank's process is gone: a barrier it has not entered can never complete. */
  rankGone(rank: number, why: string): void {
    if (this.gone.has(rank)) return;
    this.gone.set(rank, why);
    if (this.entered.size > 0 && !this.entered.has(rank)) this.releaseBarrier(PmiRc.FAIL, why);
  }

  close(): void {
    this.tcp?.close();
    for (const c of this.conns) c.sock.destroy();
    this.conns.clear();
  }

  private attach(c: Conn, needInitack: boolean): void {
    this.conns.add(c);
    let initack = needInitack;
    const reader = new PmiLineReader(
      (line) => {
        if (initack) {
          initack = false;
          this.initack(c, line);
          return;
        }
        this.onLine(c, line);
      },
      16 * 1024,
      (head) => this.protocolError(c, `line too long: ${head}...`),
    );
    c.sock.setEncoding('utf8');
    c.sock.on('data', (d: string) => reader.feed(d));
    c.sock.on('error', () => {});
    c.sock.on('close', () => {
      this.conns.delete(c);
      // give the host a moment to report the process exit (a better reason) first
      if (c.rank >= 0 && !c.finalized) setTimeout(() => this.rankGone(c.rank, `rank ${c.rank} closed its PMI connection`), 100).unref();
    });
  }

  private send(c: Conn, tuples: ReadonlyArray<readonly [string, string | number | undefined]>): void {
    const line = formatPmiLine(tuples);
    this.opts.trace?.(c.rank, 'S', line.slice(0, -1));
    if (!c.sock.destroyed) c.sock.write(line);
  }

  private initack(c: Conn, line: string): void {
    this.opts.trace?.(c.rank, 'C', line);
    const f = parsePmiLine(line);
    const id = f ? pmiInt(f, 'pmiid') : undefined;
    if (!f || f.get('cmd') !== 'initack' || id === undefined || id < 0 || id >= this.opts.size) {
      this.protocolError(c, `bad initack: ${line}`);
      return;
    }
    c.rank = id;
    this.send(c, [['cmd', 'initack']]);
    this.send(c, [['cmd', 'set'], ['size', this.opts.size]]);
    this.send(c, [['cmd', 'set'], ['rank', id]]);
    this.send(c, [['cmd', 'set'], ['debug', 0]]);
  }

  private protocolError(c: Conn, text: string): void {
    this.opts.onProtocolError?.(c.rank, text);
    c.sock.destroy();
  }

  private onLine(c: Conn, line: string): void {
    this.opts.trace?.(c.rank, 'C', line);
    if (c.inSpawn) {
      if (line.trim() === 'endcmd') {
        c.inSpawn = false;
        this.send(c, [['cmd', 'spawn_result'], ['rc', PmiRc.FAIL]]);
      }
      return;
    }
    const f = parsePmiLine(line);
    if (!f) return this.protocolError(c, `unparsable request: ${line}`);
    if (f.get('mcmd') === 'spawn') {
      c.inSpawn = true;
      return;
    }
    const cmd = f.get('cmd')!;
    switch (cmd) {
      case 'init':
        return this.init(c, f);
      case 'get_maxes':
        return this.send(c, [['cmd', 'maxes'], ['rc', 0], ['kvsname_max', this.maxes.kvsname], ['keylen_max', this.maxes.key], ['vallen_max', this.maxes.val]]);
      case 'get_appnum':
        return this.send(c, [['cmd', 'appnum'], ['rc', 0], ['appnum', this.opts.appnum ?? 0]]);
      case 'get_universe_size':
        return this.send(c, [['cmd', 'universe_size'], ['rc', 0], ['size', this.opts.size]]);
      case 'get_my_kvsname':
        return this.send(c, [['cmd', 'my_kvsname'], ['rc', 0], ['kvsname', this.kvsname]]);
      case 'put':
        return this.put(c, f, line);
      case 'get':
        return this.get(c, f, line);
      case 'barrier_in':
        return this.barrierIn(c);
      case 'finalize':
        c.finalized = true;
        this.send(c, [['cmd', 'finalize_ack'], ['rc', 0]]);
        c.sock.end();
        return;
      case 'abort': {
        const code = pmiInt(f, 'exitcode') ?? pmiInt(f, 'exit_code') ?? 1;
        c.finalized = true;
        if (this.aborted) return;
        this.aborted = true;
        this.opts.onAbort?.(c.rank, code, f.get('error_msg') ?? NO_MESSAGE);
        return;
      }
      case 'publish_name':
      case 'unpublish_name':
      case 'lookup_name':
        return this.send(c, [['cmd', cmd.replace(/_name$/, '_result')], ['rc', PmiRc.FAIL], ['msg', 'command not implemented']]);
      default:
        return this.protocolError(c, `unknown command: ${line}`);
    }
  }

  private init(c: Conn, f: PmiFields): void {
    const v = pmiInt(f, 'pmi_version') ?? 0;
    const sv = pmiInt(f, 'pmi_subversion') ?? 0;
    if (v === 1 && sv >= 1) {
      this.send(c, [['cmd', 'response_to_init'], ['rc', 0], ['pmi_version', 1], ['pmi_subversion', 1]]);
      return;
    }
    if (v === 2 && c.rank === 0) {
      this.opts.onWarning?.(c.rank, 'PMI-2 client: is application unintentionally using slurm libpmi2.so?');
    }
    this.send(c, [['cmd', 'response_to_init'], ['rc', PmiRc.FAIL]]);
  }

  private lengthRc(f: PmiFields, withValue: boolean): number {
    if (Buffer.byteLength(f.get('kvsname')!) > this.maxes.kvsname) return PmiRc.ERR_INVALID_LENGTH;
    if (Buffer.byteLength(f.get('key')!) > this.maxes.key) return PmiRc.ERR_INVALID_KEY_LENGTH;
    if (withValue && Buffer.byteLength(f.get('value')!) > this.maxes.val) return PmiRc.ERR_INVALID_VAL_LENGTH;
    return 0;
  }

  private put(c: Conn, f: PmiFields, line: string): void {
    if (!f.has('kvsname') || !f.has('key') || !f.has('value')) return this.protocolError(c, `malformed put: ${line}`);
    const rc = this.lengthRc(f, true);
    if (rc === 0) this.pending.set(f.get('key')!, f.get('value')!);
    this.send(c, [['cmd', 'put_result'], ['rc', rc]]);
  }

  private get(c: Conn, f: PmiFields, line: string): void {
    if (!f.has('kvsname') || !f.has('key')) return this.protocolError(c, `malformed get: ${line}`);
    const rc = this.lengthRc(f, false);
    if (rc !== 0) return this.send(c, [['cmd', 'get_result'], ['rc', rc]]);
    const key = f.get('key')!;
    const v = this.opts.preput?.get(key) ?? this.global.get(key);
    if (v === undefined) return this.send(c, [['cmd', 'get_result'], ['rc', PmiRc.ERR_INVALID_KEY]]);
    this.send(c, [['cmd', 'get_result'], ['rc', 0], ['value', v]]);
  }

  private barrierIn(c: Conn): void {
    this.entered.set(c.rank, c);
    const [deadRank, why] = [...this.gone.entries()].find(([r]) => !this.entered.has(r)) ?? [];
    if (deadRank !== undefined) return this.releaseBarrier(PmiRc.FAIL, why!);
    if (this.entered.size === (this.opts.local ?? this.opts.size)) this.completeBarrier();
  }

  private completeBarrier(): void {
    const mine = this.pending;
    this.pending = new Map();
    if (!this.opts.exchange) {
      for (const [k, v] of mine) this.global.set(k, v);
      this.releaseBarrier(0, '');
      return;
    }
    this.opts.exchange(mine).then(
      (all) => {
        for (const [k, v] of all) this.global.set(k, v);
        this.releaseBarrier(0, '');
      },
      (e: Error) => this.releaseBarrier(PmiRc.FAIL, `barrier failed: ${e.message}`),
    );
  }

  private releaseBarrier(rc: number, why: string): void {
    const waiting = [...this.entered.values()];
    this.entered.clear();
    for (const c of waiting) {
      this.send(c, rc === 0 ? [['cmd', 'barrier_out'], ['rc', 0]] : [['cmd', 'barrier_out'], ['rc', rc], ['msg', why.replace(/=/g, ':')]]);
    }
  }
}

/**
 * The job exception a job shell raises for a rank's PMI_Abort (type exec, as
 * Flux's shell does; Flux words it `PMI_Abort: MSG`), naming the rank and the
 * exit code it asked for: MPICH sends no message, only `exitcode=N`.
 */
export function pmiAbortNote(rank: number, code: number, msg: string): string {
  return `PMI_Abort: rank ${rank} (exit code ${code})${msg === NO_MESSAGE ? '' : `: ${msg}`}`;
}
