/**
 * Flux's flux-config sub-commands flux-ts does not offer (set, unset,
 * builtin): refused with one line. A running instance's configuration is
 * replaced whole with `flux config load` or `flux config reload` (load.ts,
 * reload.ts).
 */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';

function refusedSpec(sub: string, summary: string): CommandSpec {
  return {
    path: ['config', sub],
    grammar: 'getopt',
    prog: `flux-config ${sub}`,
    summary: `${summary} (not supported by flux-ts)`,
    docLine: true,
    usage: '[ARGS]',
    options: [],
    operands: [{ name: 'ARGS', nargs: '*' }],
    freeOperands: true,
  };
}

abstract class RefusedConfigCommand extends FluxCommand {
  async run(): Promise<number> {
    this.fail(`${this.spec.path[1]}: not supported by flux-ts (change the configuration files, then flux config reload, or flux config load)`);
  }
}

export class ConfigSetCommand extends RefusedConfigCommand {
  static override spec = refusedSpec('set', 'Set a configuration value');
}
export class ConfigUnsetCommand extends RefusedConfigCommand {
  static override spec = refusedSpec('unset', 'Unset a configuration value');
}
export class ConfigBuiltinCommand extends RefusedConfigCommand {
  static override spec = refusedSpec('builtin', 'Print a compiled-in value');
}
