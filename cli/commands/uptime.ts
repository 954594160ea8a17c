/**
 * flux uptime: one line about the instance (state, how long, owner, depth,
 * size, drained/offline counts) and, when set, a second line of queue flags.
 * Layout and the 2-significant-digit duration are Flux's exactly.
 */
import * as fs from 'node:fs';
import { FluxCommand, CommandExit } from '../base-command';
import type { CommandSpec } from '../options';
import type { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { Errno, strerror } from '../../lib/errno';
import { decode } from '../../lib/formats/idset';
import { formatC } from '../../lib/formats/fsd';
import { service } from '../api/protocol';
import type { OverlayProtocol } from '../../lib/protocol/overlay';

/** User name of a uid from /etc/passwd, else the number. */
function userName(uid: string): string {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[2] === uid && f[0]) return f[0];
    }
  } catch {
    /* no passwd */
  }
  return uid;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** groups.get (overlay/protocol.avsc: whole topics) */
const overlay = service<OverlayProtocol>('');

/** the answers runCounts() reads, asked for all at once */
interface Counts {
  rs: Promise<{ drain?: Record<string, unknown> } | undefined>;
  online: Promise<{ members: string } | undefined>;
  qs: Promise<{ enable?: boolean; start?: boolean } | undefined>;
}

export class UptimeCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['uptime'],
    grammar: 'getopt',
    prog: 'flux uptime',
    summary: 'Tell how long Flux has been up and running',
    docLine: true,
    options: [],
    // extra arguments are ignored, as Flux does
    freeOperands: true,
  };

  protected override connectError(e: FluxError): string {
    return `flux: flux_open: ${e.message}`;
  }

  protected override errorLine(msg: string): string {
    return `flux: ${msg}`;
  }

  private async get<T>(what: string, p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      throw new CommandExit(1, `flux: Error fetching ${what}: ${strerror((e as FluxError).errno)}`);
    }
  }

  /** An optional service: ENOSYS (not loaded) means "nothing to report". */
  private async optional<T>(what: string, p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      if (e instanceof FluxError && e.errno === Errno.ENOSYS) return undefined;
      throw new CommandExit(1, `flux: Error fetching ${what}: ${strerror((e as FluxError).errno)}`);
    }
  }

  async run(): Promise<number> {
    const h = await this.connect();
    const attr = (name: string, nodeid?: number) =>
      this.get(`${name} attribute`, h.rpc<{ value: string }>('attr.get', { name }, nodeid === undefined ? {} : { nodeid }).then((r) => r.value));
    // every request at once (one round trip, not eight), each answer awaited
    // in the order Flux asks, so that the first failure named is the same
    const asked = {
      sm: this.get('broker state', h.rpc<{ state: string; duration: number }>('state-machine.get', {})),
      owner: attr('security.owner'),
      depth: attr('instance-level'),
      size: attr('size'),
      start: attr('broker.starttime', 0),
      counts: this.askCounts(h),
    };
    for (const p of Object.values(asked)) p.catch(() => undefined); // not awaited if an earlier one fails
    const sm = await asked.sm;
    const owner = await asked.owner;
    const depth = await asked.depth;
    const size = Number(await asked.size);
    let elapsed = sm.duration;
    const extras: string[] = [];
    const flags: string[] = [];
    if (sm.state === 'run') {
      const start = Number(await asked.start);
      elapsed = Math.max(0, Date.now() / 1000 - start);
      await this.runCounts(await asked.counts, size, extras, flags);
    }
    const now = new Date();
    const clock = `${pad2(now.getHours())}:${pad2(now.getMinutes())}:${pad2(now.getSeconds())}`;
    let line = ` ${clock} ${sm.state} ${formatC(elapsed, 2)},  owner ${userName(owner)},  depth ${Number(depth)},  size ${size}`;
    for (const x of extras) line += `,  ${x}`;
    process.stdout.write(line + '\n');
    if (flags.length > 0) process.stdout.write(`  ${flags.join(',  ')}\n`);
    return 0;
  }

  /** the requests of a running instance's counts, sent now */
  private askCounts(h: Client): Promise<Counts> {
    const c: Counts = {
      rs: this.optional('resource status', h.rpc<{ drain?: Record<string, unknown> }>('resource.status', {}, { nodeid: 0 })),
      online: this.optional('broker.online group', overlay.call(h, 'groups.get', { name: 'broker.online' }, { nodeid: 0 })),
      qs: this.optional('queue status', h.rpc<{ enable?: boolean; start?: boolean }>('job-manager.queue-status', {})),
    };
    for (const p of Object.values(c)) (p as Promise<unknown>).catch(() => undefined);
    return Promise.resolve(c);
  }

  private async runCounts(c: Counts, size: number, extras: string[], flags: string[]): Promise<void> {
    const rs = await c.rs;
    let drained = 0;
    for (const key of Object.keys(rs?.drain ?? {})) drained += decode(key).length;
    const online = await c.online;
    const offline = online ? Math.max(0, size - decode(online.members).length) : 0;
    const qs = await c.qs;
    if (drained > 0) extras.push(`${drained} drained`);
    if (offline > 0) extras.push(`${offline} offline`);
    if (qs && qs.enable === false) flags.push('submit disabled');
    if (qs && qs.start === false) flags.push('scheduler stopped');
  }
}
