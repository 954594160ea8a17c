/**
 * One entry of a module table (modprobe.toml, modprobe.d/*.toml; Flux's
 * flux-modprobe(1) keys): a module, where it loads, what it provides and what
 * it needs. Read from TOML, checked key by key with the config checker, so a
 * bad entry is one line naming the key.
 */
import { checkValue, type ConfigSpec } from '../config-schema';
import { ranksMatcher } from './ranks';

export interface ModuleEntry {
  name: string;
  /** what `module.load` is given: a built-in name, a name on FLUX_MODULE_PATH or a path */
  module: string;
  args: string[];
  ranks: string;
  provides: string[];
  requires: string[];
  needs: string[];
  before: string[];
  after: string[];
  'needs-config': string[];
  'needs-attrs': string[];
  'needs-env': string[];
  priority: number;
  disabled: boolean;
}

const strings: ConfigSpec = { kind: 'strings' };

export const ranksSpec: ConfigSpec = {
  kind: 'string',
  check: (v) => (ranksMatcher(v) ? undefined : `"${v}" is not all, leader, an idset of ranks, >N or <N`),
};

/** the keys an entry may update (all but its name) */
export const updateKeys: Readonly<Record<string, ConfigSpec>> = {
  module: { kind: 'string' },
  args: strings,
  ranks: ranksSpec,
  provides: strings,
  requires: strings,
  needs: strings,
  before: strings,
  after: strings,
  'needs-config': strings,
  'needs-attrs': strings,
  'needs-env': strings,
  priority: { kind: 'integer' },
  disabled: { kind: 'boolean' },
  // Flux runs such a module as a process of its own; every flux-ts module runs inside its broker
  exec: {
    kind: 'custom',
    what: 'false',
    check: (v) =>
      v === false ? undefined : v === true ? 'flux-ts runs every module inside its broker (a module of its own process is not supported)' : 'must be true or false',
  },
};

const entrySpec: ConfigSpec = { kind: 'table', keys: { name: { kind: 'string' }, ...updateKeys }, required: ['name'] };

/** The problem of an update table (`NAME.KEY = ...`) at `where`, or undefined. */
export function updateProblem(raw: unknown, where: string): string | undefined {
  const p = checkValue({ kind: 'table', keys: updateKeys }, raw, where);
  return p ? `${p.path}: ${p.text}` : undefined;
}

/** An entry from its TOML table; throws one line naming the bad key. */
export function parseEntry(raw: unknown, where: string): ModuleEntry {
  const p = checkValue(entrySpec, raw, where);
  if (p) throw new Error(`${p.path}: ${p.text}`);
  const t = raw as Record<string, unknown>;
  const e: ModuleEntry = {
    name: t['name'] as string,
    module: t['name'] as string,
    args: [],
    ranks: 'all',
    provides: [],
    requires: [],
    needs: [],
    before: [],
    after: [],
    'needs-config': [],
    'needs-attrs': [],
    'needs-env': [],
    priority: 100,
    disabled: false,
  };
  applyUpdate(e, t);
  return e;
}

/** An entry's own copy (its arrays too). */
export function copyEntry(e: ModuleEntry): ModuleEntry {
  const c = { ...e };
  for (const [k, v] of Object.entries(c)) if (Array.isArray(v)) (c as unknown as Record<string, unknown>)[k] = [...(v as string[])];
  return c;
}

/** Apply a checked update table to an entry (its name stays). */
export function applyUpdate(e: ModuleEntry, t: Readonly<Record<string, unknown>>): void {
  for (const [k, v] of Object.entries(t)) {
    if (k === 'name' || k === 'exec') continue;
    (e as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...(v as string[])] : v;
  }
  if (e.before.includes('*') && e.after.length > 0) throw new Error(`${e.name}: cannot specify 'before=["*"]' when 'after' is also set (after=${JSON.stringify(e.after)})`);
  if (e.after.includes('*') && e.before.length > 0) throw new Error(`${e.name}: cannot specify 'after=["*"]' when 'before' is also set (before=${JSON.stringify(e.before)})`);
}

/** What `flux modprobe show` prints of an entry (Flux's keys, in its order, then the needs-* lists). */
export function shownEntry(e: ModuleEntry): Record<string, unknown> {
  return {
    name: e.name,
    module: e.module,
    args: e.args,
    ranks: e.ranks,
    provides: e.provides,
    requires: e.requires,
    needs: e.needs,
    before: e.before,
    after: e.after,
    priority: e.priority,
    disabled: e.disabled,
    exec: false,
    'needs-config': e['needs-config'],
    'needs-attrs': e['needs-attrs'],
    'needs-env': e['needs-env'],
  };
}
