/**
 * What a module table asks for (flux-modprobe(1)): which entries load on
 * this broker, with what they require, without those whose needs are
 * unmet, in an order that keeps every `after` and `before`; and what
 * removing modules takes with it.
 */
import type { ModuleDb } from './db';
import type { ModuleEntry } from './entry';
import { ranksMatcher } from './ranks';

/** What an entry's conditions are tested against: the broker's rank, config, attributes and environment. */
export interface ProbeContext {
  rank: number;
  /** a config key in dotted form; undefined when unset */
  conf(key: string): unknown;
  attr(name: string): string | undefined;
  env(name: string): string | undefined;
}

/** `X` is met when X is set, `!X` when it is not. */
function specMet(spec: string, get: (k: string) => unknown): boolean {
  const inverted = spec.startsWith('!');
  const v = get(inverted ? spec.slice(1) : spec);
  return inverted ? v === undefined : v !== undefined;
}

/** Why the entry does not load on this broker (disabled, another rank, a needs-config/attrs/env unmet); undefined: it does. */
export function notEnabled(e: ModuleEntry, ctx: ProbeContext): string | undefined {
  if (e.disabled) return `${e.name} is disabled`;
  if (!ranksMatcher(e.ranks)?.(ctx.rank)) return `${e.name} does not load on rank ${ctx.rank} (ranks = "${e.ranks}")`;
  const unmet = (list: readonly string[], what: string, get: (k: string) => unknown) => {
    const k = list.find((x) => !specMet(x, get));
    return k === undefined ? undefined : `${e.name} needs ${what} ${k.startsWith('!') ? `${k.slice(1)} unset` : `${k} set`}`;
  };
  return (
    unmet(e['needs-config'], 'config key', (x) => ctx.conf(x)) ??
    unmet(e['needs-attrs'], 'attribute', (x) => ctx.attr(x)) ??
    unmet(e['needs-env'], 'environment variable', (x) => ctx.env(x))
  );
}

/** Does the entry load on this broker? */
export function enabled(e: ModuleEntry, ctx: ProbeContext): boolean {
  return notEnabled(e, ctx) === undefined;
}

/**
 * The names rc1 starts from: every entry that is the one chosen for its name
 * and for each service it provides (an alternative of higher priority for
 * any of them, or one set in `alternatives`, takes its place).
 */
export function rc1Targets(db: ModuleDb): string[] {
  return db
    .all()
    .filter((e) => [e.name, ...e.provides].every((n) => db.get(n) === e))
    .map((e) => e.name);
}

/** The enabled entries NAMES stand for, and those they require (recursively); entry names. */
export function solve(db: ModuleDb, names: readonly string[], ctx: ProbeContext): string[] {
  const visited = new Set<string>();
  const out = new Set<string>();
  const visit = (n: string) => {
    const e = db.get(n);
    if (visited.has(e.name)) return;
    visited.add(e.name);
    if (enabled(e, ctx)) out.add(e.name);
    for (const r of e.requires) visit(r);
  };
  for (const n of names) visit(n);
  return [...out];
}

const standsFor = (e: ModuleEntry, n: string) => e.name === n || e.provides.includes(n);

/** Leave out entries whose `needs` no other entry of the set stands for, until none is left to drop. */
export function dropUnmetNeeds(db: ModuleDb, names: readonly string[]): string[] {
  let set = names.map((n) => db.entry(n)!);
  for (;;) {
    const kept = set.filter((e) => e.needs.every((n) => set.some((x) => standsFor(x, n))));
    if (kept.length === set.length) return set.map((e) => e.name);
    set = kept;
  }
}

/** Each entry of the set -> the entries of the set it must follow (its `after`, others' `before`). */
export function predecessors(db: ModuleDb, names: readonly string[]): Map<string, string[]> {
  const set = names.map((n) => db.entry(n)!);
  const inSet = (ref: string, of: string): ModuleEntry[] => {
    const hits = set.filter((x) => standsFor(x, ref));
    if (hits.length === 0 && !db.has(ref)) throw new Error(`${of}: no such task or module ${ref}`);
    return hits;
  };
  const deps = new Map<string, Set<string>>(set.map((e) => [e.name, new Set<string>()]));
  for (const e of set) {
    const mine = deps.get(e.name)!;
    for (const a of e.after) {
      const earlier = a === '*' ? set.filter((x) => !x.after.includes('*')) : inSet(a, e.name);
      for (const x of earlier) if (x !== e) mine.add(x.name);
    }
    for (const b of e.before) {
      const later = b === '*' ? set.filter((x) => x !== e && !x.before.includes('*')) : inSet(b, e.name);
      for (const x of later) if (x !== e) deps.get(x.name)!.add(e.name);
    }
  }
  return new Map([...deps].map(([k, v]) => [k, [...v]]));
}

/**
 * The set in an order that keeps every precedence and otherwise the table's
 * order: a module that must come before another takes that one's place in
 * the table if it is earlier (a site's module `before = ["sched"]` loads
 * just before sched, not after everything the table lists first). Throws
 * for a cycle.
 */
export function ordered(db: ModuleDb, names: readonly string[]): string[] {
  const deps = predecessors(db, names);
  const place = new Map<string, number>();
  const visiting = new Set<string>();
  // a module's place: the earliest of its own and of every module that waits for it
  const placeOf = (n: string): number => {
    const known = place.get(n);
    if (known !== undefined) return known;
    if (visiting.has(n)) return db.index(n); // a cycle: reported below
    visiting.add(n);
    let p = db.index(n);
    for (const [m, preds] of deps) if (preds.includes(n)) p = Math.min(p, placeOf(m));
    visiting.delete(n);
    place.set(n, p);
    return p;
  };
  const left = new Set(names);
  const out: string[] = [];
  while (left.size > 0) {
    const ready = [...left]
      .filter((n) => deps.get(n)!.every((p) => !left.has(p)))
      .sort((a, b) => placeOf(a) - placeOf(b) || db.index(a) - db.index(b));
    if (ready.length === 0) throw new Error(`nodes are in a cycle: ${[...left].join(', ')}`);
    out.push(ready[0]!);
    left.delete(ready[0]!);
  }
  return out;
}

/** What loading NAMES takes on this broker, in load order (entry names). */
export function loadPlan(db: ModuleDb, names: readonly string[], ctx: ProbeContext): string[] {
  return ordered(db, dropUnmetNeeds(db, solve(db, names, ctx)));
}

/** The modules loaded on a broker: their names and the services each provides (module.list). */
export interface LoadedModules {
  names: readonly string[];
  /** service or module name -> the loaded module's name */
  lookup(name: string): string | undefined;
}

/**
 * What removing TARGETS ("all": every loaded module of the table) takes, in
 * removal order: the targets and the modules only they required. Throws
 * "X is not loaded" or "X still in use by Y, Z".
 */
export function removePlan(db: ModuleDb, targets: readonly string[], loaded: LoadedModules): string[] {
  const ofTable = loaded.names.filter((n) => db.entry(n) !== undefined);
  const start = targets.includes('all')
    ? ofTable
    : targets.map((t) => {
        const m = loaded.lookup(t);
        if (m === undefined) throw new Error(`module ${t} is not loaded`);
        return m;
      });
  const requires = new Map<string, string[]>();
  const dependents = new Map<string, Set<string>>();
  for (const m of ofTable) {
    const reqs = [...new Set(db.entry(m)!.requires.map((r) => loaded.lookup(r)).filter((r): r is string => r !== undefined && r !== m))];
    requires.set(m, reqs);
    for (const r of reqs) (dependents.get(r) ?? dependents.set(r, new Set()).get(r)!).add(m);
  }
  const removed = new Set(start);
  const queue = [...start];
  while (queue.length > 0) {
    for (const r of requires.get(queue.shift()!) ?? []) {
      if (removed.has(r)) continue;
      if ([...(dependents.get(r) ?? [])].every((d) => removed.has(d))) {
        removed.add(r);
        queue.push(r);
      }
    }
  }
  for (const m of removed) {
    const users = [...(dependents.get(m) ?? [])].filter((d) => !removed.has(d));
    if (users.length > 0) throw new Error(`${m} still in use by ${users.join(', ')}`);
  }
  const inTable = [...removed].filter((m) => db.entry(m) !== undefined);
  const others = [...removed].filter((m) => db.entry(m) === undefined);
  return [...others, ...ordered(db, inTable).reverse()];
}

/** flux modprobe list-dependencies: the tree of what NAME requires (each name once, unless `full`). */
export function dependencyTree(db: ModuleDb, name: string, full: boolean): string {
  interface Node {
    label: string;
    children: Node[];
  }
  const root: Node = { label: name, children: [] };
  const visited = new Set<string>();
  const queue: Node[] = [root];
  while (queue.length > 0) {
    const n = queue.shift()!;
    const e = db.get(n.label);
    if (!full) visited.add(e.name);
    for (const dep of e.requires) {
      if (visited.has(dep)) continue;
      const child: Node = { label: dep, children: [] };
      queue.push(child);
      n.children.push(child);
      if (!full) visited.add(dep);
    }
    if (e.name !== n.label) n.label += ` (${e.name})`;
  }
  const lines = [root.label];
  const walk = (n: Node, prefix: string) =>
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${c.label}`);
      walk(c, prefix + (last ? '    ' : '│   '));
    });
  walk(root, '');
  return lines.join('\n') + '\n';
}
