/**
 * RFC 46 job shapes: a jobspec's resources list (RFC 14) written on one
 * command line, `slot=4/node`, `node=2{x}/slot=2/[core=4;gpu]`. Grammar:
 *
 *   list   : '[' vertex (';' vertex)* ']' | vertex
 *   vertex : 'slot' ('=' count)? ('{' label (',' item)* '}')? '/' list
 *          | type ('=' count)? ('{' (item (',' item)*)? '}')? ('/' list)?
 *   count  : '[' value ']' | value          (an integer, an RFC 22 idset, an RFC 45 range)
 *   item   : key ':' VALUE | ('+'|'-')? key (a boolean; `x` is exclusive)
 *
 * A count other than a plain integer (`4,9,16`, `3-30`, `2+`) is kept as its
 * string; a slot without a label is `task` (only when it is the only slot);
 * a value is JSON where it parses as JSON, a table in the shape's own
 * `{key:value}` syntax, and a string otherwise (quotes for special
 * characters). Errors say where (ShapeError, one line).
 */

export class ShapeError extends Error {}

export type ShapeVertex = { type: string; count: number | string; label?: string; with?: ShapeVertex[] } & Record<string, unknown>;

/** the longest shape taken: a command line's worth */
const MAX_SHAPE = 64 * 1024;
/** nesting of lists and tables */
const MAX_DEPTH = 64;

const COUNT = /^(?:[1-9]\d*(?:-[1-9]\d*)?(?:,[1-9]\d*(?:-[1-9]\d*)?)*|[1-9]\d*\+(?::[1-9]\d*(?::[+*^])?)?|[1-9]\d*-[1-9]\d*:[1-9]\d*(?::[+*^])?)$/;

class Parser {
  private pos = 0;
  private slots = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  parse(): ShapeVertex[] {
    this.skip();
    if (this.pos >= this.s.length) throw new ShapeError('empty shape');
    const list = this.list();
    this.skip();
    if (this.pos < this.s.length) throw this.error(`unexpected '${this.s[this.pos]}'`);
    return list;
  }

  private error(what: string): ShapeError {
    return new ShapeError(`${what} at position ${this.pos} of '${this.s}'`);
  }

  private skip(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  private peek(): string | undefined {
    this.skip();
    return this.s[this.pos];
  }

  private expect(c: string): void {
    if (this.peek() !== c) throw this.error(this.pos >= this.s.length ? `expected '${c}' before the end` : `expected '${c}', found '${this.s[this.pos]}'`);
    this.pos++;
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw this.error(`nested deeper than ${MAX_DEPTH} levels`);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private list(): ShapeVertex[] {
    return this.nested(() => {
      if (this.peek() !== '[') return [this.vertex()];
      this.pos++;
      const out = [this.vertex()];
      while (this.peek() === ';') {
        this.pos++;
        out.push(this.vertex());
      }
      this.expect(']');
      return out;
    });
  }

  /** a word: quoted, or up to a character the grammar uses */
  private word(stop: RegExp, what: string): string {
    this.skip();
    const q = this.s[this.pos];
    if (q === '"' || q === "'") {
      const end = this.s.indexOf(q, this.pos + 1);
      if (end < 0) throw this.error(`unclosed quote ${q}`);
      const w = this.s.slice(this.pos + 1, end);
      this.pos = end + 1;
      return w;
    }
    const start = this.pos;
    while (this.pos < this.s.length && !stop.test(this.s[this.pos]!)) this.pos++;
    const w = this.s.slice(start, this.pos).trim();
    if (w === '') throw this.error(this.pos >= this.s.length ? `expected ${what} before the end` : `expected ${what}, found '${this.s[this.pos]}'`);
    return w;
  }

  private vertex(): ShapeVertex {
    const type = this.word(/[={}[\]/;,]/, 'a resource type');
    const v: ShapeVertex = { type, count: 1 };
    if (this.peek() === '=') {
      this.pos++;
      v.count = this.count();
    }
    const isSlot = type.toLowerCase() === 'slot';
    if (isSlot) {
      v.type = 'slot';
      this.slots++;
    }
    if (this.peek() === '{') {
      this.pos++;
      if (isSlot) {
        v.label = this.word(/[,}]/, 'the slot\'s label');
        if (this.peek() === ',') {
          this.pos++;
          Object.assign(v, this.items('}'));
        }
        this.expect('}');
      } else {
        Object.assign(v, this.items('}'));
        this.expect('}');
      }
    }
    if (this.peek() === '/') {
      this.pos++;
      v.with = this.list();
    } else if (isSlot) {
      throw this.error('a slot must have resources below it (slot/...)');
    }
    if (isSlot && v.label === undefined) {
      if (this.slots > 1) throw this.error('several slots each need a label (slot{NAME})');
      v.label = 'task';
    }
    // the keys in RFC 14's order: type, count, label, with after the others
    const { type: t, count: c, label, with: w, ...rest } = v;
    return { type: t, count: c, ...(label !== undefined ? { label } : {}), ...rest, ...(w !== undefined ? { with: w } : {}) };
  }

  private count(): number | string {
    this.skip();
    const bracket = this.s[this.pos] === '[';
    if (bracket) this.pos++;
    const text = this.word(bracket ? /[\]]/ : /[{}[\]/;]/, 'a count');
    if (bracket) this.expect(']');
    if (!COUNT.test(text)) throw this.error(`'${text}' is not a count (a positive integer, an idset such as 4,9,16, or a range such as 3-30 or 2+)`);
    return /^\d+$/.test(text) ? Number(text) : text;
  }

  /** key:value and boolean items up to `close` */
  private items(close: string): Record<string, unknown> {
    return this.nested(() => {
      const out: Record<string, unknown> = {};
      if (this.peek() === close) return out;
      for (;;) {
        this.skip();
        let flag: boolean | undefined;
        if (this.s[this.pos] === '+' || this.s[this.pos] === '-') {
          flag = this.s[this.pos] === '+';
          this.pos++;
        }
        let key = this.word(/[:,{}]/, 'a key');
        if (key === 'x') key = 'exclusive';
        if (this.peek() === ':' && flag === undefined) {
          this.pos++;
          out[key] = this.value(close);
        } else {
          out[key] = flag ?? true;
        }
        if (this.peek() !== ',') return out;
        this.pos++;
      }
    });
  }

  private value(close: string): unknown {
    this.skip();
    const c = this.s[this.pos];
    if (c === '{') {
      this.pos++;
      const t = this.items('}');
      this.expect('}');
      return t;
    }
    if (c === '[') {
      // a JSON array, to its matching bracket
      let level = 0;
      const start = this.pos;
      for (; this.pos < this.s.length; this.pos++) {
        if (this.s[this.pos] === '[') level++;
        else if (this.s[this.pos] === ']' && --level === 0) break;
      }
      if (level !== 0) throw this.error('unclosed [');
      this.pos++;
      const text = this.s.slice(start, this.pos);
      try {
        return JSON.parse(text.replace(/'/g, '"')) as unknown;
      } catch {
        throw this.error(`${text} is not a JSON array`);
      }
    }
    if (c === '"' || c === "'") return this.word(/$^/, 'a value');
    const text = this.word(new RegExp(`[,${close === '}' ? '}' : ''}{]`), 'a value');
    if (/^(true|false|null)$/i.test(text)) return JSON.parse(text.toLowerCase()) as unknown;
    if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
    return text;
  }
}

/** An RFC 46 shape as an RFC 14 resources list; ShapeError (one line) when it is not one. */
export function parseShape(shape: string): ShapeVertex[] {
  if (shape.length > MAX_SHAPE) throw new ShapeError(`a shape of more than ${MAX_SHAPE} characters`);
  return new Parser(shape).parse();
}
