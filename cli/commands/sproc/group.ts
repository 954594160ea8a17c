/** `flux sproc`: list, signal and wait for the processes rexec runs (flux exec --bg; ps.ts, kill.ts, wait.ts). */
import type { CommandSpec, GroupSpec, OptionSpec } from '../../options';
import type { Client } from '../../api/client';
import { FluxError } from '../../../lib/errors';

export const sprocGroup: GroupSpec = {
  kind: 'group',
  path: ['sproc'],
  grammar: 'argparse',
  prog: 'flux-sproc',
  summary: 'List, signal and wait for subprocesses of flux exec',
};

/** -r and -s, which every subcommand takes */
const COMMON: readonly OptionSpec[] = [
  { name: 'rank', short: 'r', arg: 'RANK', description: 'Send RPC to specified broker rank (default: the local broker)' },
  { name: 'service', short: 's', arg: 'SERVICE', default: 'rexec', description: 'Send RPC to specified service (default rexec)' },
];

/** The spec of `flux sproc SUB` (Flux's flux-sproc is a Python command). */
export function sprocSpec(sub: string, summary: string, options: readonly OptionSpec[], operands: CommandSpec['operands']): CommandSpec {
  return { path: ['sproc', sub], grammar: 'argparse', prog: `flux-sproc ${sub}`, errorName: 'flux-sproc', summary, options: [...options, ...COMMON], operands };
}

/** PID or LABEL: a number is a pid (a label otherwise) */
export function pidOrLabel(arg: string): { pid: number; label?: string } {
  return /^\d+$/.test(arg) && Number(arg) <= 0x7fffffff ? { pid: Number(arg) } : { pid: -1, label: arg };
}

/** A call to SERVICE.METHOD on the rank -r names (the local broker without it). */
export function sprocRpc<T>(h: Client, args: { str(name: string): string | undefined }, method: string, payload: object): Promise<T> {
  const rank = args.str('rank');
  const opts = rank === undefined ? {} : { nodeid: Number(rank) };
  return h.rpc<T>(`${args.str('service') ?? 'rexec'}.${method}`, payload, opts);
}

/** an RPC's error as one line: its text, or the errno's */
export function errorText(e: unknown): string {
  if (e instanceof FluxError) return e.message;
  throw e;
}

/** -r's value as argparse's type=int would check it */
export function rankError(args: { str(name: string): string | undefined }): string | undefined {
  const r = args.str('rank');
  return r === undefined || /^\s*[+-]?\d+\s*$/.test(r) ? undefined : `argument -r/--rank: invalid int value: '${r}'`;
}
