/**
 * Option values of the `flux job` sub-commands read as flux-job reads them:
 * integers (optparse_get_int's message), `--states` and `--user`.
 */
import * as os from 'node:os';
import { CommandExit } from '../base-command';
import type { ParsedArgs } from '../options';
import { STATES } from './job-info';
import { JobState } from '../../lib/protocol/job-states';
import { passwdUid } from '../users';


/** optparse_get_int: the last value of an integer option, or `def`. */
export function optInt(sub: string, p: ParsedArgs, name: string, def: number): number {
  const s = p.str(name);
  if (s === undefined) return def;
  const n = Number(s.trim());
  if (!/^\s*[+-]?\d+$/.test(s) || n < -(2 ** 31) || n > 2 ** 31 - 1) {
    throw new CommandExit(1, `flux-job ${sub}: ${sub}: Option '${name}' requires an integer argument`);
  }
  return n;
}

/** parse_arg_states: every (comma separated) --states value as a state mask; undefined if not given. */
export function optStates(p: ParsedArgs, name: string): number | undefined {
  if (!p.has(name)) return undefined;
  let mask = 0;
  for (const s of p.values(name).flatMap((v) => v.split(',')).filter((v) => v.length > 0)) {
    const k = s.toLowerCase();
    const bit = k === 'new' ? 1 : STATES[k];
    if (bit === undefined) throw new CommandExit(1, `flux-job: error parsing --${name}: ${s} is unknown`);
    mask |= bit;
  }
  if (mask === 0) throw new CommandExit(1, 'flux-job: no states specified');
  return mask;
}

/** parse_arg_userid: `all` (-1), a user name or a uid; your uid when not given. */
export function optUser(p: ParsedArgs, name: string): number {
  const s = p.str(name);
  const me = os.userInfo();
  if (s === undefined) return me.uid;
  if (s === 'all') return -1;
  if (s === me.username) return me.uid;
  const pw = passwdUid(s);
  if (pw !== undefined) return pw;
  if (/^\d+$/.test(s) && Number(s) <= 0xffffffff) return Number(s);
  throw new CommandExit(1, `flux-job: unknown user ${s}`);
}

/** Is `state` (a job-manager state bit) one of the inactive ones? */
export const isInactiveMask = (mask: number): boolean => (mask & JobState.INACTIVE) !== 0;
