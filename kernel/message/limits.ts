/**
 * Limits on what a message may carry, checked where bytes enter the broker
 * (docs/man7/flux-broker-attributes.md, LIMITS). They are fixed rather than
 * configurable because the broker's own safety rests on them: a payload nested
 * deeper than JSON.stringify can recurse (about 4000 levels on Node 20) would
 * throw wherever it is re-encoded, so clients get a limit well below that and
 * the broker keeps the rest as headroom for the envelopes it wraps values in.
 */

/** Largest frame body accepted on a stream socket (bytes). */
export const MAX_FRAME = 16 * 1024 * 1024;

/** Deepest nesting of arrays and objects a client's payload may have. */
export const CLIENT_PAYLOAD_DEPTH = 512;

/**
 * Frames larger than this draw on the connector's shared in-flight budget
 * before their body is read; smaller ones (every ordinary command) never wait.
 */
export const SMALL_FRAME = 64 * 1024;
