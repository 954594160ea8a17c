/**
 * flux ping [-r RANK] [-p PAD] [-i INTERVAL] [-c COUNT] [-b] TARGET: send
 * `<service>.ping` requests and print each response with the running mean
 * round-trip time and the route it took, as Flux does.
 */
import { FluxCommand, CommandExit } from '../base-command';
import type { CommandSpec } from '../options';
import type { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { Errno, strerror } from '../../lib/errno';
import { NODEID_ANY, NODEID_UPSTREAM } from '../../kernel/message/message';
import { expand as expandHostlist } from '../../lib/formats/hostlist';
import { tryParse as parseFsd } from '../../lib/formats/fsd';
import { longSleep } from '../../lib/long-timer';

interface Target {
  /** what the header shows before '!': any, upstream, a rank, a host */
  label: string;
  nodeid: number;
  service: string;
  /** for a host target: ` (rank N)` */
  hostRank?: number;
}

export class PingCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['ping'],
    grammar: 'getopt',
    prog: 'flux-ping',
    summary: 'Send echo requests to a service',
    usage: '[OPTIONS] TARGET',
    options: [
      { name: 'rank', short: 'r', arg: 'NODEID', description: 'Find target on a specific broker rank' },
      { name: 'pad', short: 'p', arg: 'BYTES', default: '0', description: 'Include in the payload a string of length BYTES' },
      { name: 'interval', short: 'i', arg: 'FSD', default: '1.0s', description: 'Interval between ping requests (default 1.0s)' },
      { name: 'count', short: 'c', arg: 'N', description: 'Specify number of pings to send' },
      { name: 'batch', short: 'b', description: 'Begin processing responses after all requests are sent' },
      { name: 'userid', short: 'u', description: 'Include userid and rolemask in ping output' },
    ],
    operands: [{ name: 'TARGET', nargs: '1' }],
  };

  private get rank(): string | undefined {
    return this.args.str('rank');
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
    const padArg = this.args.str('pad', '0');
    const countArg = this.args.str('count');
    const intervalArg = this.args.str('interval', '1.0s');
    const pad = Number(padArg);
    if (!/^\d+$/.test(padArg)) this.fail(`invalid --pad '${padArg}': expected a byte count`);
    if (countArg !== undefined && !/^\d+$/.test(countArg)) this.fail(`invalid --count '${countArg}': expected a number`);
    // no --count, or --count=0: ping until interrupted, as Flux does
    const count = countArg === undefined || Number(countArg) === 0 ? Infinity : Number(countArg);
    if (this.args.has('batch') && count === Infinity) this.fail('--batch should only be used with --count');
    const interval = parseFsd(intervalArg);
    if (interval === undefined) this.fail(`invalid --interval '${intervalArg}': expected a duration such as 1s or 500ms`);
    const h = await this.connect();
    const t = await this.resolveTarget(h, this.args.operands[0]!);
    process.stdout.write(`flux-ping ${t.label}!${t.service}${t.hostRank !== undefined ? ` (rank ${t.hostRank})` : ''}\n`);
    const topic = `${t.service}.ping`;
    const errTopic = t.nodeid === NODEID_ANY ? topic : `${t.label}!${topic}`;
    const padding = 'p'.repeat(pad);
    let total = 0;
    let answered = 0;
    let answerRank: number | undefined = t.nodeid === NODEID_ANY || t.nodeid === NODEID_UPSTREAM ? undefined : t.nodeid;
    // -u: the credentials the request arrived with, as the service echoes them
    const user = (r: { userid?: number; rolemask?: number }) => (this.args.has('userid') ? ` userid=${r.userid ?? 0} rolemask=0x${(r.rolemask ?? 0).toString(16)}` : '');
    const one = async (seq: number): Promise<void> => {
      const t0 = performance.now();
      let r: { seq?: number; pad?: string; route?: string; userid?: number; rolemask?: number };
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
        `${rank}!${topic} pad=${(r.pad ?? '').length}${user(r)} seq=${r.seq ?? seq} time=${(total / answered).toFixed(3)} ms (${r.route ?? ''})\n`,
      );
    };
    if (this.args.has('batch')) {
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
