/**
 * Drain/undrain targets: an RFC 22 idset of ranks or an RFC 29 hostlist of the
 * inventory's hostnames (a hostname matching several ranks targets them all).
 */
import { einval, hostlist, idset } from '../../kernel/api';

export function parseTargets(targets: string, hosts: readonly string[]): number[] {
  const size = hosts.length;
  if (/^\[?[0-9,-]*\]?$/.test(targets)) {
    let ids: number[];
    try {
      ids = idset.decode(targets);
    } catch (e) {
      throw einval(`invalid targets: ${(e as Error).message}`);
    }
    const bad = ids.filter((r) => r >= size);
    if (bad.length > 0) {
      throw einval(`idset ${targets} is out of range (instance size ${size}, ranks ${idset.encode([...Array(size).keys()]) || 'none'})`);
    }
    return ids;
  }
  let names: string[];
  try {
    names = hostlist.expand(targets);
  } catch (e) {
    throw einval(`invalid targets: ${(e as Error).message}`);
  }
  const unknown = names.filter((n) => !hosts.includes(n));
  if (unknown.length > 0) throw einval(`invalid targets: invalid hosts: ${hostlist.compress(unknown)}`);
  const ranks = new Set<number>();
  hosts.forEach((h, r) => {
    if (names.includes(h)) ranks.add(r);
  });
  return [...ranks].sort((a, b) => a - b);
}
