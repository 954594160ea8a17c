/**
 * Jobspec V1 validation (RFC 25): top-level keys, resource shapes
 * (slot>core, node>slot>core, with optional gpu beside core), one task with a
 * command array and a count, attributes.system with a duration, and known shell
 * options only. Throws EINVAL with a one-line reason.
 */
import { einval, fsd } from '../../kernel/api';
import { KNOWN_SHELL_OPTIONS, UNSUPPORTED_SHELL_OPTIONS, shellOptionError } from './shell-options';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const posInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;

function checkCount(v: Obj, where: string): void {
  const c = v['count'];
  if (posInt(c)) return;
  if (typeof c === 'number') throw einval(`${where}: count must be an integer >= 1 (got ${c})`);
  throw einval(`${where}: count must be an integer >= 1 in jobspec version 1 (got ${JSON.stringify(c)})`);
}

function checkSlotChildren(slot: Obj): void {
  const w = slot['with'];
  if (!Array.isArray(w) || w.length === 0 || w.length > 2) throw einval('slot must contain core (and optionally gpu)');
  const types = w.map((x: unknown) => (isObj(x) ? x['type'] : undefined));
  if (types[0] !== 'core' || (types.length === 2 && types[1] !== 'gpu')) {
    throw einval(`unsupported resource shape under slot: ${types.join(',')} (want core or core,gpu)`);
  }
  for (const x of w as Obj[]) {
    checkCount(x, x['type'] as string);
    if (x['with'] !== undefined) throw einval(`${String(x['type'])} may not contain other resources`);
  }
}

function checkResources(res: unknown): void {
  if (!Array.isArray(res) || res.length !== 1 || !isObj(res[0])) throw einval('resources must be a list of one node or slot');
  let top = res[0];
  if (top['type'] === 'node') {
    checkCount(top, 'node');
    const w = top['with'];
    if (!Array.isArray(w) || w.length !== 1 || !isObj(w[0]) || w[0]['type'] !== 'slot') throw einval('node must contain exactly one slot');
    top = w[0];
  }
  if (top['type'] !== 'slot') throw einval(`unsupported resource type '${String(top['type'])}' (want node or slot)`);
  checkCount(top, 'slot');
  if (typeof top['label'] !== 'string' || top['label'] === '') throw einval('slot must have a label');
  checkSlotChildren(top);
}

function checkTasks(tasks: unknown): void {
  if (!Array.isArray(tasks) || tasks.length !== 1 || !isObj(tasks[0])) throw einval('tasks must be a list of exactly one task');
  const t = tasks[0];
  const cmd = t['command'];
  if (!Array.isArray(cmd) || cmd.length === 0 || !cmd.every((c) => typeof c === 'string')) {
    throw einval('task command must be a non-empty array of strings');
  }
  if (typeof t['slot'] !== 'string') throw einval('task slot must be a string');
  const c = t['count'];
  if (!isObj(c) || !(posInt(c['per_slot']) || posInt(c['total']))) throw einval('task count must be {per_slot: N} or {total: N} with N >= 1');
}

/** Dotted path of the first leaf below an option value, for messages. */
function leafPath(name: string, v: unknown): string {
  let p = name;
  let cur = v;
  while (isObj(cur)) {
    const k = Object.keys(cur)[0];
    if (k === undefined) break;
    p += '.' + k;
    cur = cur[k];
  }
  return p;
}

function checkSystem(attrs: unknown): void {
  if (!isObj(attrs) || !isObj(attrs['system'])) throw einval('attributes.system is required');
  const sys = attrs['system'];
  const d = sys['duration'];
  if (typeof d !== 'number' || !(d >= 0) || !Number.isFinite(d)) throw einval('attributes.system.duration must be a number >= 0');
  if (d > fsd.MAX_DURATION) throw einval(`attributes.system.duration must be at most ${fsd.MAX_DURATION} (136 years)`);
  if (sys['cwd'] !== undefined && typeof sys['cwd'] !== 'string') throw einval('attributes.system.cwd must be a string');
  const env = sys['environment'];
  if (env !== undefined && !isObj(env)) throw einval('attributes.system.environment must be an object');
  const shell = sys['shell'];
  if (shell !== undefined) {
    if (!isObj(shell)) throw einval('attributes.system.shell must be an object');
    const opts = shell['options'];
    if (opts !== undefined) {
      if (!isObj(opts)) throw einval('attributes.system.shell.options must be an object');
      for (const [k, v] of Object.entries(opts)) {
        if (UNSUPPORTED_SHELL_OPTIONS.has(k)) throw einval(`shell option '${leafPath(k, v)}' is not supported by flux-ts`);
        if (!KNOWN_SHELL_OPTIONS.has(k)) throw einval(`unknown shell option '${leafPath(k, v)}'`);
        const bad = shellOptionError(k, v);
        if (bad !== undefined) throw einval(bad);
      }
    }
  }
  for (const k of Object.keys(attrs)) {
    if (k !== 'system' && k !== 'user') throw einval(`unknown attributes section '${k}'`);
  }
}

export function validateJobspec(js: unknown): asserts js is Obj {
  if (!isObj(js)) throw einval('jobspec must be a JSON object');
  if (js['version'] !== 1) throw einval(`jobspec version must be 1 (got ${JSON.stringify(js['version'])})`);
  for (const k of Object.keys(js)) {
    if (!['version', 'resources', 'tasks', 'attributes'].includes(k)) throw einval(`unknown jobspec key '${k}'`);
  }
  checkResources(js['resources']);
  checkTasks(js['tasks']);
  checkSystem(js['attributes']);
}
