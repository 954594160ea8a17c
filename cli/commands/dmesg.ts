/**
 * flux dmesg [-C] [-c] [-f] [-n] [-H] [-d] [-L[WHEN]]: print (and/or clear)
 * the local broker's log ring buffer, optionally following new entries, in
 * Flux's colours when stdout is a terminal or -L says so.
 */
import { FluxCommand, CommandExit } from '../base-command';
import type { CommandSpec } from '../options';
import { service } from '../api/protocol';
import type { BrokerLogDmesgResponse, BrokerProtocol } from '../../lib/protocol/broker';

const broker = service<BrokerProtocol>('');

const SEV = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Flux's dmesg colours (ANSI SGR): the time, a new minute's anchor, `app.sev[rank]`, and the text by severity */
const COLOR = {
  time: '\x1b[32m',
  timebreak: '\x1b[1m\x1b[32m',
  name: '\x1b[33m',
  reset: '\x1b[0m',
  severity: ['\x1b[7m\x1b[31m', '\x1b[7m\x1b[31m', '\x1b[1m\x1b[31m', '\x1b[31m', '\x1b[1m', '', '', '\x1b[34m'],
};

/** s in colour c (nothing around it without colour, or for no colour) */
const paint = (on: boolean, c: string, s: string): string => (on && c !== '' ? `${c}${s}${COLOR.reset}` : s);

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
  /** whether the last next() began a new minute (its anchor line) */
  anchored = false;
  next(ts: number): string {
    const d = new Date(Math.floor(ts) * 1000);
    const minute = `${MON[d.getMonth()]}${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
    let out: string;
    if (this.anchor === undefined || minute !== this.anchorMinute) {
      this.anchor = ts;
      this.anchorMinute = minute;
      this.anchored = true;
      out = `[${minute}] `;
    } else {
      this.anchored = false;
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
      { name: 'color', short: 'L', arg: 'WHEN', optionalArg: true, description: "Colorize output; WHEN can be 'always' (default if omitted), 'never', or 'auto' (default)" },
    ],
    freeOperands: true,
  };

  async run(): Promise<number> {
    const o = this.args;
    if (o.operands.length > 0) throw new CommandExit(1, 'flux-dmesg: flux-dmesg accepts no free arguments');
    const when = o.has('color') ? o.str('color') || 'always' : 'auto';
    if (when !== 'always' && when !== 'never' && when !== 'auto') throw new CommandExit(1, `flux dmesg: Invalid argument to --color: '${when}'`);
    const color = when === 'always' || (when === 'auto' && process.stdout.isTTY === true);
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
      const ts = stamp ? stamp.next(e.timestamp).slice(0, -1) : isoStamp(e.timestamp);
      const tsColor = stamp?.anchored ? COLOR.timebreak : COLOR.time;
      const text = paint(color, COLOR.severity[e.severity] ?? '', e.text);
      process.stdout.write(`${paint(color, tsColor, ts)} ${paint(color, COLOR.name, `${e.appname}.${sev}[${e.hostname}]`)}: ${text}\n`);
    };
    await broker.stream(h, 'log.dmesg', { follow: o.has('follow'), nobacklog: o.has('new') }, print);
    if (o.has('read-clear')) await broker.call(h, 'log.clear', {});
    return 0;
  }
}
