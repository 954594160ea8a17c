/**
 * Request checks shared by raise, raiseall, killall and urgency, with the
 * job-manager's own error strings (flux-core raise.c, kill.c, urgency.c).
 */
import { einval, eproto } from '../../kernel/api';

type Obj = Record<string, unknown>;

/** severity 0-7, default `def` when absent */
export function severityOf(p: Obj, def: number): number {
  const sev = p['severity'] ?? def;
  if (typeof sev !== 'number' || !Number.isInteger(sev) || sev < 0 || sev > 7) throw eproto('invalid exception severity');
  return sev;
}

/** a non-empty word without whitespace or '=', default 'cancel' when absent */
export function exceptionTypeOf(p: Obj): string {
  const type = p['type'] ?? 'cancel';
  if (typeof type !== 'string' || type.length === 0 || /[\s=]/.test(type)) throw eproto('invalid exception type');
  return type;
}

/** signal number 1-64 */
export function signumOf(p: Obj): number {
  const signum = p['signum'] ?? 15;
  if (typeof signum !== 'number' || !Number.isInteger(signum) || signum <= 0 || signum >= 65) throw einval('Invalid signal number');
  return signum;
}

/** urgency 0-31 (checked before the job is looked up, as Flux does) */
export function urgencyOf(p: Obj): number {
  const u = p['urgency'];
  if (typeof u !== 'number' || !Number.isInteger(u) || u < 0 || u > 31) throw einval('urgency value is out of range');
  return u;
}
