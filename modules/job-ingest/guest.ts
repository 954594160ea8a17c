/**
 * A guest's job that could not run is refused at submission, in one line (as
 * Flux's job-ingest does), rather than accepted to fail at exec
 * (flux-config-access(5), flux-imp(8)):
 *
 * - FLUX_JOB_NOVALIDATE (flag 8) is the owner's alone;
 * - a guest's jobspec must be signed (J): Flux calls an unsigned one
 *   sign-type=none, which only the owner may use;
 * - it runs as its submitter only through the IMP, `[exec] imp`
 *   (flux-config-exec(5)); job-exec refuses it without one.
 */

const NOVALIDATE = 8;

/** the reason a client's unsigned guest job is refused: the client adds why it is not signed (cli/api/sign.ts) */
export const UNSIGNED = 'only instance owner can use sign-type=none';

/** why the job of `userid` (not the owner) is refused, or undefined when it may be submitted */
export function guestRefusal(userid: number, flags: number, signed: boolean, imp: string | undefined): string | undefined {
  if ((flags & NOVALIDATE) !== 0) return 'only the instance owner can submit with FLUX_JOB_NOVALIDATE';
  if (!signed) return `${UNSIGNED}: a guest's jobspec must be signed with MUNGE (flux-imp(8))`;
  if (imp === undefined) {
    return `this instance cannot run jobs of uid ${userid}, only its owner's: a guest's job runs through the IMP, which is not configured ([exec] imp, flux-config-exec(5))`;
  }
  return undefined;
}
