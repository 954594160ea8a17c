/**
 * `flux modprobe`: load and remove modules with the module table's
 * dependencies (flux-modprobe(1); the sub-commands are the other files of this
 * folder, the table and its rules are lib/modprobe).
 */
import type { CommandSpec, GroupSpec, OperandSpec, OptionSpec } from '../../options';

export const modprobeGroup: GroupSpec = {
  kind: 'group',
  path: ['modprobe'],
  grammar: 'argparse',
  prog: 'flux-modprobe',
  summary: 'Task and module load/unload management for Flux',
};

/** The spec of `flux modprobe SUB` (Flux's flux-modprobe is a Python command). */
export function modprobeSpec(sub: string, summary: string, options: readonly OptionSpec[], operands: readonly OperandSpec[]): CommandSpec {
  return { path: ['modprobe', sub], grammar: 'argparse', prog: `flux-modprobe ${sub}`, errorName: 'flux-modprobe', summary, options, operands };
}

export const dryRun: OptionSpec = { name: 'dry-run', description: "Don't do anything. Print what would be run" };
export const verbose: OptionSpec = { name: 'verbose', short: 'v', description: 'Print tasks as they are executed' };
export const showDeps: OptionSpec = { name: 'show-deps', description: 'Display dictionary of tasks to predecessor list and exit' };
export const setAlternative: OptionSpec = {
  name: 'set-alternative',
  short: 'S',
  arg: 'NAME=MODULE',
  repeatable: true,
  description: 'Set alternative for service NAME to module MODULE',
};
export const disable: OptionSpec = { name: 'disable', short: 'D', arg: 'NAME', repeatable: true, description: 'Disable module or task NAME' };
