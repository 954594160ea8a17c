/**
 * The sub-commands of Flux's flux-config that change a running instance's
 * configuration (set, unset, builtin, load, reload): refused with one line,
 * since flux-ts reads its configuration at start only.
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
    this.fail(`${this.spec.path[1]}: not supported by flux-ts (the configuration is read at start: flux start -c PATH, --conf)`);
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
export class ConfigLoadCommand extends RefusedConfigCommand {
  static override spec = refusedSpec('load', 'Replace the configuration');
}
export class ConfigReloadCommand extends RefusedConfigCommand {
  static override spec = refusedSpec('reload', 'Reload the configuration from files');
}
