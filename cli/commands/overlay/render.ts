/**
 * Renders an `overlay.status` tree the way `flux overlay status` prints it:
 * `<indent><connector><rank> <host>: <status>[ for <fsd>][ <error>][ (<ms> ms)]`,
 * with ├─ / └─ connectors (or none with --no-pretty), pruning for --down and
 * --no-ghost, and the colours of `-L`. A torpid broker shows `torpid` as its
 * status (for: the time since it went silent).
 */
import { formatC } from '../../../lib/formats/fsd';
import { hostlist, idset } from '../../../lib/formats';
import type { StatusNode } from '../../../lib/protocol/overlay';

export interface RenderOpts {
  verbose: number;
  pretty: boolean;
  down: boolean;
  ghost: boolean;
  color: boolean;
  /** -H: ranks to highlight (reverse video), with their ancestors */
  highlight?: ReadonlySet<number>;
}

function word(n: StatusNode, color: boolean): string {
  const w = n.torpid ? 'torpid' : n.status;
  if (!color) return w;
  if (n.ghost) return `\x1b[90m${w}\x1b[39m`;
  if (n.status === 'lost') return `\x1b[31m${w}\x1b[39m`;
  if (n.torpid) return `\x1b[33m${w}\x1b[39m`;
  return w;
}

export function line(n: StatusNode, o: RenderOpts): string {
  const who = `${n.rank} ${n.host}`;
  let s = `${o.highlight?.has(n.rank) ? `\x1b[7m${who}\x1b[27m` : who}: ${word(n, o.color)}`;
  if (o.verbose > 0 && !n.ghost && n.duration !== undefined) s += ` for ${formatC(n.duration)}`;
  if (n.error) s += ` ${n.error}`;
  if (o.verbose > 1 && !n.ghost && n.rtt !== undefined) s += ` (${n.rtt.toFixed(3)} ms)`;
  return s;
}

function keep(n: StatusNode, o: RenderOpts): boolean {
  if (!o.ghost && n.ghost) return false;
  if (o.down && n.status === 'full' && !n.torpid) return false;
  return true;
}

/**
 * -H: the ranks of the nodes that match a target (a rank idset or a hostlist)
 * and of their ancestors; undefined names a target that matches nothing.
 */
export function highlighted(root: StatusNode, targets: readonly string[]): { ranks: Set<number> } | { bad: string } {
  const ranks = new Set<number>();
  for (const t of targets) {
    let ids: Set<number> | undefined;
    let hosts: Set<string> | undefined;
    try {
      ids = idset.decodeSet(t);
    } catch {
      try {
        hosts = new Set(hostlist.expand(t));
      } catch {
        return { bad: t };
      }
    }
    let found = false;
    const walk = (n: StatusNode, path: readonly number[]): void => {
      if (ids?.has(n.rank) || hosts?.has(n.host)) {
        found = true;
        for (const r of [...path, n.rank]) ranks.add(r);
      }
      for (const c of n.children) walk(c, [...path, n.rank]);
    };
    walk(root, []);
    if (!found) return { bad: t };
  }
  return { ranks };
}

export function render(root: StatusNode, o: RenderOpts): string[] {
  const out = [line(root, o)];
  const walk = (n: StatusNode, indent: string) => {
    const kids = n.children.filter((c) => keep(c, o));
    kids.forEach((c, i) => {
      const last = i === kids.length - 1;
      if (o.pretty) out.push(`${indent}${last ? '└─ ' : '├─ '}${line(c, o)}`);
      else out.push(line(c, o));
      walk(c, indent + (last ? '   ' : '│  '));
    });
  };
  walk(root, '');
  return out;
}
