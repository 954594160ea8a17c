/**
 * Event contracts (ADR 0019). A protocol file declares the events its service
 * publishes (`events: {topic: {payload: [fields]}}`); scripts/gen-protocol-types.js
 * gathers them into lib/protocol/events.ts. Here:
 * - the types publish() and subscribe() take (kernel/api/handle.ts): a declared
 *   topic has its payload type, any other topic an unknown payload;
 * - checkEvent(), which a broker's handle runs on each event it delivers to its
 *   subscribers (kernel/router/local-handle.ts): a malformed event is dropped
 *   and never reaches a subscriber;
 * - declareEvents(), by which the module host adds the events a site module's
 *   protocol file declares while it is loaded.
 */
import type * as avro from 'avsc';
import { compileProtocol, why, type Protocol } from './avro';
import { eventProtocols, type Events } from './events';

/** A declared event's topic. */
export type EventTopic = keyof Events & string;

/** The payload a subscriber of `T` receives: its declared type, or unknown for an undeclared topic (or a prefix). */
export type EventPayload<T extends string> = T extends EventTopic ? Events[T] : unknown;

/** What publish() takes after the topic: the declared payload, required; anything (or nothing) for another topic. */
export type PublishArgs<T extends string> = T extends EventTopic ? [payload: Events[T]] : [payload?: unknown];

/**
 * every event the tree declares: the protocol that declares it, which
 * compiles its payload type on first use (a broker sees few of the tree's
 * events; compiling all of them at start was ~30 ms of each broker's CPU)
 */
let owners: ReadonlyMap<string, Protocol> | undefined;

function treeEvents(): ReadonlyMap<string, Protocol> {
  if (owners === undefined) {
    const all = new Map<string, Protocol>();
    for (const doc of eventProtocols) {
      const p = compileProtocol(doc, { lazy: true });
      for (const topic of p.eventTopics) all.set(topic, p);
    }
    owners = all;
  }
  return owners;
}

/** events that loaded site modules declare: their schema, its protocol, and how many loads declare it */
const site = new Map<string, { type: avro.Type; protocol: string; loads: number }>();

/** The schema of a declared event: the tree's, or a loaded site module's. */
function schemaOf(topic: string): avro.Type | undefined {
  return treeEvents().get(topic)?.event(topic) ?? site.get(topic)?.type;
}

/**
 * Declare the events of a loaded module's protocol; returns what withdraws
 * them (at unload). The tree's own protocols declare nothing new here. Throws
 * (nothing declared) when a topic is the tree's, or another loaded protocol's
 * (of another name) with another schema.
 */
export function declareEvents(p: Protocol): () => void {
  const tree = treeEvents();
  // a module of the tree: its events are the tree's already
  const mine = p.eventTopics.filter((topic) => tree.get(topic)?.name !== p.name).map((topic) => [topic, p.event(topic)!] as const);
  for (const [topic, t] of mine) {
    if (tree.has(topic)) throw new Error(`event ${topic} is declared by the tree (lib/protocol/events.ts)`);
    const have = site.get(topic);
    if (have && have.type !== t && have.protocol !== p.name) throw new Error(`event ${topic} is declared by protocol ${have.protocol} too`);
  }
  for (const [topic, type] of mine) {
    const have = site.get(topic);
    // the same protocol loaded again (a reload, another broker of this process): its newest schema applies
    if (have) site.set(topic, { type, protocol: p.name, loads: have.loads + 1 });
    else site.set(topic, { type, protocol: p.name, loads: 1 });
  }
  let withdrawn = false;
  return () => {
    if (withdrawn) return;
    withdrawn = true;
    for (const [topic] of mine) {
      const have = site.get(topic);
      if (have && --have.loads === 0) site.delete(topic);
    }
  };
}

/** Whether `topic` is a declared event. */
export function isDeclaredEvent(topic: string): boolean {
  return schemaOf(topic) !== undefined;
}

export type EventCheck = { ok: true } | { ok: false; why: string };

const OK: EventCheck = { ok: true };
const PASS = { ok: true, first: false } as const;

/**
 * An event's payload against its topic's schema (an undeclared topic passes):
 * on failure, the first offending field (`down: expected string, got 5`). An
 * absent payload is the empty object, as for a request.
 */
export function checkEvent(topic: string, payload: unknown): EventCheck {
  const t = schemaOf(topic);
  if (t === undefined) return OK;
  const v = payload ?? {};
  // the plain check first (no path kept): the field is looked for only in a malformed event
  if (t.isValid(v)) return OK;
  return { ok: false, why: why(t, v) ?? 'payload: does not match its schema' };
}

/**
 * Whether `payload` is what an event of `topic` carries: its declared schema,
 * anything for an undeclared topic (or a prefix). The handle has dropped a
 * malformed event already (checkEventOnce); this says so to the type system
 * where a subscriber is called.
 */
export function isEventPayload<T extends string>(topic: T, payload: unknown): payload is EventPayload<T> {
  const t = schemaOf(topic);
  return t === undefined || t.isValid(payload);
}

/** malformed event messages already reported: a broker hands one message object to each of its subscribers */
const reported = new WeakSet<object>();

/**
 * checkEvent() for an event message that a broker hands to each of its
 * subscribing handles: `first` is true for the first caller that finds it
 * malformed only, who logs it (one line per event per broker). A valid
 * event keeps no state (checking again costs about 0.1 µs).
 */
export function checkEventOnce(msg: { readonly topic: string; readonly payload?: unknown }): EventCheck & { first: boolean } {
  const c = checkEvent(msg.topic, msg.payload);
  if (c.ok) return PASS;
  if (reported.has(msg)) return { ...c, first: false };
  reported.add(msg);
  return { ...c, first: true };
}
