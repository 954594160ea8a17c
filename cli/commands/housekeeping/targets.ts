/** TARGETS of flux housekeeping: an idset of ranks, or hostnames of the instance's hostlist. */
import { hostlist, idset } from '../../../kernel/api';

/** the ranks an idset names, or undefined when it is not one */
export function ranksOfIdset(s: string): number[] | undefined {
  try {
    return idset.decode(s);
  } catch {
    return undefined;
  }
}

/**
 * The ranks of hosts (hostlist form) in the instance's hostlist; a host not in
 * it is skipped (strict: an error naming it).
 */
export function ranksOfHosts(hosts: string, instance: string, strict: boolean): number[] {
  const all = hostlist.expand(instance);
  const out: number[] = [];
  for (const host of hostlist.expand(hosts)) {
    let found = false;
    all.forEach((h, i) => {
      if (h === host) {
        out.push(i);
        found = true;
      }
    });
    if (!found && strict) throw new Error(`didn't find ${host} in instance hostlist`);
  }
  return out;
}
