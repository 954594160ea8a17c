/** `flux jobtap`: job-manager plugins (its sub-commands are the other files of this folder). */
import type { CommandSpec, GroupSpec, OperandSpec, OptionSpec } from '../../options';

export const jobtapGroup: GroupSpec = {
  kind: 'group',
  path: ['jobtap'],
  grammar: 'argparse',
  prog: 'flux-jobtap',
  summary: 'List, remove, and load job-manager plugins',
};

/** The spec of `flux jobtap SUB` (Flux's flux-jobtap is a Python command). */
export function jobtapSpec(sub: string, summary: string, options: readonly OptionSpec[], operands: readonly OperandSpec[]): CommandSpec {
  return { path: ['jobtap', sub], grammar: 'argparse', prog: `flux-jobtap ${sub}`, errorName: 'flux-jobtap', summary, options, operands };
}

/** `key=val` arguments as a plugin's config: a value that reads as JSON is taken as such, else as a string. */
export function parseConf(args: readonly string[]): { conf: Record<string, unknown>; bad?: string } {
  const conf: Record<string, unknown> = {};
  for (const a of args) {
    const i = a.indexOf('=');
    if (i <= 0) return { conf, bad: a };
    const v = a.slice(i + 1);
    let val: unknown = v;
    try {
      val = JSON.parse(v);
    } catch {
      /* a plain string */
    }
    conf[a.slice(0, i)] = val;
  }
  return { conf };
}
