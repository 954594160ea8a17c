/**
 * What flux module trace and flux overlay trace share: their -t/-H/-d/-L
 * options read as Flux's are, and one printed line per traced message
 * (lib/msg-trace.ts's records), in Flux's format:
 *
 *   2026-12-06T06:30:01.123 kvs rx > kvs.get [24]
 *   2026-12-06T06:30:01.124 kvs tx < kvs.get [31] success
 *
 * `>` request, `<` response (with its errno name), `e` event, `c` control;
 * the payload's size in brackets; with --full the payload (or error text) on
 * the lines after.
 */
import { Errno } from '../lib/errno';
import type { TraceRecord } from '../lib/msg-trace';
import { HumanStamp } from './commands/dmesg';
import { FluxCommand } from './base-command';
import { endCommand } from './exit';
import type { OptionSpec, ParsedArgs } from './options';

const TYPES: Readonly<Record<string, number>> = { request: 1, response: 2, event: 4, control: 8 };
const TYPE_CHAR: Readonly<Record<number, string>> = { 1: '>', 2: '<', 4: 'e', 8: 'c' };
const ERRNO_NAME = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, k]));
const COLOR: Readonly<Record<string, string>> = { 1: '\x1b[1m\x1b[34m', 2: '\x1b[36m', 4: '\x1b[33m', 8: '\x1b[1m', time: '\x1b[32m', timebreak: '\x1b[1m\x1b[32m', fail: '\x1b[1m\x1b[31m' };
const RESET = '\x1b[0m';
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** the options both commands take besides their own */
export const traceOptions: readonly OptionSpec[] = [
  { name: 'full', short: 'f', description: 'Show the payload (or error text) of each message' },
  { name: 'type', short: 't', arg: 'TYPES', repeatable: true, description: 'Only these message types: request, response, event, control (comma-separated or repeated)' },
  { name: 'human', short: 'H', description: 'Human readable timestamps' },
  { name: 'delta', short: 'd', description: 'With --human, show the time since the previous message' },
  { name: 'color', short: 'L', arg: 'WHEN', optionalArg: true, description: "Colorize output; WHEN can be 'always' (default if omitted), 'never', or 'auto' (default)" },
];

/** a size as Flux prints it (1536 -> 1.5K): 8 significant digits, K/M/G... by 1024 */
export function encodeSize(size: number): string {
  const suffix = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let v = size;
  let i = 0;
  while (v >= 1024) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(8))}${suffix[i]}`;
}

/** local time to the millisecond, `2026-12-06T06:30:01.123` */
function localStamp(ts: number): string {
  const d = new Date(ts * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export interface TracePrinter {
  typemask: number;
  print(who: string, r: TraceRecord): void;
}

/** The options read (a bad one throws its one-line message), and the printer they make. */
function tracePrinter(o: ParsedArgs): TracePrinter {
  let typemask = 0;
  for (const t of o.values('type').flatMap((v) => v.split(','))) {
    const bit = TYPES[t.trim()];
    if (bit === undefined) throw new Error('valid types: request, response, event, control');
    typemask |= bit;
  }
  const when = o.has('color') ? o.str('color') || 'always' : 'auto';
  if (when !== 'always' && when !== 'never' && when !== 'auto') throw new Error(`Invalid argument to --color: '${when}'`);
  const color = when === 'always' || (when === 'auto' && process.stdout.isTTY === true);
  if (o.has('delta') && !o.has('human')) throw new Error('--delta can only be used with --human');
  const paint = (c: string | undefined, s: string) => (color && c ? `${c}${s}${RESET}` : s);
  const stamp = o.has('human') ? new HumanStamp(o.has('delta')) : undefined;
  return {
    typemask,
    print(who: string, r: TraceRecord): void {
      const ts = stamp ? stamp.next(r.timestamp).slice(0, -1) : localStamp(r.timestamp);
      let line = `${who} ${r.prefix} ${TYPE_CHAR[r.type] ?? '?'} ${r.topic} [${encodeSize(r.payload_size)}]`;
      if (r.type === 2) line += r.errnum === 0 ? ' success' : ` ${ERRNO_NAME.get(r.errnum) ?? `errno ${r.errnum}`}`;
      const more = r.errnum > 0 ? r.errstr || undefined : r.payload === null || r.payload === undefined ? undefined : JSON.stringify(r.payload, null, 2);
      const kind = r.type === 2 && r.errnum > 0 ? 'fail' : String(r.type);
      process.stdout.write(`${paint(stamp?.anchored ? COLOR['timebreak'] : COLOR['time'], ts)} ${paint(COLOR[kind], more === undefined ? line : `${line}\n${more}`)}\n`);
    },
  };
}

/** flux module trace and flux overlay trace: their options read, and the end a trace has. */
export abstract class TraceCommand extends FluxCommand {
  /** The printer the options make (a bad option fails the command in one line); SIGINT or SIGTERM then ends it with 0, as Flux's, once what was printed is out. */
  protected startTrace(): TracePrinter {
    let p: TracePrinter;
    try {
      p = tracePrinter(this.args);
    } catch (e) {
      this.fail((e as Error).message);
    }
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => endCommand(0));
    return p;
  }
}
