/**
 * The payload of `flux event pub` and how `flux event sub` prints one. An event
 * payload is a JSON object (RFC 3); with --raw it is the text as given, carried
 * as a JSON string, which sub prints as is (unprintable characters as `.`, as
 * Flux prints a raw payload). Kept apart from the commands so both agree.
 */

/** The payload of `pub TOPIC WORDS...`: undefined for none, else the value or a one-line error. */
export function parsePayload(words: readonly string[], raw: boolean): { value: unknown } | { error: string } {
  if (words.length === 0) return { value: undefined };
  const text = words.join(' ');
  if (raw) return { value: text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'payload is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'payload must be a JSON object' };
  return { value };
}

/** What sub prints after the topic and its tab: nothing for no payload. */
export function payloadText(payload: unknown): string {
  if (payload === undefined || payload === null) return '';
  if (typeof payload === 'string') return payload.replace(/[^\x20-\x7e]/g, '.');
  return JSON.stringify(payload);
}
