/**
 * Service protocols (ADR 0014): a protocol file (`modules/<name>/protocol.avsc`,
 * `kernel/protocol.avsc` for the broker's own services) is an Avro protocol
 * document: `{protocol, types?, messages: {method: {request: [fields],
 * response: type, stream?}}}`. compileProtocol() turns it into avsc types, and
 * checkRequest() is what the module host runs on every request before its
 * handler: the payload is valid, or the answer is one line naming the field.
 *
 * JSON payloads map onto Avro so (docs/guide/writing-a-module.md):
 * - optional field: a union with null and `"default": null` (or any field
 *   with a default): it may be absent;
 * - free-form JSON (a value of the kvs, jobspec, R, annotations): the logical
 *   type `{"type": "string", "logicalType": "json"}` (any JSON value) or
 *   `"json-object"` (a JSON object), encoded as its JSON text when Avro
 *   encodes it;
 * - a job id: `{"type": "double", "logicalType": "jobid"}` (a non-negative
 *   integer that may exceed 2^53, which avsc's long refuses);
 * - maps with string keys: Avro maps; fields the schema does not name are
 *   ignored (lenient, as Flux's services are).
 */
import type * as avro from 'avsc';

// Only avsc's type system (as kernel/message/codec.ts): the index loads much more.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Type, builtins: types } = require('avsc/lib/types') as { Type: typeof avro.Type; builtins: typeof avro.types };

/** A protocol document as written in a protocol file. */
export interface ProtocolDoc {
  readonly protocol: string;
  readonly doc?: string;
  readonly namespace?: string;
  readonly types?: readonly unknown[];
  readonly messages: Readonly<Record<string, MessageDoc>>;
  /** the events its service publishes: whole topics (ADR 0019) */
  readonly events?: Readonly<Record<string, EventDoc>>;
}

export interface EventDoc {
  readonly doc?: string;
  /** the payload's fields (a record) */
  readonly payload: readonly unknown[];
}

export interface MessageDoc {
  readonly doc?: string;
  /** the request's fields (a record) */
  readonly request: readonly unknown[];
  /** the response's type (each response, for a streaming method) */
  readonly response: unknown;
  /** answered by a stream of responses */
  readonly stream?: boolean;
}

export interface CompiledMethod {
  readonly name: string;
  readonly request: avro.Type;
  readonly response: avro.Type;
  readonly stream: boolean;
}

export interface Protocol {
  readonly name: string;
  readonly methods: ReadonlyMap<string, CompiledMethod>;
  /** each declared event's payload type, by topic (all of them compiled) */
  readonly events: ReadonlyMap<string, avro.Type>;
  /** the declared events' topics, nothing compiled */
  readonly eventTopics: readonly string[];
  /** one declared event's payload type, compiled on its first use; undefined for a topic not declared here */
  event(topic: string): avro.Type | undefined;
  /** the named types of `types`, by name (a control payload's, say) */
  readonly types: ReadonlyMap<string, avro.Type>;
}

/** The hook signature avsc's _check passes internally (not the public (path, any, type) one). */
type CheckHook = (any: unknown, type: avro.Type) => void;

/**
 * Any JSON value. N.B. validation overrides avsc's _check (5.7) so that a large
 * value is not turned into text only to be checked: a parsed payload is JSON.
 */
class JsonType extends types.LogicalType {
  protected override _fromValue(v: string): unknown {
    return JSON.parse(v);
  }
  protected override _toValue(v: unknown): string | undefined {
    return v === undefined ? undefined : JSON.stringify(v);
  }
  protected accepts(v: unknown): boolean {
    return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol' && typeof v !== 'bigint';
  }
  _check(v: unknown, _flags: unknown, hook?: CheckHook): boolean {
    if (this.accepts(v)) return true;
    hook?.(v, this as unknown as avro.Type);
    return false;
  }
}

/** A JSON object (not null, not an array). */
class JsonObjectType extends JsonType {
  protected override accepts(v: unknown): boolean {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

/**
 * A job id (RFC 19 FLUID) as JSON carries it: a non-negative integer number,
 * which exceeds 2^53 (Avro's long in avsc refuses unsafe integers) after about
 * six days of instance uptime. Its underlying type is a double.
 */
class JobIdType extends types.LogicalType {
  protected override _fromValue(v: number): number {
    return v;
  }
  protected override _toValue(v: unknown): number | undefined {
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
  }
}

const logicalTypes = { json: JsonType, 'json-object': JsonObjectType, jobid: JobIdType } as unknown as Record<string, new (schema: avro.Schema, opts?: unknown) => avro.types.LogicalType>;

/** `eventlog-append` -> `EventlogAppend`, `attr.get` -> `AttrGet` (Avro record names). */
export function pascal(method: string): string {
  return method
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/**
 * Compiled protocols by file: brokers sharing a process (flux start
 * --test-in-process) load the same modules many times, and a compiled
 * protocol is never changed once made. A file whose text changed is compiled
 * again. Bounded: the oldest goes first.
 */
const compiled = new Map<string, { text: string; protocol: Protocol }>();
const COMPILED_MAX = 128;

/** Compile the protocol in `text`, read from `file` (once per file and text); throws as compileProtocol does, or SyntaxError. */
export function compileProtocolFile(file: string, text: string, opts: { lazy?: boolean } = {}): Protocol {
  const have = compiled.get(file);
  if (have && have.text === text) return have.protocol;
  const protocol = compileProtocol(JSON.parse(text) as ProtocolDoc, opts);
  if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
  compiled.set(file, { text, protocol });
  return protocol;
}

/** compiled documents (a module's manifest holds its own, one object however often it is loaded) */
const compiledDocs = new WeakMap<ProtocolDoc, Protocol>();

/**
 * Compile a protocol document (once per document object); throws an Error
 * naming the method whose schema is wrong. `lazy`: each method's types (and
 * the events, and the named types) are compiled on first use instead, and
 * only the document's shape is checked now: the tree's own protocols, whose
 * every schema a unit test compiles. A broker answers few of its methods, and
 * avsc generates several functions per record type: compiling all of them was
 * a fifth of a broker's start-up CPU, paid by each of the 64 brokers of a
 * `--test-size=64` instance.
 */
export function compileProtocol(doc: ProtocolDoc, opts: { lazy?: boolean } = {}): Protocol {
  let p = doc !== null && typeof doc === 'object' ? compiledDocs.get(doc) : undefined;
  if (!p) {
    p = compileDoc(doc);
    compiledDocs.set(doc, p);
  }
  if (!opts.lazy) {
    // every schema now: an error is the loader's, not a first request's
    for (const m of p.methods.values()) void [m.request, m.response];
    void [p.events, p.types];
  }
  return p;
}

function compileDoc(doc: ProtocolDoc): Protocol {
  const p = compileDocLazily(doc);
  /** the whole document compiled in order, once: for a method that names a type another method defines inline */
  let whole: Protocol | undefined;
  const all = (): Protocol => {
    if (whole === undefined) {
      const w = compileDocLazily(doc);
      for (const m of w.methods.values()) void [m.request, m.response];
      whole = w;
    }
    return whole;
  };
  const orAll = <T>(lazy: () => T, eager: (w: Protocol) => T): T => {
    try {
      return lazy();
    } catch (e) {
      if (!/undefined type name/.test((e as Error).message)) throw e;
      return eager(all());
    }
  };
  const methods = new Map<string, CompiledMethod>();
  // each answer kept: a lazy attempt that failed is not made again (its record name is taken)
  for (const [name, m] of p.methods) {
    let request: avro.Type | undefined;
    let response: avro.Type | undefined;
    methods.set(name, {
      name,
      stream: m.stream,
      get request() {
        return (request ??= orAll(() => m.request, (w) => w.methods.get(name)!.request));
      },
      get response() {
        return (response ??= orAll(() => m.response, (w) => w.methods.get(name)!.response));
      },
    });
  }
  let events: ReadonlyMap<string, avro.Type> | undefined;
  let types: ReadonlyMap<string, avro.Type> | undefined;
  const eventTypes = new Map<string, avro.Type | undefined>();
  return {
    name: p.name,
    methods,
    get events() {
      return (events ??= orAll(() => p.events, (w) => w.events));
    },
    eventTopics: p.eventTopics,
    event(topic) {
      if (events !== undefined) return events.get(topic);
      if (!eventTypes.has(topic)) eventTypes.set(topic, orAll(() => p.event(topic), (w) => w.event(topic)));
      return eventTypes.get(topic);
    },
    get types() {
      return (types ??= orAll(() => p.types, (w) => w.types));
    },
  };
}

function compileDocLazily(doc: ProtocolDoc): Protocol {
  if (typeof doc?.protocol !== 'string' || typeof doc.messages !== 'object' || doc.messages === null) {
    throw new Error('a protocol needs "protocol" (its name) and "messages"');
  }
  const registry: Record<string, avro.Type> = {};
  const opts = { registry, logicalTypes, namespace: doc.namespace } as unknown as avro.ForSchemaOptions;
  let types: Map<string, avro.Type> | undefined;
  /** the named types first: the methods' and events' schemas name them */
  const named = (): Map<string, avro.Type> => {
    if (types === undefined) {
      const made = new Map<string, avro.Type>();
      for (const t of doc.types ?? []) {
        const c = Type.forSchema(t as avro.Schema, opts);
        if (c.name !== undefined) made.set(c.name.slice(c.name.lastIndexOf('.') + 1), c);
      }
      types = made;
    }
    return types;
  };
  const methods = new Map<string, CompiledMethod>();
  for (const [name, m] of Object.entries(doc.messages)) {
    if (!Array.isArray(m.request)) throw new Error(`${doc.protocol}.${name}: request must be a list of fields`);
    const compile = (schema: unknown): avro.Type => {
      try {
        named();
        return Type.forSchema(schema as avro.Schema, opts);
      } catch (e) {
        throw new Error(`${doc.protocol}.${name}: ${(e as Error).message}`, { cause: e });
      }
    };
    let request: avro.Type | undefined;
    let response: avro.Type | undefined;
    methods.set(name, {
      name,
      stream: m.stream === true,
      get request() {
        return (request ??= compile({ type: 'record', name: `${pascal(name)}Request`, fields: m.request }));
      },
      get response() {
        return (response ??= compile(m.response));
      },
    });
  }
  const eventDocs = doc.events ?? {};
  const eventTopics = Object.keys(eventDocs);
  /** each event compiled once (a record name can be registered once) */
  const eventTypes = new Map<string, avro.Type>();
  const compileEvent = (topic: string): avro.Type | undefined => {
    if (!Object.hasOwn(eventDocs, topic)) return undefined;
    let t = eventTypes.get(topic);
    if (t !== undefined) return t;
    const e = eventDocs[topic]!;
    try {
      if (!Array.isArray(e.payload)) throw new Error('payload must be a list of fields');
      named();
      t = Type.forSchema({ type: 'record', name: `${pascal(topic)}Event`, fields: e.payload } as avro.Schema, opts);
    } catch (err) {
      throw new Error(`${doc.protocol}: event ${topic}: ${(err as Error).message}`, { cause: err });
    }
    eventTypes.set(topic, t);
    return t;
  };
  let events: Map<string, avro.Type> | undefined;
  return {
    name: doc.protocol,
    methods,
    get events() {
      return (events ??= new Map(eventTopics.map((topic) => [topic, compileEvent(topic)!])));
    },
    eventTopics,
    event: compileEvent,
    get types() {
      return named();
    },
  };
}

/** What a schema expects, in words: `string`, `null or string`, `object`, `one of a, b`. */
export function expected(t: avro.Type): string {
  const tt = t as avro.Type & { types?: avro.Type[]; symbols?: string[]; typeName: string };
  if (t instanceof JsonObjectType) return 'object';
  if (t instanceof JsonType) return 'JSON value';
  if (t instanceof JobIdType) return 'job id';
  switch (tt.typeName) {
    case 'record':
    case 'map':
      return 'object';
    case 'enum':
      return `one of ${(tt.symbols ?? []).join(', ')}`;
    case 'union:unwrapped':
    case 'union:wrapped':
      return (tt.types ?? []).map(expected).join(' or ');
    case 'int':
    case 'long':
      return 'integer';
    case 'float':
    case 'double':
      return 'number';
    default:
      return tt.typeName;
  }
}

/** A value as a message shows it: JSON, cut at 40 characters; `nothing` when absent. */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * Check a value against a type: undefined when valid, else the first offending
 * field as `key: expected string, got 5` (`payload: ...` for the value itself).
 */
/** Whether `v` fits `t`: where a checked value takes the type generated from its schema. */
export function fits<T>(t: avro.Type, v: unknown): v is T {
  return t.isValid(v);
}

export function why(t: avro.Type, v: unknown): string | undefined {
  let first: string | undefined;
  const ok = t.isValid(v, {
    errorHook: (path: string[], any: unknown, type: avro.Type) => {
      if (first === undefined) first = `${path.length > 0 ? path.join('.') : 'payload'}: expected ${expected(type)}, got ${shown(any)}`;
    },
  });
  return ok ? undefined : (first ?? 'payload: does not match its schema');
}

/**
 * The request check the host runs: an absent payload is the empty object (a
 * request without a payload is valid when every field is optional).
 */
export function checkRequest(m: CompiledMethod, payload: unknown): { ok: true; value: unknown } | { ok: false; why: string } {
  const value = payload ?? {};
  const w = why(m.request, value);
  return w === undefined ? { ok: true, value } : { ok: false, why: w };
}
