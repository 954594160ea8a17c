/**
 * The `flux top` screen as text, laid out as Flux's flux-top draws it on an
 * 80-column terminal: a title line (the instance's path of job ids, centred,
 * and its time left at column 78), resource bars with job counts beside them,
 * an instance line (size, depth, uptime, version), then the running jobs.
 * Pure: a unit test checks the layout without a terminal.
 */
import { encodeF58, f58UseUnicode } from '../../lib/formats/fluid';
import { formatC } from '../../lib/formats/fsd';
import type { Snapshot, TopJob, Usage } from './snapshot';

/** Flux lays the summary out on 79 columns (the time left ends at column 78) */
const WIDTH = 79;
/** the characters between a bar's brackets */
const BAR = 27;
/** lines above the job list: title, 3 bars, blank, instance line, heading */
export const HEADER_LINES = 7;
export const JOB_HEADING = '       JOBID     USER ST NTASKS NNODES RUNTIME NAME';

const pad6 = (n: number) => String(n).padStart(6);

/** `||||||    3/4`: the used fraction filled with bars, the count at its right end */
function bar(u: Usage): string {
  const text = `${u.used}/${u.total}`;
  const room = Math.max(0, BAR - text.length);
  const fill = u.total > 0 ? Math.min(room, Math.round((u.used / u.total) * room)) : 0;
  return ('|'.repeat(fill) + ' '.repeat(room - fill) + text).slice(-BAR);
}

/** text placed at column `col` of `line` (spaces added as needed) */
function at(line: string, col: number, text: string): string {
  return line.padEnd(col) + text;
}

function durationText(s: number): string {
  return s === Infinity ? '∞' : formatC(s, 2);
}

/** the summary pane: title, bars, blank, instance line */
export function summaryLines(s: Snapshot, path: readonly string[]): string[] {
  const f = f58UseUnicode() ? 'ƒ' : 'f';
  let title = f;
  if (path.length > 0) {
    const p = '/' + path.join('/');
    title = at(title, Math.max(2, Math.floor((WIDTH - p.length) / 2)), p);
  }
  const left = durationText(s.timeleft);
  title = at(title, Math.max(title.length + 1, WIDTH - left.length), left);
  const barLine = (label: string, u: Usage) => `${label.padStart(9)} [${bar(u)}]`;
  const info = at(at(` size: ${s.size}`, 11, s.depth > 0 ? `depth: ${s.depth}` : '').trimEnd(), 31, `uptime: ${durationText(s.uptime)}`);
  return [
    title,
    at(barLine('nodes', s.nodes), 59, `${pad6(s.pending)} pending`),
    at(barLine('cores', s.cores), 59, `${pad6(s.running)} running`),
    at(barLine('gpus', s.gpus), 42, `${pad6(s.complete)} complete, ${pad6(s.failed)} failed`),
    '',
    at(info, Math.max(info.length + 1, WIDTH - s.version.length), s.version),
  ];
}

export function jobLine(j: TopJob, width: number): string {
  const line = [
    encodeF58(j.id).padStart(12),
    j.user.slice(0, 8).padStart(8),
    j.state.padStart(2),
    String(j.ntasks).padStart(6),
    String(j.nnodes).padStart(6),
    formatC(j.runtime, 2).padStart(7),
    j.name,
  ].join(' ');
  return [...line].slice(0, Math.max(0, width)).join('');
}

/** Every line of the screen: the job list scrolled so that `first` is its top row. */
export function screenLines(s: Snapshot, path: readonly string[], width: number, height: number, first: number): string[] {
  const rows = Math.max(0, height - HEADER_LINES);
  const lines = [...summaryLines(s, path), JOB_HEADING];
  for (const j of s.jobs.slice(first, first + rows)) lines.push(jobLine(j, width));
  return lines.map((l) => [...l].slice(0, width).join(''));
}
