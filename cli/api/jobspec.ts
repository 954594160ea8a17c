/**
 * Jobspec for scripts, as Flux's Python `flux.job.JobspecV1`: built from a
 * command (`flux submit`), a batch script (`flux batch`) or a nested instance
 * (`flux alloc`) by the very builders those commands use (cli/jobspec), so the
 * jobspec is the one `flux submit --dry-run` prints for the same request; then
 * adjusted with setters. Every option is checked: an unknown option name, a
 * value of the wrong type or a request the builder refuses is a FluxError
 * (EINVAL) naming it.
 */
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { fsd } from '../../lib/formats';
import { ParsedArgs, UsageError, parse } from '../options';
import { buildSubmission } from '../jobspec/build';
import { buildBatch, buildInstanceJob, checkScript } from '../jobspec/batch';
import { DirectiveError, parseDirectiveLines } from '../jobspec/directives';
import { SubmitOptionError, type JobspecV1 } from '../jobspec/types';
import { BatchCommand } from '../commands/batch';
import { jobOptions, type JobOptions, type OptionTable } from './jobspec-options';

export type { JobspecV1 } from '../jobspec/types';
export type { JobOptions } from './jobspec-options';

/** fromCommand: the job's size as flux run/submit take it (per task, or per resource). */
export interface CommandOptions extends JobOptions {
  /** -n: number of tasks (default 1, or numNodes) */
  numTasks?: number;
  /** -c: cores per task */
  coresPerTask?: number;
  /** -g: GPUs per task */
  gpusPerTask?: number;
  /** -N: number of nodes */
  numNodes?: number;
  /** -x: with numNodes, allocate the nodes exclusively */
  exclusive?: boolean;
  /** --cores: total cores (per-resource form) */
  cores?: number;
  /** --tasks-per-node (per-resource form) */
  tasksPerNode?: number;
  /** --tasks-per-core (per-resource form) */
  tasksPerCore?: number;
  /** --gpus-per-node (per-resource form, with numNodes) */
  gpusPerNode?: number;
  /** -l: label output lines with the task rank */
  labelIo?: boolean;
  /** --input: the tasks' stdin from this file */
  input?: string;
}

/** fromNestCommand / fromBatchCommand: a Flux instance as the job, sized in slots as flux alloc/batch take it. */
export interface InstanceOptions extends JobOptions {
  /** -n: number of slots (default 1 unless numNodes is given) */
  numSlots?: number;
  /** -c: cores per slot */
  coresPerSlot?: number;
  /** -g: GPUs per slot */
  gpusPerSlot?: number;
  /** -N: spread the slots over this many nodes */
  numNodes?: number;
  /** -x: with numNodes, allocate the nodes exclusively */
  exclusive?: boolean;
  /** --broker-opts: options for the instance's brokers, one word each */
  brokerOpts?: string[];
}

/** fromBatchCommand: the script's name (the job name) and its arguments. */
export interface BatchOptions extends InstanceOptions {
  /** the script's name, as `flux batch NAME` (default "batch", as for a script from stdin) */
  jobname?: string;
  /** the script's arguments */
  args?: string[];
}

const COMMAND_TABLE: OptionTable = {
  numTasks: ['ntasks', 'int'],
  coresPerTask: ['cores-per-task', 'int'],
  gpusPerTask: ['gpus-per-task', 'int'],
  numNodes: ['nodes', 'int'],
  exclusive: ['exclusive', 'flag'],
  cores: ['cores', 'int'],
  tasksPerNode: ['tasks-per-node', 'int'],
  tasksPerCore: ['tasks-per-core', 'int'],
  gpusPerNode: ['gpus-per-node', 'int'],
  labelIo: ['label-io', 'flag'],
  input: ['input', 'string'],
};

const INSTANCE_TABLE: OptionTable = {
  numSlots: ['nslots', 'int'],
  coresPerSlot: ['cores-per-slot', 'int'],
  gpusPerSlot: ['gpus-per-slot', 'int'],
  numNodes: ['nodes', 'int'],
  exclusive: ['exclusive', 'flag'],
  brokerOpts: ['broker-opts', 'strings'],
};

const einval = (what: string, msg: string) => new FluxError(Errno.EINVAL, `${what}: ${msg}`);

/** A builder's own error as the API's (EINVAL, naming the method). */
function asFluxError(what: string, e: unknown): FluxError {
  if (e instanceof SubmitOptionError || e instanceof DirectiveError || e instanceof UsageError) return einval(what, e.message);
  if (e instanceof FluxError) return e;
  throw e;
}

function checkArgv(what: string, argv: unknown): string[] {
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) {
    throw einval(what, 'the command must be a non-empty array of strings');
  }
  return [...(argv as string[])];
}

function plainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Walk to (creating when asked) the object at keys of obj. */
function objectAt(obj: Record<string, unknown>, keys: readonly string[], create: boolean): Record<string, unknown> | undefined {
  let cur = obj;
  for (const k of keys) {
    let next = cur[k];
    if (!plainObject(next)) {
      if (!create) return undefined;
      cur[k] = next = {};
    }
    cur = next as Record<string, unknown>;
  }
  return cur;
}

/** A dotted key split into its words; an empty word is refused. */
function splitKey(what: string, key: unknown): string[] {
  if (typeof key !== 'string' || key.split('.').some((k) => k === '')) throw einval(what, `invalid key ${JSON.stringify(key)}`);
  return key.split('.');
}

/** A duration as seconds: a number of seconds, or a Flux standard duration ("90s", "1.5h"; a bare number is seconds). */
export function durationSeconds(what: string, d: unknown): number {
  const secs = typeof d === 'number' ? d : typeof d === 'string' ? fsd.tryParse(d.trim()) : undefined;
  if (secs === undefined || !Number.isFinite(secs) || secs < 0) throw einval(what, `invalid duration ${JSON.stringify(d)}`);
  if (secs > fsd.MAX_DURATION) throw einval(what, `duration must be at most ${fsd.MAX_DURATION}s (136 years)`);
  return secs;
}

export class Jobspec {
  /** the RFC 25 jobspec (version 1) this object edits; submit() sends it */
  readonly jobspec: JobspecV1;

  /** Wrap a jobspec object (or its JSON text), e.g. one read from `flux submit --dry-run`. */
  constructor(jobspec: JobspecV1 | string) {
    let js: unknown = jobspec;
    if (typeof js === 'string') {
      try {
        js = JSON.parse(js) as unknown;
      } catch (e) {
        throw einval('Jobspec', `not JSON: ${(e as Error).message}`);
      }
    }
    if (!plainObject(js) || js['version'] !== 1 || !Array.isArray(js['resources']) || !Array.isArray(js['tasks']) || !plainObject(js['attributes'])) {
      throw einval('Jobspec', 'not a version 1 jobspec (resources, tasks, attributes, version: 1)');
    }
    const attrs = js['attributes'];
    if (!plainObject(attrs['system'])) attrs['system'] = { duration: 0 };
    this.jobspec = js as unknown as JobspecV1;
  }

  /**
   * The jobspec `flux submit [OPTIONS] ARGV...` builds: numTasks tasks of argv,
   * each on coresPerTask cores (and gpusPerTask GPUs), optionally spread over
   * numNodes nodes, in cwd (default: ours) with environment (default: ours).
   */
  static fromCommand(argv: readonly string[], opts: CommandOptions = {}): Jobspec {
    const what = 'Jobspec.fromCommand';
    const p = jobOptions(what, opts as Record<string, unknown>, COMMAND_TABLE);
    p.args.operands = checkArgv(what, argv);
    try {
      return new Jobspec(buildSubmission(p.args, { command: 'submit', env: p.env }).jobspec);
    } catch (e) {
      throw asFluxError(what, e);
    }
  }

  /**
   * The jobspec `flux alloc [OPTIONS] ARGV...` builds: a Flux instance on the
   * resources (one broker per node) whose initial program is argv.
   */
  static fromNestCommand(argv: readonly string[], opts: InstanceOptions = {}): Jobspec {
    const what = 'Jobspec.fromNestCommand';
    const p = jobOptions(what, opts as Record<string, unknown>, INSTANCE_TABLE);
    const program = checkArgv(what, argv);
    defaultSlots(p.args);
    try {
      return new Jobspec(buildInstanceJob(p.args, { initialProgram: program, name: 'flux' }, p.env).jobspec);
    } catch (e) {
      throw asFluxError(what, e);
    }
  }

  /**
   * The jobspec `flux batch [OPTIONS] SCRIPT ARGS...` builds from the script's
   * text: the script must start with `#!`; its `#flux:` directives apply first,
   * and opts override them as options on the command line do.
   */
  static fromBatchCommand(script: string, opts: BatchOptions = {}): Jobspec {
    const what = 'Jobspec.fromBatchCommand';
    if (typeof script !== 'string') throw einval(what, 'the script must be a string (its text)');
    if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw einval(what, 'options must be an object');
    const { jobname, args, ...rest } = opts;
    if (jobname !== undefined && typeof jobname !== 'string') throw einval(what, 'jobname must be a string');
    if (args !== undefined && (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))) {
      throw einval(what, 'args must be an array of strings');
    }
    const name = jobname ?? 'batch';
    try {
      checkScript({ text: script, name }, Buffer.from(script, 'utf8'));
      const directiveArgs = directives(script, name);
      const p = jobOptions(what, rest as Record<string, unknown>, INSTANCE_TABLE, directiveArgs);
      p.args.operands = [...(args ?? [])];
      defaultSlots(p.args);
      return new Jobspec(buildBatch(p.args, { text: script, name }, p.env).jobspec);
    } catch (e) {
      throw asFluxError(what, e);
    }
  }

  /** attributes.system.duration in seconds (0: no limit). */
  get duration(): number {
    return Number(this.jobspec.attributes.system.duration ?? 0);
  }
  /** A number of seconds or a Flux standard duration ("30m"). */
  set duration(d: number | string) {
    this.jobspec.attributes.system.duration = durationSeconds('Jobspec.duration', d);
  }

  get cwd(): string | undefined {
    return this.jobspec.attributes.system.cwd;
  }
  set cwd(dir: string) {
    if (typeof dir !== 'string' || dir === '') throw einval('Jobspec.cwd', 'must be a non-empty string');
    this.jobspec.attributes.system.cwd = dir;
  }

  get environment(): Record<string, string> | undefined {
    return this.jobspec.attributes.system.environment;
  }
  set environment(env: Record<string, string>) {
    this.setEnvironment(env);
  }

  /** Replace the job's environment (every value must be a string). */
  setEnvironment(env: Record<string, string>): this {
    if (!plainObject(env) || !Object.values(env).every((v) => typeof v === 'string')) {
      throw einval('Jobspec.setEnvironment', 'the environment must be an object of strings');
    }
    this.jobspec.attributes.system.environment = { ...env };
    return this;
  }

  /** The tasks' stdin from a file (undefined: none). */
  get stdin(): string | undefined {
    return this.ioPath(['input', 'stdin']);
  }
  set stdin(path: string | undefined) {
    this.setIo('Jobspec.stdin', ['input', 'stdin'], path);
  }
  /** The tasks' stdout to a file (undefined: the job's output log). */
  get stdout(): string | undefined {
    return this.ioPath(['output', 'stdout']);
  }
  set stdout(path: string | undefined) {
    this.setIo('Jobspec.stdout', ['output', 'stdout'], path);
  }
  /** The tasks' stderr to a file (undefined: the job's output log, or stdout's file). */
  get stderr(): string | undefined {
    return this.ioPath(['output', 'stderr']);
  }
  set stderr(path: string | undefined) {
    this.setIo('Jobspec.stderr', ['output', 'stderr'], path);
  }

  private shellOptions(create: boolean): Record<string, unknown> | undefined {
    return objectAt(this.jobspec.attributes as unknown as Record<string, unknown>, ['system', 'shell', 'options'], create);
  }

  private ioPath(keys: readonly string[]): string | undefined {
    const o = objectAt(this.shellOptions(false) ?? {}, keys, false);
    return o && o['type'] === 'file' && typeof o['path'] === 'string' ? o['path'] : undefined;
  }

  private setIo(what: string, keys: readonly [string, string], path: string | undefined): void {
    if (path === undefined) {
      const o = objectAt(this.shellOptions(false) ?? {}, [keys[0]], false);
      if (o) delete o[keys[1]];
      return;
    }
    if (typeof path !== 'string' || path === '') throw einval(what, 'must be a non-empty string (a file name)');
    objectAt(this.shellOptions(true)!, [keys[0]], true)![keys[1]] = { type: 'file', path };
  }

  /**
   * Set attributes.KEY (`system.queue`, `user.note`, ...): the key must start
   * with `system.` or `user.`, as RFC 25 allows. `system.duration` takes what
   * the duration setter takes.
   */
  setAttribute(key: string, value: unknown): this {
    const what = 'Jobspec.setAttribute';
    const words = splitKey(what, key);
    if (words[0] !== 'system' && words[0] !== 'user') throw einval(what, `${key}: attributes are under system. or user.`);
    if (words.length < 2) throw einval(what, `${key}: name an attribute under ${words[0]}.`);
    if (key === 'system.duration') value = durationSeconds(what, value);
    if (value === undefined) throw einval(what, `${key}: a value is required (JSON)`);
    const obj = objectAt(this.jobspec.attributes as unknown as Record<string, unknown>, words.slice(0, -1), true)!;
    obj[words[words.length - 1]!] = value;
    return this;
  }

  /** attributes.KEY, or undefined. */
  getAttribute(key: string): unknown {
    const words = splitKey('Jobspec.getAttribute', key);
    const obj = objectAt(this.jobspec.attributes as unknown as Record<string, unknown>, words.slice(0, -1), false);
    return obj?.[words[words.length - 1]!];
  }

  /** Set a job shell option (as `-o KEY=VALUE`; a dotted key nests). */
  setShellOption(key: string, value: unknown): this {
    const words = splitKey('Jobspec.setShellOption', key);
    if (value === undefined) throw einval('Jobspec.setShellOption', `${key}: a value is required (JSON)`);
    objectAt(this.shellOptions(true)!, words.slice(0, -1), true)![words[words.length - 1]!] = value;
    return this;
  }

  getShellOption(key: string): unknown {
    const words = splitKey('Jobspec.getShellOption', key);
    return objectAt(this.shellOptions(false) ?? {}, words.slice(0, -1), false)?.[words[words.length - 1]!];
  }

  toJSON(): JobspecV1 {
    return this.jobspec;
  }

  /** The jobspec as JSON text. */
  dumps(): string {
    return JSON.stringify(this.jobspec);
  }
}

/** As Python's from_batch/nest_command: one slot unless a size is given. */
function defaultSlots(p: ParsedArgs): void {
  if (!p.has('nslots') && !p.has('nodes')) p.add('nslots', { value: '1', typed: 'numSlots=1' });
}

/** The script's `#flux:` directives as option words, each line checked as flux batch checks it. */
function directives(script: string, name: string): ParsedArgs {
  const spec = BatchCommand.spec;
  const out = new ParsedArgs();
  for (const d of parseDirectiveLines(script, name)) {
    let parsed: ParsedArgs;
    try {
      parsed = parse(spec, d.args);
    } catch (e) {
      throw new FluxError(Errno.EINVAL, `${name} line ${d.line}: ${(e as Error).message}`);
    }
    if (parsed.operands.length > 0) throw new FluxError(Errno.EINVAL, `${name} line ${d.line}: unexpected ${parsed.operands.join(' ')}`);
    const all: Array<[string, { value: string; typed: string; seq?: number }]> = [];
    for (const [long, occs] of parsed.opts) for (const o of occs) all.push([long, o]);
    all.sort((a, b) => (a[1].seq ?? 0) - (b[1].seq ?? 0));
    for (const [long, o] of all) out.add(long, { value: o.value, typed: o.typed });
  }
  return out;
}
