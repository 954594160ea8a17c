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
const MONTHS_FULL = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAYS_FULL = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** The local zone's abbreviation at d (`UTC`, `PST`), as strftime %Z. */
function zoneName(d: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(d)
    .find((x) => x.type === 'timeZoneName');
  return part?.value ?? '';
}

/** The local zone's offset at d as `+hhmm`, as strftime %z. */
function zoneOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${p2(Math.floor(a / 60))}${p2(a % 60)}`;
}

/** Day of the year, 1-366 (local time). */
function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  return Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86400000) + 1;
}

/**
 * strftime (local time, C locale) for the conversions of glibc's that a
 * `!d` format uses: dates (%Y %y %C %m %d %e %j %F %D %x), times (%H %I %k
 * %l %M %S %p %R %T %X %r %s), names (%a %A %b %h %B), weekdays (%u %w),
 * zones (%z %Z), %c, %n, %t and %%. Another is printed as it is.
 */
export function strftime(fmt: string, epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const conv = (c: string): string | undefined => {
    const h12 = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
    switch (c) {
      case 'a':
        return DAYS[d.getDay()]!;
      case 'A':
        return DAYS_FULL[d.getDay()]!;
      case 'b':
      case 'h':
        return MONTHS[d.getMonth()]!;
      case 'B':
        return MONTHS_FULL[d.getMonth()]!;
      case 'c':
        return `${conv('a')} ${conv('b')} ${conv('e')} ${conv('T')} ${conv('Y')}`;
      case 'C':
        return p2(Math.floor(d.getFullYear() / 100));
      case 'd':
        return p2(d.getDate());
      case 'D':
      case 'x':
        return `${conv('m')}/${conv('d')}/${conv('y')}`;
      case 'e':
        return String(d.getDate()).padStart(2, ' ');
      case 'F':
        return `${conv('Y')}-${conv('m')}-${conv('d')}`;
      case 'H':
        return p2(d.getHours());
      case 'I':
        return p2(h12);
      case 'j':
        return String(dayOfYear(d)).padStart(3, '0');
      case 'k':
        return String(d.getHours()).padStart(2, ' ');
      case 'l':
        return String(h12).padStart(2, ' ');
      case 'm':
        return p2(d.getMonth() + 1);
      case 'M':
        return p2(d.getMinutes());
      case 'n':
        return '\n';
      case 'p':
        return d.getHours() < 12 ? 'AM' : 'PM';
      case 'r':
        return `${conv('I')}:${conv('M')}:${conv('S')} ${conv('p')}`;
      case 'R':
        return `${p2(d.getHours())}:${p2(d.getMinutes())}`;
      case 's':
        return String(Math.floor(epochSeconds));
      case 'S':
        return p2(d.getSeconds());
      case 't':
        return '\t';
      case 'T':
      case 'X':
        return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
      case 'u':
        return String(d.getDay() === 0 ? 7 : d.getDay());
      case 'w':
        return String(d.getDay());
      case 'y':
        return p2(d.getFullYear() % 100);
      case 'Y':
        return String(d.getFullYear());
      case 'z':
        return zoneOffset(d);
      case 'Z':
        return zoneName(d);
      case '%':
        return '%';
      default:
        return undefined;
    }
  };
  return fmt.replace(/%([a-zA-Z%])/g, (_, c: string) => conv(c) ?? `%${c}`);
}

/**
 * Python's repr() of a str (`!r`), or ascii() (`!a`: non-ASCII escaped too):
 * single quotes unless the text has one and no double quote.
 */
export function pyStrRepr(text: string, ascii = false): string {
  const q = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || (ascii && cp > 0x7f)) {
      const hex = cp.toString(16);
      out += cp <= 0xff ? `\\x${hex.padStart(2, '0')}` : cp <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
    } else out += ch;
  }
  return out + q;
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
  } else if (conv === 'r' || conv === 'a') {
    if (typeof v === 'string') v = pyStrRepr(v, conv === 'a');
    else if (v === undefined || v === null) v = 'None';
  } else if (conv !== undefined && conv !== 's') {
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
      // a conversion no row can apply is refused here, not in the middle of the table
      if (p.kind === 'field' && p.conv !== undefined && !['s', 'r', 'a', 'd'].includes(p.conv)) throw new FormatError(`Unknown conversion specifier ${p.conv}`);
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
      // a column dropped with its literal takes two pieces: i may now be past the end
      const p = pieces[i];
      if (p === undefined || p.kind !== 'field' || !p.drop) continue;
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
