/**
 * flux bulksubmit's substitution: Python's str.format() applied to one word
 * with the inputs as positional arguments ({} {0} {1}), `seq`, `seq1` and `cc`
 * as keywords, the input attributes {0.%} {0./} {0.//} {0./%}, conversions
 * !s !r and format specs ({seq:03}). Mustache templates ({{id}}) are kept as
 * they are. Errors are Python's: KeyError and IndexError (the caller names the
 * word), the rest a message of their own.
 */
import { FormatError, formatValue, splitField } from '../../lib/formats/output-format';
import type { PyFloat } from '../../lib/formats/py-float';
import type { DefinedMethod } from './py-expr';

/** an unknown keyword or an input index past the inputs (Python's KeyError / IndexError) */
export class ReplacementError extends Error {
  constructor(
    readonly kind: 'key' | 'index',
    message: string,
  ) {
    super(message);
    this.name = 'ReplacementError';
  }
}

/** os.path.splitext(s)[0]: a dot that only leads the last component is not an extension */
function stripExt(s: string): string {
  const sep = s.lastIndexOf('/');
  const dot = s.lastIndexOf('.');
  if (dot <= sep) return s;
  return /[^.]/.test(s.slice(sep + 1, dot)) ? s.slice(0, dot) : s;
}

const basename = (s: string): string => s.slice(s.lastIndexOf('/') + 1);

/** os.path.dirname: the head, trailing slashes dropped unless it is all slashes */
function dirname(s: string): string {
  const head = s.slice(0, s.lastIndexOf('/') + 1);
  return head && !/^\/+$/.test(head) ? head.replace(/\/+$/, '') : head;
}

/** Python's repr() of a str */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
  return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
}

function attribute(v: string, attr: string): string {
  if (attr === '') throw new FormatError('Empty attribute in format string');
  if (attr === '%') return stripExt(v);
  if (attr === '/') return basename(v);
  if (attr === '//') return dirname(v);
  if (attr === '/%') return basename(stripExt(v));
  throw new FormatError(`Unknown input string method '.${attr}'`);
}

interface Keywords {
  seq: number;
  seq1: number;
  cc: string;
  /** --define=NAME=CODE methods, used as `{0.NAME}` */
  methods?: ReadonlyMap<string, DefinedMethod>;
}

/** One field `{name.attr!conv:spec}`; `auto` numbers the `{}` fields. */
function field(body: string, inputs: readonly string[], kw: Keywords, auto: { n: number; manual: boolean }): string {
  const { head, conv, spec } = splitField(body);
  if (conv !== undefined && conv.length !== 1) throw new FormatError('expected \':\' after conversion specifier');
  const dot = head.indexOf('.');
  const name = dot < 0 ? head : head.slice(0, dot);
  const attrs = dot < 0 ? [] : head.slice(dot + 1).split('.');
  let value: string | number | PyFloat;
  let isInput = false;
  if (name === '' || /^\d+$/.test(name)) {
    if (name === '' && auto.manual) throw new FormatError('cannot switch from manual field specification to automatic field numbering');
    if (name !== '' && auto.n > 0) throw new FormatError('cannot switch from automatic field numbering to manual field specification');
    if (name !== '') auto.manual = true;
    const idx = name === '' ? auto.n++ : Number(name);
    const v = inputs[idx];
    if (v === undefined) throw new ReplacementError('index', 'Replacement index out of range');
    value = v;
    isInput = true;
  } else if (name === 'seq' || name === 'seq1' || name === 'cc') {
    value = kw[name];
  } else throw new ReplacementError('key', pyRepr(name));
  for (const a of attrs) {
    if (typeof value === 'number') throw new FormatError(`'int' object has no attribute '${a}'`);
    if (!isInput || typeof value !== 'string') throw new FormatError(`'${typeof value === 'string' ? 'str' : 'float'}' object has no attribute '${a}'`);
    const defined = kw.methods?.get(a);
    value = defined ? defined(value) : attribute(value, a);
    isInput = false;
  }
  if (conv === 'r' || conv === 'a') value = typeof value === 'string' ? pyRepr(value) : String(value);
  else if (conv === 's') value = String(value);
  else if (conv !== undefined) throw new FormatError(`Unknown conversion specifier ${conv}`);
  else if (isInput && spec !== '') throw new FormatError('unsupported format string passed to Xinput.__format__');
  return spec === '' ? String(value) : formatValue(value, spec);
}

/** Python-format one word for one input tuple (as Flux's Xcmd does). */
export function bulkFormat(word: string, inputs: readonly string[], kw: Keywords): string {
  const auto = { n: 0, manual: false };
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    const next = word[i + 1];
    if ((c === '{' && next === '{') || (c === '}' && next === '}')) {
      // a mustache template's braces stay doubled
      out += c + c;
      i++;
    } else if (c === '{') {
      const end = word.indexOf('}', i);
      if (end < 0) throw new FormatError("expected '}' before end of string");
      out += field(word.slice(i + 1, end), inputs, kw, auto);
      i = end;
    } else if (c === '}') {
      throw new FormatError("Single '}' encountered in format string");
    } else out += c;
  }
  return out;
}
