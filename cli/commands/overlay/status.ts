/**
 * `flux overlay status [-v[LEVEL]] [-t FSD] [-r RANK] [--summary] [--down]
 * [--no-pretty] [--no-ghost] [-L[WHEN]] [-H TARGET] [-w STATE]`: asks a
 * broker (rank 0 by default) for `overlay.status` of its subtree and draws it.
 */
import { FluxCommand } from '../../base-command';
import type { CommandSpec, ParsedArgs } from '../../options';
import { Errno } from '../../../lib/errno';
import type { FluxError } from '../../../lib/errors';
import { tryParse as parseFsd } from '../../../lib/formats/fsd';
import type { OverlayProtocol, StatusNode } from '../../../lib/protocol/overlay';
import { service } from '../../api/protocol';
import { highlighted, render, type RenderOpts } from './render';

const STATES = ['full', 'partial', 'degraded', 'lost', 'offline'];
/** overlay.status (overlay/protocol.avsc: its methods are whole topics) */
const overlay = service<OverlayProtocol>('');

interface StatusArgs {
  verbose: number;
  timeout: number;
  rank: number;
  summary: boolean;
  down: boolean;
  pretty: boolean;
  ghost: boolean;
  color: 'always' | 'never' | 'auto';
  wait?: string;
}

/** The option values, checked; `bad` gets the one-line complaint. */
export function statusArgs(p: ParsedArgs, bad: (msg: string) => never): StatusArgs {
  const a: StatusArgs = { verbose: 0, timeout: 0.5, rank: 0, summary: false, down: false, pretty: true, ghost: true, color: 'auto' };
  for (const v of p.values('verbose')) {
    if (v === '') a.verbose++;
    else if (/^\d+$/.test(v)) a.verbose = Number(v);
    else bad(`invalid --verbose level '${v}'`);
  }
  const t = p.str('timeout');
  if (t !== undefined) {
    const secs = parseFsd(t);
    if (secs === undefined) bad(`invalid --timeout '${t}': expected a duration such as 0.5s`);
    a.timeout = secs;
  }
  const r = p.str('rank');
  if (r !== undefined) {
    if (!/^\d+$/.test(r)) bad(`invalid rank ${r}`);
    a.rank = Number(r);
  }
  a.summary = p.has('summary');
  a.down = p.has('down');
  a.pretty = !p.has('no-pretty');
  a.ghost = !p.has('no-ghost');
  const c = p.get('color');
  if (c !== undefined) {
    const w = c.value || 'always';
    if (w !== 'always' && w !== 'never' && w !== 'auto') bad(`invalid --color value '${w}'`);
    a.color = w;
  }
  a.wait = p.str('wait');
  if (a.wait !== undefined && !STATES.includes(a.wait)) bad('invalid --wait state');
  return a;
}

export class OverlayStatusCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['overlay', 'status'],
    grammar: 'getopt',
    prog: 'flux-overlay status',
    summary: 'Display overlay subtree health status',
    docLine: true,
    usage: '[OPTIONS]',
    options: [
      { name: 'rank', short: 'r', arg: 'NODEID', description: 'Check health of subtree rooted at NODEID (default 0)' },
      { name: 'verbose', short: 'v', arg: '[LEVEL]', optionalArg: true, description: 'Increase reporting detail: 1=show time since current state was entered, 2=show round-trip RPC times.' },
      { name: 'timeout', short: 't', arg: 'FSD', default: '0.5s', description: 'Set RPC timeout, 0=disable (default 0.5s)' },
      { name: 'summary', description: 'Show only the root subtree status' },
      { name: 'down', description: 'Show only the partial/degraded subtrees' },
      { name: 'no-pretty', description: 'Do not indent entries and use line drawing characters to show overlay tree structure' },
      { name: 'no-ghost', description: 'Do not fill in presumed state of nodes that are inaccessible behind offline/lost overlay parents' },
      { name: 'color', short: 'L', arg: 'WHEN', optionalArg: true, description: "Use color; WHEN can be 'never', 'always', or 'auto' (default)" },
      { name: 'highlight', short: 'H', arg: 'TARGET', repeatable: true, description: 'Highlight one or more targets and their ancestors.' },
      { name: 'wait', short: 'w', arg: 'STATE', description: 'Wait until subtree enters STATE before reporting (full, partial, offline, degraded, lost)' },
    ],
    // other words are ignored, as Flux's overlay status does
    freeOperands: true,
  };

  async run(): Promise<number> {
    const a = statusArgs(this.args, (msg) => this.fail(msg));
    const h = await this.connect();
    const ask = async (): Promise<StatusNode> => {
      const t0 = performance.now();
      try {
        const node = await overlay.call(h, 'overlay.status', { timeout: a.timeout }, { nodeid: a.rank });
        return { ...node, rtt: performance.now() - t0 };
      } catch (e) {
        const fe = e as FluxError;
        // A singleton has no overlay: it is its whole (healthy) tree.
        if (fe.errno === Errno.ENOSYS && a.rank === 0) {
          const start = Number(await h.getattr('broker.starttime'));
          const host = await h.getattr('hostname');
          return { rank: 0, host, status: 'full', duration: Date.now() / 1000 - start, rtt: performance.now() - t0, children: [] };
        }
        this.fail(fe.message);
      }
    };
    let root = await ask();
    while (a.wait !== undefined && root.status !== a.wait) {
      await new Promise((r) => setTimeout(r, 250));
      root = await ask();
    }
    if (a.summary) {
      process.stdout.write(`${root.status}\n`);
      return 0;
    }
    // -H shows itself in color: it turns color on unless --color=never said otherwise
    const targets = this.args.values('highlight');
    if (targets.length > 0 && this.args.get('color') !== undefined && a.color === 'never') this.fail('--highlight needs color: not with --color=never');
    const color = targets.length > 0 || a.color === 'always' || (a.color === 'auto' && process.stdout.isTTY === true);
    const o: RenderOpts = { verbose: a.verbose, pretty: a.pretty, down: a.down, ghost: a.ghost, color };
    if (targets.length > 0) {
      const h = highlighted(root, targets);
      if ('bad' in h) this.fail(`--highlight: ${h.bad}: no such rank or host in the tree`);
      o.highlight = h.ranks;
    }
    process.stdout.write(render(root, o).join('\n') + '\n');
    return 0;
  }
}
