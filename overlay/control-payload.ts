/**
 * The payloads of the control messages peers trade on a link, checked against
 * their types in overlay/protocol.avsc before the overlay reads them (a
 * malformed one is refused with the offending field, never read as if it fit).
 */
import { compileProtocol, fits, why } from '../lib/protocol/avro';
import { overlayProtocol, type OverlayHelloAnswer, type OverlayStateControl, type OverlayStatusControl } from '../lib/protocol/overlay';

/** control payload type name (as in overlay/protocol.avsc) -> its TypeScript type */
export interface ControlPayloads {
  OverlayHelloAnswer: OverlayHelloAnswer;
  OverlayStateControl: OverlayStateControl;
  OverlayStatusControl: OverlayStatusControl;
}

/** `payload` as control type `name`, or `{why}` naming the field that does not fit. */
export function controlPayload<K extends keyof ControlPayloads>(name: K, payload: unknown): { ok: true; value: ControlPayloads[K] } | { ok: false; why: string } {
  const t = compileProtocol(overlayProtocol, { lazy: true }).types.get(name);
  if (t === undefined) throw new Error(`overlay/protocol.avsc declares no type ${name}`);
  const v = payload ?? {};
  if (fits<ControlPayloads[K]>(t, v)) return { ok: true, value: v };
  return { ok: false, why: why(t, v) ?? 'payload: does not match its schema' };
}
