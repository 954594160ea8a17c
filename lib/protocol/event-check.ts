/**
 * Event contracts (ADR 0019). A protocol file declares the events its service
 * publishes (`events: {topic: {payload: [fields]}}`); scripts/gen-protocol-types.js
 * gathers them into lib/protocol/events.ts. Here:
 * - the types publish() and subscribe() take (kernel/api/handle.ts): a declared
 *   topic has its payload type, any other topic an unknown payload;
 * - checkEvent(), which a broker's handle runs on each event it delivers to its
 *   subscribers (kernel/router/local-handle.ts): a malformed event is dropped
 *   and never reaches a subscriber.
 */
import type * as avro from 'avsc';
import { compileProtocol, why } from './avro';
import { eventProtocols, type Events } from './events';

/** A declared event's topic. */
export type EventTopic = keyof Events & string;

/** The payload a subscriber of `T` receives: its declared type, or unknown for an undeclared topic (or a prefix). */
export type EventPayload<T extends string> = T extends EventTopic ? Events[T] : unknown;

/** What publish() takes after the topic: the declared payload, required; anything (or nothing) for another topic. */
export type PublishArgs<T extends string> = T extends EventTopic ? [payload: Events[T]] : [payload?: unknown];

/** every declared event's payload type, compiled on first use */
let schemas: ReadonlyMap<string, avro.Type> | undefined;

function eventSchemas(): ReadonlyMap<string, avro.Type> {
  if (schemas === undefined) {
    const all = new Map<string, avro.Type>();
    for (const doc of eventProtocols) for (const [topic, t] of compileProtocol(doc).events) all.set(topic, t);
    schemas = all;
  }
  return schemas;
}

/** Whether `topic` is a declared event. */
export function isDeclaredEvent(topic: string): boolean {
  return eventSchemas().has(topic);
}

export type EventCheck = { ok: true } | { ok: false; why: string };

const OK: EventCheck = { ok: true };
const PASS = { ok: true, first: true } as const;

/**
 * An event's payload against its topic's schema (an undeclared topic passes):
 * on failure, the first offending field (`down: expected string, got 5`). An
 * absent payload is the empty object, as for a request.
 */
export function checkEvent(topic: string, payload: unknown): EventCheck {
  const t = eventSchemas().get(topic);
  if (t === undefined) return OK;
  const w = why(t, payload ?? {});
  return w === undefined ? OK : { ok: false, why: w };
}

/** Results by event message: a broker hands one message object to each of its subscribers, checked once. */
const checked = new WeakMap<object, EventCheck>();

/**
 * checkEvent() once per event message (`first` is true for the first caller
 * only, who logs a malformed one: one line per event per broker).
 */
export function checkEventOnce(msg: { readonly topic: string; readonly payload?: unknown }): EventCheck & { first: boolean } {
  if (!eventSchemas().has(msg.topic)) return PASS;
  const have = checked.get(msg);
  if (have !== undefined) return { ...have, first: false };
  const c = checkEvent(msg.topic, msg.payload);
  checked.set(msg, c);
  return { ...c, first: true };
}
