/**
 * `flux overlay status [-v[LEVEL]] [-t FSD] [-r RANK] [--summary] [--down]
 * [--no-pretty] [--no-ghost] [-L[WHEN]] [-H TARGET] [-w STATE]`: asks a
 * broker (rank 0 by default) for `overlay.status` of its subtree and draws it.
 */
import { Command, Option } from 'clipanion';
import { CommandExit, FluxCommand } from '../../base-command';
import { Errno } from '../../../kernel/api/errno';
import type { FluxError } from '../../../kernel/api/errors';
import { tryParse as parseFsd } from '../../../kernel/api/formats/fsd';
import type { StatusNode } from '../../../kernel/overlay/factory';
import { render, type RenderOpts } from './render';

const USAGE =
  'usage: flux-overlay status [-h] [-v] [-t FSD] [-r RANK] [--summary] [--down] [--no-pretty] [--no-ghost] [-L [WHEN]] [-H TARGET] [-w STATE]';
const STATES = ['full', 'partial', 'degraded', 'lost', 'offline'];

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

export function parseStatusArgs(argv: readonly string[]): StatusArgs {
  const a: StatusArgs = { verbose: 0, timeout: 0.5, rank: 0, summary: false, down: false, pretty: true, ghost: true, color: 'auto' };
  const usage = (msg: string): never => {
    throw new CommandExit(2, `${USAGE}\nflux overlay status: error: ${msg}`);
  };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const value = (flag: string, attached: string): string => {
      if (attached !== '') return attached;
      if (i + 1 >= argv.length) throw new CommandExit(1, `flux overlay status: '${flag}' missing argument`);
      return argv[++i]!;
    };
    let m: RegExpExecArray | null;
    if ((m = /^-(v+)(\d*)$/.exec(x))) a.verbose = m[2] ? Number(m[2]) : m[1]!.length;
    else if ((m = /^--verbose(?:=(\d+))?$/.exec(x))) a.verbose = m[1] ? Number(m[1]) : a.verbose + 1;
    else if ((m = /^(?:-t|--timeout=?)(.*)$/.exec(x))) {
      const t = parseFsd(value('-t', m[1]!));
      if (t === undefined) usage('invalid timeout');
      a.timeout = t!;
    } else if ((m = /^(?:-r|--rank=?)(.*)$/.exec(x))) {
      const r = value('-r', m[1]!);
      if (!/^\d+$/.test(r)) usage(`invalid rank ${r}`);
      a.rank = Number(r);
    } else if (x === '--summary') a.summary = true;
    else if (x === '--down') a.down = true;
    else if (x === '--no-pretty') a.pretty = false;
    else if (x === '--no-ghost') a.ghost = false;
    else if ((m = /^(?:-L|--color=?)(.*)$/.exec(x))) {
      const w = m[1] || 'always';
      if (w !== 'always' && w !== 'never' && w !== 'auto') usage(`invalid --color value '${w}'`);
      a.color = w as StatusArgs['color'];
    } else if ((m = /^(?:-H|--highlight=?)(.*)$/.exec(x))) value('-H', m[1]!);
    else if ((m = /^(?:-w|--wait=?)(.*)$/.exec(x))) {
      a.wait = value('-w', m[1]!);
      if (!STATES.includes(a.wait)) throw new CommandExit(1, 'flux-overlay: invalid --wait state');
    } else if (x.startsWith('-') && x !== '-') usage(`unrecognized arguments: ${x}`);
    // Other positional words are ignored, as Flux's parser does.
  }
  return a;
}

export class OverlayStatusCommand extends FluxCommand {
  static override paths = [['overlay', 'status']];
  static override prog = 'flux-overlay';
  static override usageLine = USAGE;
  static override usage = Command.Usage({ description: 'Display overlay subtree health status' });
  args = Option.Proxy();

  async run(): Promise<number> {
    const a = parseStatusArgs(this.args);
    const h = await this.connect();
    const ask = async (): Promise<StatusNode> => {
      const t0 = performance.now();
      try {
        const node = await h.rpc<StatusNode>('overlay.status', { timeout: a.timeout }, { nodeid: a.rank });
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
    const color = a.color === 'always' || (a.color === 'auto' && process.stdout.isTTY === true);
    const o: RenderOpts = { verbose: a.verbose, pretty: a.pretty, down: a.down, ghost: a.ghost, color };
    process.stdout.write(render(root, o).join('\n') + '\n');
    return 0;
  }
}
