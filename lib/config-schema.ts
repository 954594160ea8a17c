/**
 * The shape of the broker config (TOML), declared by whoever reads it: the
 * kernel for its own tables ([bootstrap], [tbon], [modules]) and each module
 * for its tables (ModuleManifest.config). The broker checks the whole config
 * against the union at start, so an unknown table or key, a wrong type or a
 * bad value stops it with `file:line` instead of being ignored.
 *
 * A check returns an error text (no key name: the caller prefixes it), or
 * undefined when the value is good.
 */
import { tryParse as parseFsd } from './formats/fsd';
import { FLUX_ONLY_KEYS, FLUX_ONLY_TABLES } from './config/flux-only-tables';

export type Check = (v: unknown) => string | undefined;

export type ConfigSpec =
  | { kind: 'string'; enum?: readonly string[]; check?: (v: string) => string | undefined }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'boolean' }
  /** an RFC 23 duration written as a string ("30s", "inf") */
  | { kind: 'fsd'; finite?: boolean }
  | { kind: 'strings' }
  /** a table with these keys (nothing else, unless `rest` gives the shape of other keys) */
  | { kind: 'table'; keys: Readonly<Record<string, ConfigSpec>>; rest?: ConfigSpec; required?: readonly string[] }
  /** a table whose keys are names (e.g. queues), each value of this shape */
  | { kind: 'map'; value: ConfigSpec }
  /** an array of tables of this shape */
  | { kind: 'tables'; item: ConfigSpec }
  /** anything the check accepts; `what` names it in docs and errors */
  | { kind: 'custom'; what: string; check: Check };

/** top-level table (or bare key) name -> its shape */
export type ConfigSchema = Readonly<Record<string, ConfigSpec>>;

export interface ConfigProblem {
  /** dotted path of the offending table or key, e.g. `tbon.topo`, `queues.debug.requires` */
  path: string;
  text: string;
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'float';
  if (typeof v === 'object') return 'table';
  return typeof v;
}

/** a TOML table (a JSON object): not null, not an array */
export const isTable = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : isTable(v) || Array.isArray(v) ? typeName(v) : String(v);
}

/** Check one value against its spec; the first problem found, or undefined. */
export function checkValue(spec: ConfigSpec, v: unknown, path: string): ConfigProblem | undefined {
  const bad = (text: string): ConfigProblem => ({ path, text });
  switch (spec.kind) {
    case 'string': {
      if (typeof v !== 'string') return bad(`must be a string, got ${typeName(v)} ${shown(v)}`);
      if (spec.enum && !spec.enum.includes(v)) return bad(`must be one of ${spec.enum.join(', ')}, got ${shown(v)}`);
      const t = spec.check?.(v);
      return t === undefined ? undefined : bad(t);
    }
    case 'integer': {
      const range =
        spec.min === undefined && spec.max === undefined ? '' : spec.max === undefined ? ` >= ${spec.min}` : ` from ${spec.min ?? '-inf'} to ${spec.max}`;
      const ok = typeof v === 'number' && Number.isInteger(v) && !(spec.min !== undefined && v < spec.min) && !(spec.max !== undefined && v > spec.max);
      return ok ? undefined : bad(`must be an integer${range}, got ${isTable(v) || Array.isArray(v) ? typeName(v) : JSON.stringify(v)}`);
    }
    case 'boolean':
      return typeof v === 'boolean' ? undefined : bad(`must be true or false, got ${typeName(v)} ${shown(v)}`);
    case 'fsd': {
      const s = typeof v === 'string' ? parseFsd(v) : undefined;
      if (s === undefined) return bad(`${shown(v)} is not a valid duration (FSD)`);
      if (spec.finite && !Number.isFinite(s)) return bad('must be a finite duration');
      return undefined;
    }
    case 'strings':
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return bad(`must be an array of strings, got ${typeName(v)} ${shown(v)}`);
      return undefined;
    case 'table': {
      if (!isTable(v)) return bad(`must be a table, got ${typeName(v)} ${shown(v)}`);
      for (const [k, x] of Object.entries(v)) {
        const sub = spec.keys[k] ?? spec.rest;
        if (!sub) {
          const flux = FLUX_ONLY_KEYS[`${path}.${k}`];
          return { path: `${path}.${k}`, text: flux ? `a Flux key flux-ts does not implement: ${flux}` : 'unknown key' };
        }
        const p = checkValue(sub, x, `${path}.${k}`);
        if (p) return p;
      }
      const missing = spec.required?.find((k) => !(k in v));
      if (missing !== undefined) return { path: `${path}.${missing}`, text: 'required, but missing' };
      return undefined;
    }
    case 'map': {
      if (!isTable(v)) return bad(`must be a table, got ${typeName(v)} ${shown(v)}`);
      for (const [k, x] of Object.entries(v)) {
        const p = checkValue(spec.value, x, `${path}.${k}`);
        if (p) return p;
      }
      return undefined;
    }
    case 'tables': {
      if (!Array.isArray(v)) return bad(`must be an array of tables, got ${typeName(v)} ${shown(v)}`);
      for (let i = 0; i < v.length; i++) {
        const p = checkValue(spec.item, v[i], `${path}[${i}]`);
        if (p) return p;
      }
      return undefined;
    }
    case 'custom': {
      const t = spec.check(v);
      return t === undefined ? undefined : bad(t);
    }
  }
}

/** Check a whole config document; the first problem in document order, or undefined. */
export function checkConfig(schema: ConfigSchema, config: Readonly<Record<string, unknown>>): ConfigProblem | undefined {
  for (const [k, v] of Object.entries(config)) {
    const spec = schema[k];
    if (!spec) {
      const flux = isTable(v) ? FLUX_ONLY_TABLES[k] : undefined;
      return { path: k, text: flux ? `a Flux table flux-ts does not implement: ${flux}` : isTable(v) ? 'unknown table' : 'unknown key' };
    }
    const p = checkValue(spec, v, k);
    if (p) return p;
  }
  return undefined;
}

/**
 * Every key path a schema declares, for the coverage test and the docs:
 * `tbon.topo`, `queues.*.requires`, `resource.config[].hosts` ...
 */
export function schemaPaths(schema: ConfigSchema): string[] {
  const out: string[] = [];
  const walk = (spec: ConfigSpec, path: string) => {
    if (spec.kind === 'table') {
      for (const [k, s] of Object.entries(spec.keys)) walk(s, `${path}.${k}`);
      if (spec.rest) walk(spec.rest, `${path}.*`);
    } else if (spec.kind === 'map') {
      walk(spec.value, `${path}.*`);
    } else if (spec.kind === 'tables' && spec.item.kind === 'table') {
      for (const [k, s] of Object.entries(spec.item.keys)) walk(s, `${path}[].${k}`);
    } else {
      out.push(path);
    }
  };
  for (const [k, s] of Object.entries(schema)) walk(s, k);
  return out;
}
