/**
 * `flux queue list -o FORMAT`: the fields of flux-queue(1)'s list, one row per
 * queue (one row with an empty name when no queues are configured), rendered
 * by the output-format engine of flux jobs, and its named formats (default,
 * policy, nodes). Durations and ranges are given as text (`inf` for none), so
 * `!F` in a format has nothing more to do.
 */
import { OutputFormat, fsd, type Row } from '../../../lib/formats';
import type { FormatSet } from '../../named-formats';

const HEAD = '?:{queuem:<8.8} {color_enabled}{enabled:>2}{color_off} {color_started}{started:>2}{color_off} ';

/** flux-queue list's formats, as Flux names them */
export const QUEUE_LIST_FORMATS: FormatSet = {
  tool: 'flux-queue',
  subtable: 'list',
  formats: {
    default: {
      description: 'Default flux-queue list format string',
      format: `${HEAD}{defaults.timelimit!F:>8} {limits.timelimit!F:>8} {limits.range.effective.nnodes:>10} {limits.range.effective.ncores:>10} {limits.range.effective.ngpus:>10}`,
    },
    policy: {
      description: 'flux-queue list with policy limits only',
      format: `${HEAD}{defaults.timelimit!F:>8} {limits.timelimit!F:>8} {limits.range.nnodes:>10} {limits.range.ncores:>10} {limits.range.ngpus:>10}`,
    },
    nodes: {
      description: 'Show queue status plus all/up/allocated/free nodes',
      format: `${HEAD}{resources.all.nnodes:>6} {resources.up.nnodes:>10} {resources.down.nnodes:>10} {resources.allocated.nnodes:>11} {resources.free.nnodes:>10}`,
    },
  },
};

const RES = ['nnodes', 'ncores', 'ngpus'] as const;
type Res = (typeof RES)[number];
/** the queue's nodes in each state */
const RES_STATES = ['all', 'up', 'down', 'allocated', 'free'] as const;
export type ResState = (typeof RES_STATES)[number];
export type Counts = Record<Res, number>;

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
  ...Object.fromEntries(
    RES.flatMap((r) => [
      [`limits.range.${r}`, r.toUpperCase()],
      [`limits.range.effective.${r}`, r.toUpperCase()],
      [`limits.min.${r}`, `MIN${r.slice(1).toUpperCase()}`],
      [`limits.max.${r}`, `MAX${r.slice(1).toUpperCase()}`],
    ]),
  ),
  // resources.all.nnodes NNODES, resources.up.nnodes NODES:UP ... as Flux heads them
  ...Object.fromEntries(RES.flatMap((r) => RES_STATES.map((st) => [`resources.${st}.${r}`, `${r.slice(1).toUpperCase()}${st === 'all' ? '' : `:${st.slice(0, 5).toUpperCase()}`}`]))),
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
  /** the policy's maximum: a number, or 'inf' */
  max: Record<Res, number | string>;
  /** the queue's resources (its nodes: those with every property it requires) in each state */
  resources: Record<ResState, Counts>;
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
    const min = q.min[r] ?? 0;
    const max = q.max[r];
    // effective: the limit, or what the queue has when that is less
    const effective = typeof max === 'number' ? Math.min(max, q.resources.all[r]) : q.resources.all[r];
    row[`limits.min.${r}`] = min;
    row[`limits.max.${r}`] = max;
    row[`limits.range.${r}`] = `${min}-${max}`;
    row[`limits.range.effective.${r}`] = `${min}-${effective}`;
    for (const st of RES_STATES) row[`resources.${st}.${r}`] = q.resources[st][r];
  }
  return row;
}

/** the format, its conversions dropped (the values are text already); throws on an unknown field */
export function queueListFormat(text: string): OutputFormat {
  return new OutputFormat(text.replace(/!([FH])(?=[:}])/g, ''), HEADINGS);
}
