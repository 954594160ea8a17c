/**
 * The copies of a bulk submission (`flux submit --cc` or `--bcc` with no
 * {cc} in its arguments) differ only in FLUX_JOB_CC. Their request is made
 * and encoded once, with a marker where the id goes; each copy's bytes are
 * that text with its id put in. Making and stringifying the jobspec (with its
 * whole environment) once a copy was most of what a bulk submission cost its
 * client.
 */
import { JsonBytes } from '../../kernel/message/codec';
import type { Submission } from './build';

/** The job-ingest.submit request of each copy, by its cc id, already encoded. */
export type CopyRequest = (id: number) => JsonBytes;

/**
 * `make(cc)` builds the submission whose FLUX_JOB_CC is cc (or that has none,
 * for --bcc). The marker is letters and digits only: JSON writes it as it is,
 * and an id (digits) put in its place keeps the text valid JSON.
 */
export function copyRequests(make: (cc: string) => Submission): CopyRequest {
  const mark = `FLUXCC${Math.random().toString(36).slice(2)}${Date.now().toString(36)}X`;
  const sub = make(mark);
  const text = JSON.stringify({ jobspec: sub.jobspec, urgency: sub.urgency, flags: sub.flags });
  const parts = text.split(mark);
  if (parts.length === 1) {
    // --bcc, or an --env rule that dropped FLUX_JOB_CC: every copy is the same
    const same = new JsonBytes(Buffer.from(text));
    return () => same;
  }
  if (parts.length === 2) {
    const pre = Buffer.from(parts[0]!);
    const post = Buffer.from(parts[1]!);
    return (id) => {
      const mid = Buffer.from(String(id));
      return new JsonBytes(Buffer.concat([pre, mid, post], pre.length + mid.length + post.length));
    };
  }
  // the id used more than once (--env=NAME=$FLUX_JOB_CC)
  return (id) => new JsonBytes(Buffer.from(parts.join(String(id))));
}
