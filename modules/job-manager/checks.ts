/**
 * Request checks shared by raise, raiseall, killall and urgency, with the
 * job-manager's own error strings (flux-core raise.c, kill.c, urgency.c).
 */
import { einval, eproto } from '../../kernel/api';

/** severity 0-7, default `def` when absent (the schema checked it is an integer) */
export function severityOf(v: number | null | undefined, def: number): number {
  const sev = v ?? def;
  if (sev < 0 || sev > 7) throw eproto('invalid exception severity');
  return sev;
}

/** a non-empty word without whitespace or '=', default 'cancel' when absent */
export function exceptionTypeOf(v: string | null | undefined): string {
  const type = v ?? 'cancel';
  if (type.length === 0 || /[\s=]/.test(type)) throw eproto('invalid exception type');
  return type;
}

/** signal number 1-64 */
export function signumOf(v: number | null | undefined): number {
  const signum = v ?? 15;
  if (signum <= 0 || signum >= 65) throw einval('Invalid signal number');
  return signum;
}

/** urgency 0-31 (checked before the job is looked up, as Flux does) */
export function urgencyOf(u: number): number {
  if (u < 0 || u > 31) throw einval('urgency value is out of range');
  return u;
}
