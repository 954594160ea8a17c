/**
 * What `flux job eventlog` and `flux resource eventlog` share of their
 * options: `-L, --color[=WHEN]` and the time formats of `-T` (human and
 * reltime as `-H`), as Flux's eventlog formatter reads them.
 */
import type { OptionSpec, ParsedArgs } from '../options';
import { EntryTimes, type TimeFormat } from './times';

export const COLOR_OPT: OptionSpec = {
  name: 'color',
  short: 'L',
  arg: 'WHEN',
  optionalArg: true,
  description: "Colorize output when supported; WHEN can be 'always' (default if omitted), 'never', or 'auto' (default).",
};

/** Colours or not (auto: on a terminal); a string is the bad WHEN. */
export function colorOn(args: ParsedArgs): boolean | string {
  const when = args.has('color') ? args.str('color') || 'always' : 'auto';
  if (when !== 'always' && when !== 'never' && when !== 'auto') return when;
  return when === 'always' || (when === 'auto' && process.stdout.isTTY === true);
}

/** The time column of -T FORMAT (raw, iso, offset, human, reltime; any case) and -H; undefined for another FORMAT. */
export function entryTimes(format: string, human: boolean): EntryTimes | undefined {
  const f = format.toLowerCase();
  if (!['raw', 'iso', 'offset', 'human', 'reltime'].includes(f)) return undefined;
  const rel = f === 'human' || f === 'reltime';
  return new EntryTimes(rel ? 'raw' : (f as TimeFormat), human || rel);
}
