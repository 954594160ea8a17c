/**
 * `flux queue list -o FORMAT`: the fields of flux-queue(1)'s list, one row per
 * queue (one row with an empty name when no queues are configured), rendered
 * by the output-format engine of flux jobs. Durations and ranges are given as
 * text (`inf` for none), so `!F` in a format has nothing more to do.
 */
import { OutputFormat, fsd, type Row } from '../../../lib/formats';

export const QUEUE_LIST_FORMAT =
  '?:{queuem:<8.8} {color_enabled}{enabled:>2}{color_off} {color_started}{started:>2}{color_off} {defaults.timelimit!F:>8} {limits.timelimit!F:>8} {limits.range.nnodes:>10} {limits.range.ncores:>10} {limits.range.ngpus:>10}';

const RES = ['nnodes', 'ncores', 'ngpus'] as const;
type Res = (typeof RES)[number];

const HEADINGS: Record<string, string> = {
  queue: 'QUEUE',
  queuem: 'QUEUE',
  submission: 'SUBMIT',
  scheduling: 'SCHED',
  enabled: 'EN',
  started: 'ST',
  'enabled.ascii': 'EN',
  'started.ascii': 'ST',
  color_enabled: '',
  color_started: '',
  color_off: '',
  'defaults.timelimit': 'TDEFAULT',
  'limits.timelimit': 'TLIMIT',
  ...Object.fromEntries(RES.flatMap((r) => [[`limits.range.${r}`, r.toUpperCase()], [`limits.min.${r}`, `MIN${r.slice(1).toUpperCase()}`], [`limits.max.${r}`, `MAX${r.slice(1).toUpperCase()}`]])),
};

export interface QueueFacts {
  name: string;
  isDefault: boolean;
  enable: boolean;
  start: boolean;
  /** seconds; negative: none */
  defaultDuration: number;
  limitDuration: number;
  min: Partial<Record<Res, number>>;
  /** a number, or 'inf' */
  max: Record<Res, number | string>;
}

const GREEN = '\u001b[01;32m';
const RED = '\u001b[01;31m';
const OFF = '\u001b[0;0m';

function duration(d: number): string {
  // -1 no limit, 0 a limit of "0": unlimited, as in Flux
  return d <= 0 ? 'inf' : fsd.formatC(d);
}

export function queueRow(q: QueueFacts): Row {
  const row: Record<string, unknown> = {
    queue: q.name,
    queuem: q.name === '' ? '' : `${q.name}${q.isDefault ? '*' : ''}`,
    submission: q.enable ? 'enabled' : 'disabled',
    scheduling: q.start ? 'started' : 'stopped',
    enabled: q.enable ? '\u2714' : '\u2717',
    started: q.start ? '\u2714' : '\u2717',
    'enabled.ascii': q.enable ? 'y' : 'n',
    'started.ascii': q.start ? 'y' : 'n',
    color_enabled: q.enable ? GREEN : RED,
    color_started: q.start ? GREEN : RED,
    color_off: OFF,
    'defaults.timelimit': duration(q.defaultDuration),
    'limits.timelimit': duration(q.limitDuration),
  };
  for (const r of RES) {
    row[`limits.min.${r}`] = q.min[r] ?? 0;
    row[`limits.max.${r}`] = q.max[r];
    row[`limits.range.${r}`] = `${q.min[r] ?? 0}-${q.max[r]}`;
  }
  return row;
}

/** the format, its conversions dropped (the values are text already); throws on an unknown field */
export function queueListFormat(text: string): OutputFormat {
  return new OutputFormat(text.replace(/!([FH])(?=[:}])/g, ''), HEADINGS);
}
