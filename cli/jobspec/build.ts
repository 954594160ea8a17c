/**
 * Build a jobspec V1 (RFC 25) from parsed submission options, as flux-submit(1)
 * and flux-run(1) do (jobs.md §5): resource shape from -N/-n/-c/-g (and the
 * per-resource options), duration from -t (bare number = minutes), cwd,
 * environment from --env rules, shell options from -o and the stdio options,
 * attributes from -S, plus the urgency and submit flags. Every user error is a
 * SubmitOptionError whose message repeats what the user typed.
 */
import * as path from 'node:path';
import { ConstraintSyntaxError, fsd, parseRequires } from '../../lib/formats';
import { jobEnvironment } from './environment';
import type { Occurrence, ParsedArgs } from '../options';
import { applyRlimitRules, rlimitValue, RLIMIT_NAMES } from './rlimit';
import { MAX_ADD_FILE, parseAddFile, parseSignal, parseTaskmap } from './shell-opts';
import { shapedResources, slotLabels } from './shape-options';
import { SubmitOptionError, type JobspecV1, type ResourceVertex, type TaskSpec } from './types';

/** Submit flags (flux-core job.h). */
export const SUBMIT_FLAGS: Record<string, number> = { debug: 2, waitable: 4, novalidate: 8 };

export interface BuildContext {
  /** the submitter's environment (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** the submitter's cwd (default process.cwd()) */
  cwd?: string;
  /** which command builds it: `--input=RANKS` is an attach option for run, an error for submit */
  command?: 'run' | 'submit' | 'bulksubmit';
  /** the current time in epoch seconds (default: the clock), for --begin-time */
  now?: number;
}

export interface Submission {
  jobspec: JobspecV1;
  urgency: number;
  flags: number;
}

/** Python int(): optional sign, digits, surrounding whitespace. */
function pyInt(o: Occurrence, long: string): number {
  const t = o.value.trim();
  if (!/^[+-]?[0-9]+$/.test(t)) throw new SubmitOptionError(`--${long}: invalid int value '${o.value}'`);
  return Number(t);
}

/** The largest count a jobspec may ask for (a C int, as Flux's jobspec parser holds counts). */
export const MAX_COUNT = 2147483647;

function positive(p: ParsedArgs, long: string, what: string, min = 1): number | undefined {
  const o = p.get(long);
  if (!o) return undefined;
  const n = pyInt(o, long);
  if (n < min) throw new SubmitOptionError(`${o.typed}: ${what} must be an integer >= ${min}`);
  // compared before any arithmetic: past 2^53 the digits typed are not the number held
  if (n > MAX_COUNT) throw new SubmitOptionError(`${o.typed}: ${what} must be an integer <= ${MAX_COUNT}`);
  return n;
}

/** `-t`: a bare number is minutes, otherwise FSD. */
export function parseTimeLimit(o: Occurrence): number {
  const v = o.value.trim();
  const d = /^([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(v) ? Number(v) * 60 : fsd.tryParse(v);
  if (d === undefined || !Number.isFinite(d)) throw new SubmitOptionError(`${o.typed}: invalid Flux standard duration`);
  if (d > fsd.MAX_DURATION) throw new SubmitOptionError(`${o.typed}: duration must be at most ${fsd.MAX_DURATION}s (136 years)`);
  return d;
}

/** JSON if it parses, else the string. */
function jsonOrString(v: string): unknown {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

function setPath(obj: Record<string, unknown>, keys: readonly string[], value: unknown, typed: string): void {
  let cur = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    const next = cur[k];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
      cur[k] = {};
    }
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (last === undefined || keys.some((k) => k === '')) throw new SubmitOptionError(`${typed}: invalid key`);
  cur[last] = value;
}

/** -o KEY[=VAL] into an options object. */
function applySetopt(options: Record<string, unknown>, o: Occurrence): void {
  const i = o.value.indexOf('=');
  const key = i < 0 ? o.value : o.value.slice(0, i);
  const val = i < 0 ? 1 : jsonOrString(o.value.slice(i + 1));
  if (key === '') throw new SubmitOptionError(`${o.typed}: missing shell option name`);
  setPath(options, key.split('.'), val, o.typed);
}

/** -S KEY[=VAL] into attributes (system. assumed unless user./system./. prefix; ^KEY=FILE reads JSON). */
function applySetattr(attrs: Record<string, unknown>, o: Occurrence): void {
  let spec = o.value;
  let fromFile = false;
  if (spec.startsWith('^')) {
    fromFile = true;
    spec = spec.slice(1);
  }
  const i = spec.indexOf('=');
  let key = i < 0 ? spec : spec.slice(0, i);
  let val: unknown = i < 0 ? 1 : jsonOrString(spec.slice(i + 1));
  if (fromFile) {
    if (i < 0) throw new SubmitOptionError(`${o.typed}: ^KEY=FILE needs a file`);
    const file = spec.slice(i + 1);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      val = JSON.parse(require('node:fs').readFileSync(file, 'utf8') as string) as unknown;
    } catch (e) {
      throw new SubmitOptionError(`${o.typed}: ${(e as Error).message}`);
    }
  }
  if (key.startsWith('.')) key = key.slice(1);
  else if (!key.startsWith('user.') && !key.startsWith('system.')) key = `system.${key}`;
  setPath(attrs, key.split('.'), val, o.typed);
}

/** --urgency=N|hold|default|expedite */
export function parseUrgency(o: Occurrence | undefined): number {
  if (!o) return 16;
  const named: Record<string, number> = { hold: 0, default: 16, expedite: 31 };
  const v = o.value.trim();
  if (v in named) return named[v]!;
  if (!/^[+-]?[0-9]+$/.test(v)) throw new SubmitOptionError(`${o.typed}: urgency must be an integer or hold, default, expedite`);
  return Number(v);
}

/** --flags=a,b */
export function parseFlags(list: readonly Occurrence[]): number {
  let flags = 0;
  for (const o of list) {
    for (const f of o.value.split(',')) {
      if (f === '') continue;
      const bit = SUBMIT_FLAGS[f];
      if (bit === undefined) throw new SubmitOptionError(`--flags: Unknown flag ${f}`);
      flags |= bit;
    }
  }
  return flags;
}

/** --dependency=scheme:value[?k=v&...] (RFC 26); a bare scheme (`singleton`) has an empty value */
export function parseDependency(o: Occurrence): Record<string, unknown> {
  const m = /^([^:]+):([^?]*)(?:\?(.*))?$/.exec(o.value) ?? /^([a-z][a-z0-9-]*)()$/.exec(o.value);
  if (!m) throw new SubmitOptionError(`${o.typed}: Unable to parse dependency URI`);
  const d: Record<string, unknown> = { scheme: m[1]!, value: m[2]! };
  for (const kv of (m[3] ?? '').split('&')) {
    if (!kv) continue;
    const i = kv.indexOf('=');
    d[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
  }
  return d;
}

/**
 * --begin-time=+FSD|now|DATETIME → the RFC 26 `begin-time` dependency (epoch
 * seconds, as flux-submit's BeginTimeAction builds it). DATETIME is anything
 * Date.parse() reads (ISO 8601, RFC 2822); `+FSD` is relative to now.
 */
export function parseBeginTime(o: Occurrence, nowSec: number): Record<string, unknown> {
  const v = o.value.trim();
  let t: number | undefined;
  if (v === 'now') t = nowSec;
  else if (v.startsWith('+')) {
    const d = fsd.tryParse(v.slice(1));
    if (d !== undefined) t = nowSec + d;
  } else {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) t = ms / 1000;
  }
  if (t === undefined || t < 0) throw new SubmitOptionError(`${o.typed}: invalid datetime '${o.value}'`);
  return { scheme: 'begin-time', value: String(t) };
}

/** Whether an --input value names task ranks (an idset or `all`) rather than a file. */
export function isInputRanks(v: string): boolean {
  return v === 'all' || /^\[?[0-9][0-9,-]*\]?$/.test(v);
}

/** the shell option per-resource: tasks per allocated core, counted by the job shell from R */
interface PerCore {
  type: 'core';
  count: number;
}

function resources(p: ParsedArgs): { res: ResourceVertex[]; count: TaskSpec['count']; ntasks: number; perCore?: PerCore } {
  const nodes = positive(p, 'nodes', 'node count');
  const perTask = ['ntasks', 'cores-per-task', 'gpus-per-task'].some((k) => p.has(k));
  const perRes = ['cores', 'tasks-per-node', 'tasks-per-core', 'gpus-per-node'].some((k) => p.has(k));
  if (perTask && perRes) {
    throw new SubmitOptionError("Per-resource options can't be used with per-task options. (See --help for details)");
  }
  const exclusive = p.has('exclusive');
  if (exclusive && nodes === undefined) throw new SubmitOptionError('exclusive can only be set with a node count');
  if (perRes) {
    if (p.has('tasks-per-node') && p.has('tasks-per-core')) {
      throw new SubmitOptionError('Do not specify both the number of tasks per node and per core');
    }
    if (p.has('gpus-per-node') && nodes === undefined) throw new SubmitOptionError('--gpus-per-node requires --nodes');
    const cores = positive(p, 'cores', 'core count');
    const tpn = positive(p, 'tasks-per-node', 'tasks per node');
    const tpc = positive(p, 'tasks-per-core', 'tasks per core');
    const gpn = positive(p, 'gpus-per-node', 'gpus per node', 0);
    const n = nodes ?? 1;
    const coresTotal = cores ?? n;
    const slotsPerNode = Math.max(1, Math.ceil(coresTotal / n));
    const ntasks = tpn !== undefined ? tpn * n : tpc !== undefined ? tpc * coresTotal : n;
    if (ntasks > MAX_COUNT) throw new SubmitOptionError(`task count ${ntasks} must be <= ${MAX_COUNT}`);
    const core: ResourceVertex[] = [{ type: 'core', count: 1 }];
    if (gpn) core.push({ type: 'gpu', count: gpn });
    const slot: ResourceVertex = { type: 'slot', count: slotsPerNode, with: core, label: 'task' };
    const node: ResourceVertex = { type: 'node', count: n, with: [slot] };
    if (exclusive || cores === undefined) {
      node.exclusive = true;
      const whole: ResourceVertex[] = [{ type: 'core', count: 1 }];
      if (gpn) whole.push({ type: 'gpu', count: gpn });
      node.with = [{ type: 'slot', count: 1, with: whole, label: 'task' }];
    }
    const res: ResourceVertex[] = nodes === undefined && cores !== undefined ? [slot] : [node];
    if (res[0] === slot) slot.count = coresTotal;
    // --tasks-per-core: N tasks on every core allocated (whole nodes without --cores), as Flux's
    // shell does; the total here is the least it can be, for the checks made at submit
    const perCore: PerCore | undefined = tpc !== undefined ? { type: 'core', count: tpc } : undefined;
    return { res, count: { total: ntasks }, ntasks, perCore };
  }
  const ntasks = positive(p, 'ntasks', 'task count') ?? nodes ?? 1;
  const cpt = positive(p, 'cores-per-task', 'cores per task') ?? 1;
  const gpt = positive(p, 'gpus-per-task', 'gpus per task', 0);
  const inner: ResourceVertex[] = [{ type: 'core', count: cpt }];
  if (gpt) inner.push({ type: 'gpu', count: gpt });
  if (nodes === undefined) {
    return { res: [{ type: 'slot', count: ntasks, with: inner, label: 'task' }], count: { per_slot: 1 }, ntasks };
  }
  if (nodes > ntasks) throw new SubmitOptionError('node count must not be greater than task count');
  const slot: ResourceVertex = { type: 'slot', count: Math.ceil(ntasks / nodes), with: inner, label: 'task' };
  const node: ResourceVertex = { type: 'node', count: nodes, with: [slot] };
  if (exclusive || !p.has('ntasks')) node.exclusive = true;
  const count = ntasks % nodes === 0 ? { per_slot: 1 } : { total: ntasks };
  const ordered: ResourceVertex = node.exclusive
    ? { type: 'node', count: nodes, exclusive: true, with: [slot] }
    : node;
  return { res: [ordered], count, ntasks };
}

/** One --requires (RFC 31 constraint); a syntax error names the option as Flux does. */
function requiresConstraint(o: Occurrence): unknown {
  try {
    return parseRequires(o.value);
  } catch (e) {
    if (e instanceof ConstraintSyntaxError) throw new SubmitOptionError(`--requires='${o.value}': ${e.message}`);
    throw e;
  }
}

/**
 * Node hands a program its arguments, environment and cwd as UTF-8 text,
 * each byte that is not UTF-8 replaced by U+FFFD: a jobspec made of them would
 * name other files, or run elsewhere, than the user meant. Refused instead,
 * as Flux refuses what it cannot encode as UTF-8.
 */
function requireUtf8(what: string, text: string): void {
  if (text.includes('\uFFFD')) throw new SubmitOptionError(`${what} is not valid UTF-8 (${JSON.stringify(text)}): flux-ts cannot pass it on unchanged`);
}

/** The jobspec plus urgency and flags for job-ingest.submit. */
export function buildSubmission(p: ParsedArgs, ctx: BuildContext = {}): Submission {
  if (p.operands.length === 0) throw new SubmitOptionError('job command and arguments are missing');
  p.operands.forEach((a, i) => requireUtf8(i === 0 ? 'the command' : `argument ${i}`, a));
  for (const k of ['output', 'error', 'input']) {
    const o = p.get(k);
    if (o) requireUtf8(`--${k}`, o.value);
  }
  const env = ctx.env ?? process.env;
  // --resources-shape / --resources-json: the resources whole, one task per slot (Flux's shape plugin)
  const shaped = shapedResources(p);
  const { res, count, perCore } = shaped ? { res: shaped, count: { per_slot: 1 } as TaskSpec['count'], perCore: undefined } : resources(p);
  const system: JobspecV1['attributes']['system'] = { duration: 0 };
  const t = p.get('time-limit');
  if (t) system.duration = parseTimeLimit(t);
  const cwdOpt = p.get('cwd');
  system.cwd = cwdOpt ? path.resolve(ctx.cwd ?? process.cwd(), cwdOpt.value) : (ctx.cwd ?? process.cwd());
  requireUtf8('the working directory', system.cwd);
  system.environment = jobEnvironment(orderedRules(p), env);
  for (const [k, v] of Object.entries(system.environment)) requireUtf8(`environment variable ${k} (drop it with --env=-${k})`, `${k}=${v}`);
  const q = p.get('queue');
  if (q) system['queue'] = q.value;
  const b = p.get('bank');
  if (b) system['bank'] = b.value;
  const name = p.get('job-name');
  if (name) system['job'] = { name: name.value };
  const constraints = p.all('requires').map(requiresConstraint);
  if (constraints.length > 0) system['constraints'] = constraints.length === 1 ? constraints[0] : { and: constraints };
  const deps = p.all('dependency').map(parseDependency);
  const nowSec = ctx.now ?? Date.now() / 1000;
  for (const o of p.all('begin-time')) deps.push(parseBeginTime(o, nowSec));
  if (deps.length > 0) system['dependencies'] = deps;
  const options: Record<string, unknown> = {};
  const out = p.get('output');
  const err = p.get('error');
  if (out && out.value !== 'none' && out.value !== 'kvs') {
    setPath(options, ['output', 'stdout'], { type: 'file', path: out.value }, out.typed);
    if (p.has('label-io')) setPath(options, ['output', 'stdout', 'label'], true, out.typed);
  }
  if (err && err.value !== 'none' && err.value !== 'kvs') {
    setPath(options, ['output', 'stderr'], { type: 'file', path: err.value }, err.typed);
    if (p.has('label-io')) setPath(options, ['output', 'stderr', 'label'], true, err.typed);
  }
  const inp = p.get('input');
  if (inp) {
    if (isInputRanks(inp.value)) {
      if (ctx.command !== 'run') throw new SubmitOptionError('per-task input not supported for submit');
    } else {
      setPath(options, ['input', 'stdin'], { type: 'file', path: inp.value }, inp.typed);
    }
  }
  const sig = p.get('signal');
  if (sig) options['signal'] = parseSignal(sig);
  const tm = p.get('taskmap');
  if (tm) options['taskmap'] = parseTaskmap(tm);
  if (perCore) options['per-resource'] = perCore;
  if (p.has('unbuffered')) {
    // as Flux: the shell sends output as it comes, not a line at a time
    for (const stream of ['stdout', 'stderr']) setPath(options, ['output', stream, 'buffer', 'type'], 'none', '--unbuffered');
  }
  for (const o of p.all('setopt')) applySetopt(options, o);
  options['rlimit'] = { ...applyRlimitRules(p.all('rlimit').map((o) => o.value)), ...checkedRlimits(options['rlimit']) };
  system.shell = { options };
  const files: Record<string, unknown> = {};
  let carried = 0;
  for (const o of p.all('add-file')) {
    const [fname, entry] = parseAddFile(o, ctx.cwd ?? process.cwd());
    files[fname] = entry;
    // the jobspec travels in one message (16 MiB at most): the files together are bounded
    carried += entry.data.length;
    if (carried > MAX_ADD_FILE) throw new SubmitOptionError(`${o.typed}: the files add up to more than ${MAX_ADD_FILE} bytes (as stored in the jobspec)`);
  }
  if (Object.keys(files).length > 0) system['files'] = files;
  const attributes: Record<string, unknown> = { system };
  for (const o of p.all('setattr')) applySetattr(attributes, o);
  const jobspec: JobspecV1 = {
    resources: res,
    // a shape's one slot may have a label of its own: the tasks go to it
    tasks: [{ command: [...p.operands], slot: shaped && slotLabels(shaped).length === 1 ? slotLabels(shaped)[0]! : 'task', count }],
    attributes: attributes as JobspecV1['attributes'],
    version: 1,
  };
  // --debug: the job's debug events (as --flags=debug)
  const flags = parseFlags(p.all('flags')) | (p.has('debug') ? SUBMIT_FLAGS['debug']! : 0);
  return { jobspec, urgency: parseUrgency(p.get('urgency')), flags };
}

/** -o rlimit.NAME=VALUE entries: known names, integer (or unlimited) values */
function checkedRlimits(v: unknown): Record<string, number> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SubmitOptionError('-o rlimit: give rlimit.NAME=VALUE');
  const out: Record<string, number> = {};
  for (const [k, raw] of Object.entries(v as Record<string, unknown>)) {
    if (!RLIMIT_NAMES.includes(k)) throw new SubmitOptionError(`Invalid rlimit "${k}"`);
    const n = typeof raw === 'number' && Number.isInteger(raw) && raw >= -1 ? raw : rlimitValue(String(raw));
    if (n === undefined) throw new SubmitOptionError(`Invalid value in ${k}=${String(raw)}`);
    out[k] = n;
  }
  return out;
}

/** --env/--env-remove/--env-file rules in command-line order. */
function orderedRules(p: ParsedArgs): string[] {
  const tagged: Array<[number, string]> = [];
  for (const [long, prefix] of [['env', ''], ['env-remove', '-'], ['env-file', '^']] as const) {
    for (const o of p.all(long)) tagged.push([o.seq ?? 0, prefix + o.value]);
  }
  return tagged.sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

/** Just the jobspec (flux run --dry-run, tests). */
export function buildJobspec(p: ParsedArgs, ctx: BuildContext = {}): JobspecV1 {
  return buildSubmission(p, ctx).jobspec;
}
