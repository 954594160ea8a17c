/**
 * The shell option `output.limit=SIZE` (flux-shell-options(7)): the job's
 * stdout and stderr kept in its output log (what `flux job attach` prints; not
 * what goes to an --output/--error file) stop after SIZE bytes per stream,
 * with a warning when that happens and one at the end saying how much was cut.
 * SIZE: a number of bytes, or a number with a k/K, M or G suffix (powers of 1024).
 *
 * As in Flux, there is always a limit: without the option, 1G for the
 * instance owner's jobs and 10M for a guest's (a multi-user instance), and a
 * larger SIZE than OUTPUT_LIMIT_MAX (1G) is capped to it, with a warning. So
 * a job nobody reads (`flux run yes`, its reader gone) cannot fill the disk
 * that holds its output log.
 */
import { isUtf8 } from 'node:buffer';

/** the default limit of the instance owner's jobs (Flux's single-user default) */
export const SINGLEUSER_OUTPUT_LIMIT = '1G';
/** the default limit of a guest's jobs (Flux's multi-user default) */
export const MULTIUSER_OUTPUT_LIMIT = '10M';
/** the largest limit: a larger output.limit is capped to it (Flux's OUTPUT_LIMIT_MAX) */
export const OUTPUT_LIMIT_MAX = 1024 ** 3;
const OUTPUT_LIMIT_MAX_TEXT = '1G';

/** the limit a job gets: bytes, the text its warnings show, and how it was chosen (a verbose line, or a warning) */
export interface ChosenLimit {
  limit: number;
  display: string;
  /** `output: ...`, a DEBUG line (or WARN when `capped`) */
  note: string;
  capped: boolean;
}

/**
 * The limit of a job from its output.limit option (undefined: not given) and
 * whether it is a guest's; a string error when the option is not a size.
 */
export function chooseLimit(option: unknown, guest: boolean): ChosenLimit | string {
  if (option === undefined) {
    const display = guest ? MULTIUSER_OUTPUT_LIMIT : SINGLEUSER_OUTPUT_LIMIT;
    const whose = guest ? "a guest's jobs" : "the instance owner's jobs";
    return { limit: parseSize(display)!, display, note: `output: limit ${display} per stream (default for ${whose})`, capped: false };
  }
  const limit = parseSize(option);
  if (limit === undefined) return `output.limit: invalid size ${JSON.stringify(option)}`;
  if (limit > OUTPUT_LIMIT_MAX) {
    const note = `output: output.limit=${String(option)} capped at ${OUTPUT_LIMIT_MAX_TEXT} per stream`;
    return { limit: OUTPUT_LIMIT_MAX, display: OUTPUT_LIMIT_MAX_TEXT, note, capped: true };
  }
  return { limit, display: String(option), note: `output: limit ${String(option)} per stream`, capped: false };
}

/** SIZE as bytes, or undefined when it is not a size. */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([kKMG]?)$/.exec(v.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!]!;
  return Math.floor(Number(m[1]) * mult);
}

export class OutputLimit {
  private readonly total = new Map<string, number>();
  private readonly dropped = new Map<string, number>();
  private readonly summarized = new Set<string>();

  constructor(
    readonly limit: number,
    private readonly display: string,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * the part of `data` (text, or bytes) of `stream` that may still be kept:
   * all of it (the same value), none ('' once the limit is reached), or its
   * first bytes (exactly those: a Buffer when they end inside a character)
   */
  admit(stream: string, data: string | Buffer): string | Buffer {
    const len = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    const before = this.total.get(stream) ?? 0;
    this.total.set(stream, before + len);
    if (before + len <= this.limit) return data;
    const room = Math.max(0, this.limit - before);
    if (!this.dropped.has(stream)) this.warn(`output: ${stream} will be truncated, ${this.display} limit exceeded`);
    this.dropped.set(stream, (this.dropped.get(stream) ?? 0) + len - room);
    if (room <= 0) return '';
    if (typeof data !== 'string') return data.subarray(0, room);
    const head = Buffer.from(data).subarray(0, room);
    // text cut between characters stays text; cut inside one, the bytes as they are
    return isUtf8(head) ? head.toString('utf8') : head;
  }

  /** the warning of a stream's end (once): how much of it was cut, if any */
  summary(stream: string): string | undefined {
    const n = this.dropped.get(stream);
    if (n === undefined || this.summarized.has(stream)) return undefined;
    this.summarized.add(stream);
    return `output: ${stream}: ${n} of ${this.total.get(stream) ?? n} bytes truncated`;
  }

  /** the warnings of the streams not summarized yet (the job ends without their eofs) */
  summaries(): string[] {
    return [...this.dropped.keys()].map((s) => this.summary(s)).filter((m): m is string => m !== undefined);
  }
}
