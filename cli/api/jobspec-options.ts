/**
 * The options object of the Jobspec builders, turned into the parsed command
 * line the CLI's builders take (cli/jobspec): each API name maps to one long
 * option of flux submit/batch/alloc. A name that maps to nothing, or a value of
 * the wrong type, is refused with a FluxError (EINVAL) naming it.
 */
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { ParsedArgs } from '../options';

/** What every builder takes (flux submit, batch and alloc alike). */
export interface JobOptions {
  /** -t: a number of seconds or a Flux standard duration ("30m"); default none */
  duration?: number | string;
  /** the job's whole environment (default: this process's) */
  environment?: Record<string, string>;
  /** --env rules applied to it in order (`VAR=VAL`, `PATTERN`, `-PATTERN`, `^FILE`) */
  env?: string[];
  /** --cwd: the working directory (default: this process's) */
  cwd?: string;
  /** --job-name */
  name?: string;
  /** -q: the queue */
  queue?: string;
  /** -B: the bank */
  bank?: string;
  /** --output: stdout to this file (`{{id}}` is the job id) */
  output?: string;
  /** --error: stderr to this file */
  error?: string;
  /** -u: unbuffered I/O */
  unbuffered?: boolean;
  /** -o KEY=VALUE for each entry (a dotted key nests) */
  shellOptions?: Record<string, unknown>;
  /** -S KEY=VALUE for each entry (`system.` is assumed unless KEY starts with `user.` or `system.`) */
  attributes?: Record<string, unknown>;
  /** --requires: RFC 31 constraints */
  requires?: string | string[];
  /** --dependency: RFC 26 URIs (`afterok:ƒ...`) */
  dependencies?: string[];
  /** --begin-time: `+FSD`, `now` or a date */
  beginTime?: string;
}

type Kind = 'int' | 'flag' | 'string' | 'strings';
/** API name -> [long option, kind] */
export type OptionTable = Record<string, readonly [string, Kind]>;

const COMMON: OptionTable = {
  env: ['env', 'strings'],
  cwd: ['cwd', 'string'],
  name: ['job-name', 'string'],
  queue: ['queue', 'string'],
  bank: ['bank', 'string'],
  output: ['output', 'string'],
  error: ['error', 'string'],
  unbuffered: ['unbuffered', 'flag'],
  requires: ['requires', 'strings'],
  dependencies: ['dependency', 'strings'],
  beginTime: ['begin-time', 'string'],
};

/** handled here rather than by one option each */
const SPECIAL = new Set(['duration', 'environment', 'shellOptions', 'attributes']);

const einval = (what: string, msg: string) => new FluxError(Errno.EINVAL, `${what}: ${msg}`);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** KEY=VALUE as -o/-S take it: the value as JSON (a string stays a string). */
function keyValue(what: string, name: string, key: string, v: unknown): string {
  if (key === '') throw einval(what, `${name}: empty key`);
  if (v === undefined) throw einval(what, `${name}.${key}: a value is required`);
  return `${key}=${JSON.stringify(v)}`;
}

export interface ParsedJobOptions {
  args: ParsedArgs;
  /** the environment the builder starts from */
  env: NodeJS.ProcessEnv;
}

/**
 * opts as a parsed command line (after `before`, e.g. a batch script's
 * directives, so that opts override them).
 */
export function jobOptions(what: string, opts: Record<string, unknown>, table: OptionTable, before?: ParsedArgs): ParsedJobOptions {
  if (!isObject(opts)) throw einval(what, 'options must be an object');
  const args = new ParsedArgs();
  if (before) {
    const all: Array<[string, { value: string; typed: string; seq?: number }]> = [];
    for (const [long, occs] of before.opts) for (const o of occs) all.push([long, o]);
    all.sort((a, b) => (a[1].seq ?? 0) - (b[1].seq ?? 0));
    for (const [long, o] of all) args.add(long, { value: o.value, typed: o.typed });
  }
  let env: NodeJS.ProcessEnv = process.env;
  for (const [name, v] of Object.entries(opts)) {
    if (v === undefined) continue;
    const entry = table[name] ?? COMMON[name];
    if (!entry && !SPECIAL.has(name)) throw einval(what, `unknown option '${name}'`);
    const typed = `${name}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
    if (name === 'duration') {
      if (typeof v !== 'number' && typeof v !== 'string') throw einval(what, 'duration must be a number of seconds or a Flux standard duration');
      // a bare number is minutes to -t: say seconds explicitly
      const s = typeof v === 'number' || /^\s*[0-9.]+\s*$/.test(v) ? `${String(v).trim()}s` : v;
      args.add('time-limit', { value: s, typed });
    } else if (name === 'environment') {
      if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string')) throw einval(what, 'environment must be an object of strings');
      env = v as Record<string, string>;
    } else if (name === 'shellOptions' || name === 'attributes') {
      if (!isObject(v)) throw einval(what, `${name} must be an object`);
      const long = name === 'shellOptions' ? 'setopt' : 'setattr';
      for (const [k, x] of Object.entries(v)) args.add(long, { value: keyValue(what, name, k, x), typed: `${name}.${k}` });
    } else {
      const [long, kind] = entry!;
      switch (kind) {
        case 'int':
          if (typeof v !== 'number' || !Number.isInteger(v)) throw einval(what, `${name} must be an integer`);
          args.add(long, { value: String(v), typed });
          break;
        case 'flag':
          if (typeof v !== 'boolean') throw einval(what, `${name} must be true or false`);
          if (v) args.add(long, { value: '', typed: name });
          break;
        case 'string':
          if (typeof v !== 'string') throw einval(what, `${name} must be a string`);
          args.add(long, { value: v, typed });
          break;
        case 'strings': {
          const list = typeof v === 'string' ? [v] : v;
          if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw einval(what, `${name} must be a string or an array of strings`);
          for (const x of list as string[]) args.add(long, { value: x, typed: `${name}=${x}` });
          break;
        }
      }
    }
  }
  return { args, env };
}
