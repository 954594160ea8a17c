/**
 * Job constraints (RFC 31): `attributes.system.constraints` of a jobspec says
 * which nodes a job may run on. A constraint is an object whose keys are
 * operators, all of which must hold:
 *
 *   {"properties": ["gpu", "^slow"]}   every property named, none of the ^ones
 *   {"hostlist": ["node[0-3]"]}       the node's host is in one of the hostlists
 *   {"ranks": ["0-3"]}                the node's rank is in one of the idsets
 *   {"and": [C, ...]} {"or": [C, ...]} {"not": [C, ...]}
 *
 * An empty object matches every node. parseRequires() turns the `--requires`
 * query syntax of flux-submit(1) into one: `gpu`, `^slow`, `host:node[0-3]`,
 * `rank:0-3`, `-TERM` or `not TERM`, `and`/`&`/`&&`, `or`/`|`/`||`,
 * parentheses; adjacent terms and repeated --requires are and-ed.
 */
import * as hostlist from './hostlist';
import * as idset from './idset';

export type Constraint = { readonly [op: string]: unknown };

/** What a constraint is matched against: one node of the resource set. */
export interface ConstraintNode {
  rank: number;
  hostname: string;
  properties?: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(op: string, v: unknown): string[] | string {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return `${op} operator requires an array of strings`;
  return v as string[];
}

/** Why a constraint is malformed (RFC 31), or undefined. Depth is bounded. */
export function checkConstraint(c: unknown, depth = 0): string | undefined {
  if (depth > 64) return 'constraint nested too deeply';
  if (!isObject(c)) return 'constraint must be an object';
  for (const [op, v] of Object.entries(c)) {
    switch (op) {
      case 'properties': {
        const s = strings(op, v);
        if (typeof s === 'string') return s;
        for (const p of s) if (p.replace(/^\^/, '') === '') return 'properties operator: empty property name';
        break;
      }
      case 'hostlist': {
        const s = strings(op, v);
        if (typeof s === 'string') return s;
        for (const h of s) {
          try {
            hostlist.expand(h);
          } catch {
            return `hostlist operator: invalid hostlist '${h}'`;
          }
        }
        break;
      }
      case 'ranks': {
        const s = strings(op, v);
        if (typeof s === 'string') return s;
        for (const r of s) {
          try {
            idset.decode(r);
          } catch {
            return `ranks operator: invalid idset '${r}'`;
          }
        }
        break;
      }
      case 'and':
      case 'or':
      case 'not': {
        if (!Array.isArray(v)) return `${op} operator requires an array of constraints`;
        for (const x of v) {
          const t = checkConstraint(x, depth + 1);
          if (t) return t;
        }
        break;
      }
      default:
        return `unknown constraint operator: ${op}`;
    }
  }
  return undefined;
}

/** Does the node satisfy the (well-formed) constraint? */
export function matchConstraint(c: Constraint, n: ConstraintNode): boolean {
  for (const [op, v] of Object.entries(c)) {
    const list = v as unknown[];
    let ok: boolean;
    switch (op) {
      case 'properties':
        ok = (list as string[]).every((p) => (p.startsWith('^') ? !(n.properties ?? []).includes(p.slice(1)) : (n.properties ?? []).includes(p)));
        break;
      case 'hostlist':
        ok = (list as string[]).some((h) => hostlist.expand(h).includes(n.hostname));
        break;
      case 'ranks':
        ok = (list as string[]).some((r) => idset.decode(r).includes(n.rank));
        break;
      case 'and':
        ok = (list as Constraint[]).every((x) => matchConstraint(x, n));
        break;
      case 'or':
        ok = (list as Constraint[]).some((x) => matchConstraint(x, n));
        break;
      case 'not':
        ok = !(list as Constraint[]).every((x) => matchConstraint(x, n));
        break;
      default:
        ok = false;
    }
    if (!ok) return false;
  }
  return true;
}

/** Every host a constraint names in a hostlist operator (for "host not found" at submit). */
export function constraintHosts(c: Constraint): string[] {
  const out: string[] = [];
  for (const [op, v] of Object.entries(c)) {
    if (op === 'hostlist') for (const h of v as string[]) out.push(...hostlist.expand(h));
    else if (op === 'and' || op === 'or' || op === 'not') for (const x of v as Constraint[]) out.push(...constraintHosts(x));
  }
  return out;
}

export class ConstraintSyntaxError extends Error {}

const OPERATORS: Record<string, string> = {
  host: 'hostlist',
  hosts: 'hostlist',
  hostlist: 'hostlist',
  rank: 'ranks',
  ranks: 'ranks',
  prop: 'properties',
  property: 'properties',
  properties: 'properties',
};

interface Tok {
  text: string;
  pos: number;
}

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(\(|\)|&&|\|\||&|\||[^\s()&|]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < s.length && (m = re.exec(s)) !== null) {
    out.push({ text: m[1]!, pos: m.index + m[0].length - m[1]!.length });
    at = re.lastIndex;
    if (/^\s*$/.test(s.slice(at))) break;
  }
  return out;
}

/** Parse one --requires expression (RFC 35 style) into an RFC 31 constraint. */
export function parseRequires(expr: string): Constraint {
  const toks = tokenize(expr);
  let i = 0;
  const bad = (t: Tok | undefined): never => {
    if (!t) throw new ConstraintSyntaxError(`Unexpected end of input`);
    throw new ConstraintSyntaxError(`Invalid token '${t.text}' at position ${t.pos}`);
  };
  const isAnd = (t: Tok | undefined) => t !== undefined && (t.text === 'and' || t.text === '&' || t.text === '&&');
  const isOr = (t: Tok | undefined) => t !== undefined && (t.text === 'or' || t.text === '|' || t.text === '||');
  const term = (): Constraint => {
    const t = toks[i];
    if (!t || isAnd(t) || isOr(t) || t.text === ')') return bad(t);
    i++;
    if (t.text === '(') {
      const c = orExpr();
      if (toks[i]?.text !== ')') bad(toks[i]);
      i++;
      return c;
    }
    if (t.text === 'not') return { not: [term()] };
    if (t.text.startsWith('-') && t.text.length > 1) return { not: [single(t.text.slice(1), t)] };
    return single(t.text, t);
  };
  const single = (word: string, t: Tok): Constraint => {
    const colon = word.indexOf(':');
    const opName = colon < 0 ? undefined : word.slice(0, colon);
    const value = colon < 0 ? word : word.slice(colon + 1);
    const op = opName === undefined ? 'properties' : OPERATORS[opName];
    if (op === undefined) throw new ConstraintSyntaxError(`unknown constraint operator '${opName}' at position ${t.pos}`);
    if (value === '') throw new ConstraintSyntaxError(`missing value for '${opName ?? word}' at position ${t.pos}`);
    const values = op === 'properties' ? value.split(',') : [value];
    const c = { [op]: values };
    const why = checkConstraint(c);
    if (why) throw new ConstraintSyntaxError(why);
    return c;
  };
  const andExpr = (): Constraint => {
    const parts = [term()];
    for (;;) {
      const t = toks[i];
      if (isAnd(t)) {
        i++;
        parts.push(term());
      } else if (t && !isOr(t) && t.text !== ')') {
        parts.push(term());
      } else break;
    }
    return parts.length === 1 ? parts[0]! : { and: parts };
  };
  const orExpr = (): Constraint => {
    const parts = [andExpr()];
    while (isOr(toks[i])) {
      i++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : { or: parts };
  };
  if (toks.length === 0) throw new ConstraintSyntaxError('empty constraint');
  const c = orExpr();
  if (i < toks.length) bad(toks[i]);
  return c;
}

/** Several --requires options: each parsed, and-ed together. */
export function parseRequiresAll(exprs: readonly string[]): Constraint {
  const parts = exprs.map(parseRequires);
  return parts.length === 1 ? parts[0]! : { and: parts };
}
