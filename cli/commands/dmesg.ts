/**
 * flux dmesg [-C] [-c] [-f] [-n] [-H] [-d]: print (and/or clear) the local
 * broker's log ring buffer, optionally following new entries.
 */
import { FluxCommand, CommandExit } from '../base-command';
import type { CommandSpec } from '../options';
import { service } from '../api/protocol';
import type { BrokerLogDmesgResponse, BrokerProtocol } from '../../lib/protocol/broker';

const broker = service<BrokerProtocol>('');

const SEV = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** ISO 8601 with microseconds: `...Z` when local time is UTC, else `±HH:MM` local time. */
export function isoStamp(ts: number): string {
  const total = Math.round(ts * 1e6);
  const sec = Math.floor(total / 1e6);
  const usec = total - sec * 1e6;
  const d = new Date(sec * 1000);
  const off = -d.getTimezoneOffset();
  if (off === 0) return `${d.toISOString().slice(0, 19)}.${pad(usec, 6)}Z`;
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  const a = Math.abs(off);
  return `${local}.${pad(usec, 6)}${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** The `-H` prefix printer: an anchor `[Nov24 11:14] ` at minute changes, else `[  +0.000089] `. */
export class HumanStamp {
  private anchor: number | undefined;
  private anchorMinute = '';
  private prev = 0;
  constructor(private readonly delta: boolean) {}
  next(ts: number): string {
    const d = new Date(Math.floor(ts) * 1000);
    const minute = `${MON[d.getMonth()]}${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
    let out: string;
    if (this.anchor === undefined || minute !== this.anchorMinute) {
      this.anchor = ts;
      this.anchorMinute = minute;
      out = `[${minute}] `;
    } else {
      const since = ts - (this.delta ? this.prev : this.anchor);
      out = `[${('+' + since.toFixed(6)).padStart(11)}] `;
    }
    this.prev = ts;
    return out;
  }
}

export class DmesgCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['dmesg'],
    grammar: 'getopt',
    prog: 'flux dmesg',
    summary: 'Print or control the broker log ring buffer',
    docLine: true,
    usage: '[OPTIONS]',
    options: [
      { name: 'clear', short: 'C', description: 'Clear the ring buffer' },
      { name: 'read-clear', short: 'c', description: 'Print the ring buffer, then clear it' },
      { name: 'follow', short: 'f', description: 'Keep printing new entries as they are logged' },
      { name: 'new', short: 'n', description: 'Print only entries logged from now on' },
      { name: 'human', short: 'H', description: 'Human readable timestamps' },
      { name: 'delta', short: 'd', description: 'With --human, show the time since the previous entry' },
    ],
    freeOperands: true,
  };

  async run(): Promise<number> {
    const o = this.args;
    if (o.operands.length > 0) throw new CommandExit(1, 'flux-dmesg: flux-dmesg accepts no free arguments');
    if (o.has('delta') && !o.has('human')) throw new CommandExit(1, 'flux-dmesg: --delta can only be used with --human');
    const h = await this.connect();
    if (o.has('clear')) {
      await broker.call(h, 'log.clear', {});
      return 0;
    }
    const stamp = o.has('human') ? new HumanStamp(o.has('delta')) : undefined;
    const print = (p: BrokerLogDmesgResponse) => {
      const e = p.entry;
      const sev = SEV[e.severity] ?? String(e.severity);
      const ts = stamp ? stamp.next(e.timestamp) : `${isoStamp(e.timestamp)} `;
      process.stdout.write(`${ts}${e.appname}.${sev}[${e.hostname}]: ${e.text}\n`);
    };
    await broker.stream(h, 'log.dmesg', { follow: o.has('follow'), nobacklog: o.has('new') }, print);
    if (o.has('read-clear')) await broker.call(h, 'log.clear', {});
    return 0;
  }
}
