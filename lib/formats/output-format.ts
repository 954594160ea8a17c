/**
 * Flux's tabular output formats (flux-jobs(1), flux-resource(1) `-o`): Python
 * str.format fields `{name!conv:spec}` plus Flux's prefixes `?:` (drop the
 * column when every value is empty), `+:` (widen to the longest value) and
 * spec suffixes `h` (empty -> "-") and `+` (mark truncation). Headers keep only
 * alignment and width. Conversions: !d (strftime, `::` before the width spec).
 * A PyFloat value prints as Python prints a float.
 */
import { PyFloat, pyFloatRepr } from './py-float';

export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

interface Lit {
  kind: 'lit';
  text: string;
}
interface Field {
  kind: 'field';
  name: string;
  conv?: string;
  spec: string;
  drop: boolean;
  widen: boolean;
}
type Piece = Lit | Field;

/** Split a format string into literals and fields. */
export function parseFormat(fmt: string): Piece[] {
  const out: Piece[] = [];
  let lit = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c === '{' && fmt[i + 1] === '{') {
      lit += '{';
      i++;
    } else if (c === '}' && fmt[i + 1] === '}') {
      lit += '}';
      i++;
    } else if (c === '{') {
      const end = fmt.indexOf('}', i);
      if (end < 0) throw new FormatError("Single '{' encountered in format string");
      const body = fmt.slice(i + 1, end);
      let drop = false;
      let widen = false;
      const m = /(\?\+:|\+:|\?:)(\+?)$/.exec(lit);
      if (m) {
        drop = m[1]!.includes('?');
        widen = m[1]!.includes('+');
        lit = lit.slice(0, lit.length - m[0].length) + m[2]!;
      }
      if (lit) out.push({ kind: 'lit', text: lit });
      lit = '';
      const { head, conv, spec } = splitField(body);
      out.push({ kind: 'field', name: head, conv, spec, drop, widen });
      i = end;
    } else if (c === '}') {
      throw new FormatError("Single '}' encountered in format string");
    } else lit += c;
  }
  if (lit) out.push({ kind: 'lit', text: lit });
  return out;
}

interface Spec {
  fill: string;
  align?: string;
  width?: number;
  precision?: number;
  type?: string;
  h: boolean;
  plus: boolean;
}

function parseSpec(s: string): Spec {
  let spec = s;
  let plus = false;
  let h = false;
  if (spec.endsWith('+')) {
    plus = true;
    spec = spec.slice(0, -1);
  }
  if (spec.endsWith('h')) {
    h = true;
    spec = spec.slice(0, -1);
  }
  const m = /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su.exec(spec);
  if (!m) throw new FormatError(`Invalid format specifier '${s}'`);
  return {
    fill: m[1] ?? (m[5] ? '0' : ' '),
    align: m[2] ?? (m[5] ? '=' : undefined),
    width: m[6] !== undefined ? Number(m[6]) : undefined,
    precision: m[8] !== undefined ? Number(m[8]) : undefined,
    type: m[9],
    h,
    plus,
  };
}

const len = (s: string): number => [...s].length;

function pad(s: string, sp: Spec, numeric: boolean, widthOverride?: number): string {
  const width = widthOverride ?? sp.width ?? 0;
  const n = width - len(s);
  if (n <= 0) return s;
  const align = sp.align ?? (numeric ? '>' : '<');
  const f = sp.fill;
  if (align === '<') return s + f.repeat(n);
  if (align === '^') return f.repeat(Math.floor(n / 2)) + s + f.repeat(n - Math.floor(n / 2));
  return f.repeat(n) + s;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** Minimal strftime (local time): %b %d %e %H %M %S %R %T %Y %m %%. */
export function strftime(fmt: string, epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return fmt.replace(/%([a-zA-Z%])/g, (_, c: string) => {
    switch (c) {
      case 'b':
        return MONTHS[d.getMonth()]!;
      case 'd':
        return p2(d.getDate());
      case 'e':
        return String(d.getDate()).padStart(2, ' ');
      case 'H':
        return p2(d.getHours());
      case 'M':
        return p2(d.getMinutes());
      case 'S':
        return p2(d.getSeconds());
      case 'R':
        return `${p2(d.getHours())}:${p2(d.getMinutes())}`;
      case 'T':
        return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
      case 'Y':
        return String(d.getFullYear());
      case 'm':
        return p2(d.getMonth() + 1);
      case '%':
        return '%';
      default:
        return `%${c}`;
    }
  });
}

/** What Flux counts as an empty value: `h` prints it as `-`, `?:` drops a column of nothing else. */
const EMPTY_OUTPUTS: readonly string[] = ['', '0s', '0.0', '0:00:00', '1970-01-01T00:00:00'];

/** Format one value with a Python format spec (+ Flux's h and + suffixes). */
export function formatValue(value: unknown, specText: string, conv?: string, widthOverride?: number): string {
  let spec = specText;
  const float = value instanceof PyFloat;
  let v = value instanceof PyFloat ? value.value : value;
  if (conv === 'd') {
    const i = spec.indexOf('::');
    const tf = i >= 0 ? spec.slice(0, i) : spec;
    spec = i >= 0 ? spec.slice(i + 2) : '';
    v = typeof v === 'number' && v > 0 ? strftime(tf || '%FT%T', v) : '';
  } else if (conv !== undefined && conv !== 's' && conv !== 'r') {
    throw new FormatError(`Unknown conversion specifier ${conv}`);
  }
  const sp = parseSpec(spec);
  const numeric = typeof v === 'number';
  let s: string;
  if (numeric) {
    const n = v as number;
    if (sp.type === 'f' || sp.type === 'F') s = n.toFixed(sp.precision ?? 6);
    else if (sp.type === 'x') s = Math.trunc(n).toString(16);
    else s = float ? pyFloatRepr(n) : String(n);
  } else {
    s = v === undefined || v === null ? '' : String(v);
    if (sp.precision !== undefined && len(s) > sp.precision) {
      const chars = [...s].slice(0, sp.precision);
      if (sp.plus && chars.length > 0) chars[chars.length - 1] = '+';
      s = chars.join('');
    }
  }
  if (sp.h && EMPTY_OUTPUTS.includes(s)) s = '-';
  return pad(s, sp, numeric, widthOverride);
}

/** Header text for a field: heading with only fill/alignment and width. */
function headerSpec(spec: string, conv?: string): string {
  let s = spec;
  if (conv === 'd') {
    const i = s.indexOf('::');
    s = i >= 0 ? s.slice(i + 2) : '';
  }
  const sp = parseSpec(s);
  const align = sp.align && sp.align !== '=' ? sp.align : '';
  const fill = align && sp.fill !== ' ' ? sp.fill : '';
  return `${fill}${align}${sp.width ?? ''}`;
}

export type Row = Readonly<Record<string, unknown>>;

/** A parsed format bound to the field headings it may use. */
export class OutputFormat {
  private readonly pieces: Piece[];

  constructor(
    readonly format: string,
    private readonly headings: Readonly<Record<string, string>>,
  ) {
    this.pieces = parseFormat(format);
    for (const p of this.pieces) {
      if (p.kind === 'field' && !(p.name in headings)) throw new FormatError(`Unknown format field: ${p.name}`);
      if (p.kind === 'field') parseSpec(p.conv === 'd' ? (p.spec.split('::')[1] ?? '') : p.spec);
    }
  }

  /** Field names used, in order. */
  fields(): string[] {
    return this.pieces.filter((p): p is Field => p.kind === 'field').map((p) => p.name);
  }

  /** Render the header (unless noHeader) and one line per row. */
  render(rows: readonly Row[], noHeader = false): string[] {
    const pieces = this.pieces.slice();
    const widths = new Map<number, number>();
    // ?: columns that are empty everywhere go, with the whitespace-only literal before them
    for (let i = pieces.length - 1; i >= 0; i--) {
      const p = pieces[i]!;
      if (p.kind !== 'field' || !p.drop) continue;
      const empty = rows.every((r) => EMPTY_OUTPUTS.includes(formatValue(r[p.name], '', p.conv)));
      if (empty) {
        pieces.splice(i, 1);
        const prev = pieces[i - 1];
        if (prev && prev.kind === 'lit' && prev.text.trim() === '') pieces.splice(i - 1, 1);
      }
    }
    pieces.forEach((p, i) => {
      if (p.kind !== 'field' || !p.widen) return;
      const min = parseSpec(p.conv === 'd' ? (p.spec.split('::')[1] ?? '') : p.spec).width ?? 0;
      const longest = Math.max(0, ...rows.map((r) => len(formatValue(r[p.name], p.spec.replace(/\.\d+/, ''), p.conv))));
      widths.set(i, Math.max(min, longest));
    });
    const lines: string[] = [];
    if (!noHeader) {
      lines.push(
        pieces
          .map((p, i) => (p.kind === 'lit' ? p.text : formatValue(this.headings[p.name], headerSpec(p.spec, p.conv), undefined, widths.get(i))))
          .join(''),
      );
    }
    for (const r of rows) {
      lines.push(pieces.map((p, i) => (p.kind === 'lit' ? p.text : formatValue(r[p.name], p.spec, p.conv, widths.get(i)))).join(''));
    }
    return lines;
  }
}

/** The parts of a replacement field's body `head!conv:spec` (Python's str.format). */
export function splitField(body: string): { head: string; conv: string | undefined; spec: string } {
  const colon = body.indexOf(':');
  let head = colon < 0 ? body : body.slice(0, colon);
  const spec = colon < 0 ? '' : body.slice(colon + 1);
  let conv: string | undefined;
  const bang = head.indexOf('!');
  if (bang >= 0) {
    conv = head.slice(bang + 1);
    head = head.slice(0, bang);
  }
  return { head, conv, spec };
}
