/**
 * How `flux module stats` prints a stats or rusage object, as Flux's
 * flux-module.c does: the value at --parse (a period-delimited path) or the
 * whole object; an integer (or any value with --type=int) as an integer of
 * value*scale, a real (or --type=double) with six decimals (`%lf`), anything
 * else as JSON indented by one space (jansson's JSON_INDENT(1)). JSON keeps
 * no int/real distinction once parsed: a number with a fraction is a real.
 */

type Obj = Record<string, unknown>;

export interface StatsFormat {
  parse?: string;
  type?: 'int' | 'double' | string;
  scale: number;
}

/** `a.b.c` inside an object; undefined where a step is missing. */
export function pick(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const step of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !(step in cur)) return undefined;
    cur = (cur as Obj)[step];
  }
  return cur;
}

/** The text to print (newline included); undefined when --parse names nothing. */
export function formatStats(reply: unknown, f: StatsFormat): string | undefined {
  const v = f.parse === undefined ? reply : pick(reply, f.parse);
  if (v === undefined) return undefined;
  // jansson's json_number_value(): 0 for what is not a number
  const n = typeof v === 'number' ? v : 0;
  if (f.type === 'int' || (f.type === undefined && typeof v === 'number' && Number.isInteger(v))) return `${Math.trunc(n * f.scale)}\n`;
  if (f.type === 'double' || typeof v === 'number') return `${(n * f.scale).toFixed(6)}\n`;
  return `${JSON.stringify(v, null, 1)}\n`;
}
