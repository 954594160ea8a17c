/**
 * flux dmesg [-C] [-c] [-f] [-n] [-H] [-d]: print (and/or clear) the local
 * broker's log ring buffer, optionally following new entries.
 */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';

const SEV = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface DmesgEntry {
  timestamp: number;
  severity: number;
  appname: string;
  hostname: string;
  text: string;
}

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
  static override paths = [['dmesg']];
  static override prog = 'flux dmesg';
  static override usage = Command.Usage({ description: 'Print or control the broker log ring buffer' });
  clearOnly = Option.Boolean('-C,--clear', false, { description: 'Clear the ring buffer' });
  readClear = Option.Boolean('-c,--read-clear', false, { description: 'Print the ring buffer, then clear it' });
  follow = Option.Boolean('-f,--follow', false, { description: 'Keep printing new entries as they are logged' });
  newOnly = Option.Boolean('-n,--new', false, { description: 'Print only entries logged from now on' });
  human = Option.Boolean('-H,--human', false, { description: 'Human readable timestamps' });
  delta = Option.Boolean('-d,--delta', false, { description: 'With --human, show the time since the previous entry' });
  args = Option.Rest();

  /** run-time errors use the dash form; option errors (main.ts) the static prog */
  protected override get prog(): string {
    return 'flux-dmesg';
  }

  async run(): Promise<number> {
    if (this.args.length > 0) throw new CommandExit(1, 'flux-dmesg: flux-dmesg accepts no free arguments');
    if (this.delta && !this.human) throw new CommandExit(1, 'flux-dmesg: --delta can only be used with --human');
    const h = await this.connect();
    if (this.clearOnly) {
      await h.rpc('log.clear', {});
      return 0;
    }
    const stamp = this.human ? new HumanStamp(this.delta) : undefined;
    const print = (p: unknown) => {
      const e = (p as { entry?: DmesgEntry }).entry;
      if (!e) return;
      const sev = SEV[e.severity] ?? String(e.severity);
      const ts = stamp ? stamp.next(e.timestamp) : `${isoStamp(e.timestamp)} `;
      process.stdout.write(`${ts}${e.appname}.${sev}[${e.hostname}]: ${e.text}\n`);
    };
    await h.rpcStream('log.dmesg', { follow: this.follow, nobacklog: this.newOnly }, print);
    if (this.readClear) await h.rpc('log.clear', {});
    return 0;
  }
}
