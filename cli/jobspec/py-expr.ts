/**
 * flux bulksubmit --define=NAME=CODE: Flux evaluates CODE as Python with the
 * input string as `x`. flux-ts cannot run Python; this is a small evaluator
 * of the common subset, parsed once up front and never handed to eval():
 * int/float/str literals, `x`, + - * / // % ** and unary minus, parentheses,
 * int() float() str() len() abs() round() min() max(), the str methods
 * upper lower strip lstrip rstrip split replace zfill join, indexing and
 * [a:b] slices, comparisons (< <= > >= == != in, not in; chained), not/and/or
 * and `A if C else B`, True and False. Values follow Python: ints are exact
 * (bigint), / gives a float, // and % floor, str + str and str * int, a bool
 * is an int in arithmetic, and/or give an operand. Errors carry Python's text.
 */
import { PyFloat } from '../../lib/formats/py-float';
import { pyRepr } from './bulk-format';

/** a value: int (bigint), float (number), str, list (from split), or bool */
type V = bigint | number | string | boolean | V[];

type Node =
  | { k: 'lit'; v: V }
  | { k: 'x' }
  | { k: 'neg'; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'cmp'; first: Node; rest: Array<{ op: string; b: Node }> }
  | { k: 'not'; a: Node }
  | { k: 'bool'; op: 'and' | 'or'; a: Node; b: Node }
  | { k: 'cond'; c: Node; a: Node; b: Node }
  | { k: 'call'; f: string; args: Node[] }
  | { k: 'method'; obj: Node; m: string; args: Node[] }
  | { k: 'index'; obj: Node; i: Node }
  | { k: 'slice'; obj: Node; lo?: Node; hi?: Node };

/** CODE outside the subset (or not Python at all) */
export class ExprSyntaxError extends Error {}
/** a Python exception while evaluating (ValueError, TypeError, ...): its message */
export class ExprError extends Error {}

const FUNCS = new Set(['int', 'float', 'str', 'len', 'abs', 'round', 'min', 'max']);
const METHODS = new Set(['upper', 'lower', 'strip', 'lstrip', 'rstrip', 'split', 'replace', 'zfill', 'join']);
/** bounds that keep a typo from filling the heap (Python would try) */
const MAX_STR = 1 << 20;
const MAX_BITS = 1 << 16;

function tokenize(src: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:(\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_]\w*)|(\*\*|\/\/|==|!=|<=|>=|[-+*/%()[\],.:<>]))/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new ExprSyntaxError();
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
    i = re.lastIndex;
  }
  return out;
}

function unquote(t: string): string {
  const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
  return t.slice(1, -1).replace(/\\(.)/g, (_, c: string) => esc[c] ?? `\\${c}`);
}

/** Parse CODE; throws ExprSyntaxError for what the subset does not hold. */
export function parseExpr(src: string): Node {
  const t = tokenize(src);
  let p = 0;
  const peek = () => t[p];
  const take = (s?: string): string => {
    const v = t[p];
    if (v === undefined || (s !== undefined && v !== s)) throw new ExprSyntaxError();
    p++;
    return v;
  };
  const args = (close: string): Node[] => {
    const out: Node[] = [];
    while (peek() !== close) {
      out.push(expr());
      if (peek() !== close) take(',');
    }
    take(close);
    return out;
  };
  const atom = (): Node => {
    const v = take();
    if (/^[\d.]/.test(v)) return { k: 'lit', v: /^\d+$/.test(v) ? BigInt(v) : Number(v) };
    if (v.startsWith("'") || v.startsWith('"')) return { k: 'lit', v: unquote(v) };
    if (v === '(') {
      const e = expr();
      take(')');
      return e;
    }
    if (v === 'x') return { k: 'x' };
    if (v === 'True' || v === 'False') return { k: 'lit', v: v === 'True' };
    if (FUNCS.has(v) && peek() === '(') {
      take('(');
      return { k: 'call', f: v, args: args(')') };
    }
    throw new ExprSyntaxError();
  };
  const postfix = (): Node => {
    let n = atom();
    for (;;) {
      if (peek() === '.') {
        take('.');
        const m = take();
        if (!METHODS.has(m)) throw new ExprSyntaxError();
        take('(');
        n = { k: 'method', obj: n, m, args: args(')') };
      } else if (peek() === '[') {
        take('[');
        const lo = peek() === ':' ? undefined : expr();
        if (peek() === ':') {
          take(':');
          const hi = peek() === ']' ? undefined : expr();
          take(']');
          n = { k: 'slice', obj: n, ...(lo ? { lo } : {}), ...(hi ? { hi } : {}) };
        } else {
          take(']');
          n = { k: 'index', obj: n, i: lo! };
        }
      } else return n;
    }
  };
  const power = (): Node => {
    const a = postfix();
    if (peek() !== '**') return a;
    take();
    return { k: 'bin', op: '**', a, b: unary() };
  };
  const unary = (): Node => {
    if (peek() === '-') {
      take();
      return { k: 'neg', a: unary() };
    }
    if (peek() === '+') {
      take();
      return unary();
    }
    return power();
  };
  const term = (): Node => {
    let a = unary();
    while (['*', '/', '//', '%'].includes(peek() ?? '')) a = { k: 'bin', op: take(), a, b: unary() };
    return a;
  };
  const arith = (): Node => {
    let a = term();
    while (peek() === '+' || peek() === '-') a = { k: 'bin', op: take(), a, b: term() };
    return a;
  };
  const comparison = (): Node => {
    const first = arith();
    const rest: Array<{ op: string; b: Node }> = [];
    for (;;) {
      let op = peek();
      if (op === 'not' && t[p + 1] === 'in') {
        p++;
        op = 'not in';
      } else if (op === undefined || !['<', '<=', '>', '>=', '==', '!=', 'in'].includes(op)) break;
      p++;
      rest.push({ op, b: arith() });
    }
    return rest.length === 0 ? first : { k: 'cmp', first, rest };
  };
  const notTest = (): Node => {
    if (peek() !== 'not') return comparison();
    take();
    return { k: 'not', a: notTest() };
  };
  const andTest = (): Node => {
    let a = notTest();
    while (peek() === 'and') a = { k: 'bool', op: (take(), 'and'), a, b: notTest() };
    return a;
  };
  const orTest = (): Node => {
    let a = andTest();
    while (peek() === 'or') a = { k: 'bool', op: (take(), 'or'), a, b: andTest() };
    return a;
  };
  function expr(): Node {
    const a = orTest();
    if (peek() !== 'if') return a;
    take();
    const c = orTest();
    take('else');
    return { k: 'cond', c, a, b: expr() };
  }
  const e = expr();
  if (p !== t.length) throw new ExprSyntaxError();
  return e;
}

const typeName = (v: V): string =>
  typeof v === 'bigint' ? 'int' : typeof v === 'number' ? 'float' : typeof v === 'string' ? 'str' : typeof v === 'boolean' ? 'bool' : 'list';

/** a bool as the int it is in Python's arithmetic */
const unbool = (v: V): V => (typeof v === 'boolean' ? BigInt(v) : v);

/** Python's truth value */
function truthy(v: V): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  return v.length > 0;
}

function equal(a: V, b: V): boolean {
  a = unbool(a);
  b = unbool(b);
  if (isNum(a) && isNum(b)) return typeof a === typeof b ? a === b : Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((e, i) => equal(e, b[i]!));
  return a === b;
}

/** one comparison of a chain */
function compare(op: string, a: V, b: V): boolean {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case 'in':
    case 'not in': {
      let has: boolean;
      if (typeof b === 'string') {
        if (typeof a !== 'string') throw new ExprError(`'in <string>' requires string as left operand, not ${typeName(a)}`);
        has = b.includes(a);
      } else if (Array.isArray(b)) has = b.some((e) => equal(a, e));
      else throw new ExprError(`argument of type '${typeName(b)}' is not iterable`);
      return op === 'in' ? has : !has;
    }
  }
  const x = unbool(a);
  const y = unbool(b);
  const ordered = (isNum(x) && isNum(y)) || (typeof x === 'string' && typeof y === 'string');
  if (!ordered) throw new ExprError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
  const [l, r] = isNum(x) && typeof x !== typeof y ? [Number(x), Number(y)] : [x as bigint | number | string, y as bigint | number | string];
  return op === '<' ? l < r : op === '<=' ? l <= r : op === '>' ? l > r : l >= r;
}

/** Python's str() of a value */
export function pyStr(v: V): string {
  if (typeof v === 'number') return new PyFloat(v).toString();
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `[${v.map((e) => (typeof e === 'string' ? pyRepr(e) : pyStr(e))).join(', ')}]`;
  return String(v);
}

const isNum = (v: V): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';

function toInt(v: V): bigint {
  if (typeof v === 'bigint' || typeof v === 'boolean') return BigInt(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ExprError(Number.isNaN(v) ? 'cannot convert float NaN to integer' : 'cannot convert float infinity to integer');
    return BigInt(Math.trunc(v));
  }
  if (typeof v === 'string' && /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(v)) return BigInt(v.trim().replace(/_/g, ''));
  if (typeof v === 'string') throw new ExprError(`invalid literal for int() with base 10: ${pyRepr(v)}`);
  throw new ExprError(`int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`);
}

function toFloat(v: V): number {
  if (isNum(v) || typeof v === 'boolean') return Number(v);
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase().replace(/_/g, '');
    if (/^[+-]?(?:inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(s)) return NaN;
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/.test(s)) return Number(s);
    throw new ExprError(`could not convert string to float: ${pyRepr(v)}`);
  }
  throw new ExprError(`float() argument must be a string or a real number, not '${typeName(v)}'`);
}

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return (a % b !== 0n && a < 0n !== b < 0n) ? q - 1n : q;
};

function arith(op: string, a: V, b: V): V {
  a = unbool(a);
  b = unbool(b);
  const bad = () => new ExprError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (op === '+' && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (op === '*' && ((typeof a === 'string' && typeof b === 'bigint') || (typeof a === 'bigint' && typeof b === 'string'))) {
    const [s, n] = typeof a === 'string' ? [a, b as bigint] : [b as string, a as bigint];
    if (n > 0n && BigInt(s.length) * n > BigInt(MAX_STR)) throw new ExprError('result too large');
    return n > 0n ? s.repeat(Number(n)) : '';
  }
  if (!isNum(a) || !isNum(b)) throw bad();
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if ((op === '//' || op === '%') && b === 0n) throw new ExprError(op === '%' ? 'integer modulo by zero' : 'integer division or modulo by zero');
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '//':
        return floorDiv(a, b);
      case '%':
        return a - b * floorDiv(a, b);
      case '**': {
        if (b < 0n) return Math.pow(Number(a), Number(b));
        const bits = BigInt(a < 0n ? -a : a).toString(2).length;
        if (BigInt(bits) * b > BigInt(MAX_BITS)) throw new ExprError('result too large');
        return a ** b;
      }
    }
  }
  const x = Number(a);
  const y = Number(b);
  if ((op === '/' || op === '//' || op === '%') && y === 0) throw new ExprError(op === '/' ? 'division by zero' : 'float floor division by zero');
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
    case '//':
      return Math.floor(x / y);
    case '%':
      return x - y * Math.floor(x / y);
    default:
      return Math.pow(x, y);
  }
}

const str = (v: V, what: string): string => {
  if (typeof v !== 'string') throw new ExprError(`${what} must be str, not ${typeName(v)}`);
  return v;
};

function method(obj: V, m: string, a: V[]): V {
  if (m === 'join') {
    const sep = str(obj, 'join() separator');
    if (!Array.isArray(a[0])) throw new ExprError('can only join a list');
    return a[0].map((e) => str(e, 'sequence item')).join(sep);
  }
  const s = str(obj, `descriptor '${m}' argument`);
  const chars = a[0] !== undefined && m !== 'zfill' && m !== 'replace' ? str(a[0], `${m} arg`) : undefined;
  const strip = (re: 'l' | 'r' | 'b'): string => {
    const set = chars ?? ' \t\n\r\f\v';
    let lo = 0;
    let hi = s.length;
    if (re !== 'r') while (lo < hi && set.includes(s[lo]!)) lo++;
    if (re !== 'l') while (hi > lo && set.includes(s[hi - 1]!)) hi--;
    return s.slice(lo, hi);
  };
  switch (m) {
    case 'upper':
      return s.toUpperCase();
    case 'lower':
      return s.toLowerCase();
    case 'strip':
      return strip('b');
    case 'lstrip':
      return strip('l');
    case 'rstrip':
      return strip('r');
    case 'replace':
      return s.split(str(a[0] ?? '', 'replace arg')).join(str(a[1] ?? '', 'replace arg'));
    case 'zfill': {
      const w = Number(toInt(a[0] ?? 0n));
      if (w > MAX_STR) throw new ExprError('result too large');
      const sign = /^[+-]/.test(s) ? s[0]! : '';
      return sign + s.slice(sign.length).padStart(w - sign.length, '0');
    }
    default: {
      // split(sep=None, maxsplit=-1)
      const max = a[1] !== undefined ? Number(toInt(a[1])) : -1;
      if (chars === undefined) {
        const parts = s.trim().split(/\s+/).filter((x) => x !== '');
        return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), s.trim().split(/\s+/).slice(max).join(' ')];
      }
      if (chars === '') throw new ExprError('empty separator');
      const parts = s.split(chars);
      return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(chars)];
    }
  }
}

function call(f: string, a: V[]): V {
  const one = (): V => {
    if (a.length !== 1) throw new ExprError(`${f}() takes exactly one argument (${a.length} given)`);
    return a[0]!;
  };
  switch (f) {
    case 'int':
      return toInt(one());
    case 'float':
      return toFloat(one());
    case 'str':
      return pyStr(one());
    case 'len': {
      const v = one();
      if (typeof v === 'string' || Array.isArray(v)) return BigInt(v.length);
      throw new ExprError(`object of type '${typeName(v)}' has no len()`);
    }
    case 'abs': {
      const v = one();
      if (typeof v === 'bigint') return v < 0n ? -v : v;
      if (typeof v === 'number') return Math.abs(v);
      throw new ExprError(`bad operand type for abs(): '${typeName(v)}'`);
    }
    case 'round': {
      const v = one();
      if (!isNum(v)) throw new ExprError(`type ${typeName(v)} doesn't define __round__ method`);
      if (typeof v === 'bigint') return v;
      // Python rounds halves to even
      const r = Math.round(v);
      return BigInt(Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r);
    }
    default: {
      const xs = a.length === 1 && Array.isArray(a[0]) ? a[0] : a;
      if (xs.length === 0) throw new ExprError(`${f}() arg is an empty sequence`);
      return xs.reduce((m, v) => {
        if (isNum(m) !== isNum(v) || (!isNum(m) && typeof m !== typeof v)) throw new ExprError(`'${f === 'min' ? '<' : '>'}' not supported between instances of '${typeName(v)}' and '${typeName(m)}'`);
        return (f === 'min' ? v < m : v > m) ? v : m;
      });
    }
  }
}

function evaluate(n: Node, x: string): V {
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'x':
      return x;
    case 'neg': {
      const v = unbool(evaluate(n.a, x));
      if (!isNum(v)) throw new ExprError(`bad operand type for unary -: '${typeName(v)}'`);
      return -v;
    }
    case 'bin':
      return arith(n.op, evaluate(n.a, x), evaluate(n.b, x));
    case 'cmp': {
      // a < b < c is a < b and b < c, each operand evaluated once
      let a = evaluate(n.first, x);
      for (const { op, b } of n.rest) {
        const bv = evaluate(b, x);
        if (!compare(op, a, bv)) return false;
        a = bv;
      }
      return true;
    }
    case 'not':
      return !truthy(evaluate(n.a, x));
    case 'bool': {
      const a = evaluate(n.a, x);
      return truthy(a) === (n.op === 'or') ? a : evaluate(n.b, x);
    }
    case 'cond':
      return truthy(evaluate(n.c, x)) ? evaluate(n.a, x) : evaluate(n.b, x);
    case 'call':
      return call(n.f, n.args.map((a) => evaluate(a, x)));
    case 'method':
      return method(evaluate(n.obj, x), n.m, n.args.map((a) => evaluate(a, x)));
    case 'index': {
      const o = evaluate(n.obj, x);
      if (typeof o !== 'string' && !Array.isArray(o)) throw new ExprError(`'${typeName(o)}' object is not subscriptable`);
      const i = Number(toInt(evaluate(n.i, x)));
      const v = o[i < 0 ? o.length + i : i];
      if (v === undefined) throw new ExprError(`${typeof o === 'string' ? 'string' : 'list'} index out of range`);
      return v;
    }
    case 'slice': {
      const o = evaluate(n.obj, x);
      if (typeof o !== 'string' && !Array.isArray(o)) throw new ExprError(`'${typeName(o)}' object is not subscriptable`);
      const lo = n.lo ? Number(toInt(evaluate(n.lo, x))) : undefined;
      const hi = n.hi ? Number(toInt(evaluate(n.hi, x))) : undefined;
      return o.slice(lo, hi);
    }
  }
}

/** a compiled --define method: the input in, a value for the format out */
export type DefinedMethod = (x: string) => string | number | PyFloat;

export function compileMethod(code: string): DefinedMethod {
  const node = parseExpr(code);
  return (x) => {
    const v = evaluate(node, x);
    if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    if (typeof v === 'number') return new PyFloat(v);
    return typeof v === 'string' ? v : pyStr(v);
  };
}
