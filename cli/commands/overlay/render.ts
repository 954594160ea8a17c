/**
 * Renders an `overlay.status` tree the way `flux overlay status` prints it:
 * `<indent><connector><rank> <host>: <status>[ for <fsd>][ <error>][ (<ms> ms)]`,
 * with ├─ / └─ connectors (or none with --no-pretty), pruning for --down and
 * --no-ghost, and the colours of `-L`. A torpid broker shows `torpid` as its
 * status (for: the time since it went silent).
 */
import { formatC } from '../../../kernel/api/formats/fsd';
import type { StatusNode } from '../../../kernel/overlay/factory';

export interface RenderOpts {
  verbose: number;
  pretty: boolean;
  down: boolean;
  ghost: boolean;
  color: boolean;
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
  let s = `${n.rank} ${n.host}: ${word(n, o.color)}`;
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
