/**
 * flux ping [-r RANK] [-p PAD] [-i INTERVAL] [-c COUNT] [-b] TARGET: send
 * `<service>.ping` requests and print each response with the running mean
 * round-trip time and the route it took, as Flux does.
 */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import { GetoptError, getopt, last } from '../getopt';
import type { Client } from '../api/client';
import { FluxError } from '../../kernel/api/errors';
import { Errno, strerror } from '../../kernel/api/errno';
import { NODEID_ANY, NODEID_UPSTREAM } from '../../kernel/message/message';
import { expand as expandHostlist } from '../../kernel/api/formats/hostlist';
import { tryParse as parseFsd } from '../../kernel/api/formats/fsd';
import { longSleep } from '../../kernel/api/long-timer';

export const PING_USAGE =
  'Usage: flux-ping [OPTIONS] TARGET\n' +
  '  -h, --help             Display this message.\n' +
  '  -r, --rank=NODEID      Find target on a specific broker rank\n' +
  '  -p, --pad=BYTES        Include in the payload a string of length BYTES\n' +
  '  -i, --interval=FSD     Interval between ping requests (default 1.0s)\n' +
  '  -c, --count=N          Specify number of pings to send\n' +
  '  -b, --batch            Begin processing responses after all requests are sent';

interface Target {
  /** what the header shows before '!': any, upstream, a rank, a host */
  label: string;
  nodeid: number;
  service: string;
  /** for a host target: ` (rank N)` */
  hostRank?: number;
}

export class PingCommand extends FluxCommand {
  static override paths = [['ping']];
  static override prog = 'flux-ping';
  static override usageLine = PING_USAGE;
  static override usage = Command.Usage({ description: 'Send echo requests to a service' });
  // parsed here, getopt style (options may follow TARGET)
  argv = Option.Proxy();
  rank: string | undefined;
  pad = '0';
  interval = '1.0s';
  count: string | undefined;
  batch = false;
  args: string[] = [];

  private parse(): void {
    try {
      const p = getopt(
        this.argv,
        [
          { long: 'rank', short: 'r', arg: true },
          { long: 'pad', short: 'p', arg: true },
          { long: 'interval', short: 'i', arg: true },
          { long: 'count', short: 'c', arg: true },
          { long: 'batch', short: 'b' },
        ],
        false,
      );
      this.rank = last(p, 'rank');
      this.pad = last(p, 'pad') ?? '0';
      this.interval = last(p, 'interval') ?? '1.0s';
      this.count = last(p, 'count');
      this.batch = p.opts.has('batch');
      this.args = p.positionals;
    } catch (e) {
      if (!(e instanceof GetoptError)) throw e;
      throw new CommandExit(1, `flux-ping: ${e.message}\nTry \`flux-ping --help' for more information.`);
    }
  }

  private async hostRanks(h: Client): Promise<string[]> {
    try {
      const hl = await h.getattr('hostlist');
      return expandHostlist(hl);
    } catch {
      return [];
    }
  }

  private parseNodeid(s: string): number | undefined {
    if (s === 'any') return NODEID_ANY;
    if (s === 'upstream') return NODEID_UPSTREAM;
    if (/^\d+$/.test(s)) return Number(s);
    return undefined;
  }

  private async resolveTarget(h: Client, target: string): Promise<Target> {
    const bang = target.indexOf('!');
    if (bang >= 0) {
      if (this.rank !== undefined) this.fail('--rank and TARGET both try to specify a nodeid');
      const where = target.slice(0, bang);
      const service = target.slice(bang + 1);
      const n = this.parseNodeid(where);
      if (n !== undefined) return { label: where, nodeid: n, service };
      const r = (await this.hostRanks(h)).indexOf(where);
      if (r < 0) this.fail(`${where}: no such rank or host in this instance`);
      return { label: where, nodeid: r, service, hostRank: r };
    }
    if (/^\d+$/.test(target)) return { label: target, nodeid: Number(target), service: 'broker' };
    if (target === 'any' || target === 'upstream') return { label: target, nodeid: this.parseNodeid(target)!, service: 'broker' };
    if (this.rank === undefined) {
      const r = (await this.hostRanks(h)).indexOf(target);
      if (r >= 0) return { label: target, nodeid: r, service: 'broker', hostRank: r };
    }
    const where = this.rank ?? 'any';
    const n = this.parseNodeid(where);
    if (n === undefined) this.fail(`invalid --rank '${where}': expected a rank, any or upstream`);
    return { label: where, nodeid: n, service: target };
  }

  async run(): Promise<number> {
    this.parse();
    if (this.args.length !== 1) throw new CommandExit(1, PING_USAGE);
    const pad = Number(this.pad);
    if (!/^\d+$/.test(this.pad)) this.fail(`invalid --pad '${this.pad}': expected a byte count`);
    const count = this.count === undefined ? Infinity : Number(this.count);
    if (this.count !== undefined && !/^\d+$/.test(this.count)) this.fail(`invalid --count '${this.count}': expected a number`);
    const interval = parseFsd(this.interval);
    if (interval === undefined) this.fail(`invalid --interval '${this.interval}': expected a duration such as 1s or 500ms`);
    const h = await this.connect();
    const t = await this.resolveTarget(h, this.args[0]!);
    process.stdout.write(`flux-ping ${t.label}!${t.service}${t.hostRank !== undefined ? ` (rank ${t.hostRank})` : ''}\n`);
    const topic = `${t.service}.ping`;
    const errTopic = t.nodeid === NODEID_ANY ? topic : `${t.label}!${topic}`;
    const padding = 'p'.repeat(pad);
    let total = 0;
    let answered = 0;
    let answerRank: number | undefined = t.nodeid === NODEID_ANY || t.nodeid === NODEID_UPSTREAM ? undefined : t.nodeid;
    const one = async (seq: number): Promise<void> => {
      const t0 = performance.now();
      let r: { seq?: number; pad?: string; route?: string };
      try {
        r = await h.rpc(topic, { seq, pad: padding }, { nodeid: t.nodeid });
      } catch (e) {
        const fe = e as FluxError;
        const why = fe.errno === Errno.ENOSYS || fe.errno === Errno.EHOSTUNREACH || fe.bare ? strerror(fe.errno) : fe.message;
        throw new CommandExit(1, `flux-ping: ${errTopic}: ${why}`);
      }
      total += performance.now() - t0;
      answered++;
      if (answerRank === undefined) answerRank = await this.rankOf(h, r.route ?? '');
      const rank = answerRank === undefined ? '?' : String(answerRank);
      process.stdout.write(
        `${rank}!${topic} pad=${(r.pad ?? '').length} seq=${r.seq ?? seq} time=${(total / answered).toFixed(3)} ms (${r.route ?? ''})\n`,
      );
    };
    if (this.batch) {
      const all: Array<Promise<void>> = [];
      for (let seq = 0; seq < count; seq++) all.push(one(seq));
      await Promise.all(all);
      return 0;
    }
    for (let seq = 0; seq < count; seq++) {
      if (seq > 0) await longSleep(interval * 1000);
      await one(seq);
    }
    return 0;
  }

  /** The rank whose broker uuid ends the route (the one that answered). */
  private async rankOf(h: Client, route: string): Promise<number | undefined> {
    const last = route.split('!').pop() ?? '';
    const uuidOf = async (nodeid?: number) =>
      (await h.rpc<{ value: string }>('attr.get', { name: 'broker.uuid' }, nodeid === undefined ? {} : { nodeid })).value;
    try {
      if ((await uuidOf()).startsWith(last)) return Number(await h.getattr('rank'));
      const size = Number(await h.getattr('size'));
      for (let r = 0; r < size; r++) {
        if ((await uuidOf(r)).startsWith(last)) return r;
      }
    } catch {
      /* unknown */
    }
    return undefined;
  }
}
