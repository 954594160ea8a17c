/**
 * Flux's flux-config builtin, which flux-ts does not offer (it prints Flux's
 * compiled-in paths: rc scripts, the shell, plugin directories, which
 * flux-ts does not have): refused with one line.
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
    this.fail(`${this.spec.path[1]}: not supported by flux-ts: it has no compiled-in paths to print (flux config get shows the configuration)`);
  }
}

export class ConfigBuiltinCommand extends RefusedConfigCommand {
  static override spec = refusedSpec('builtin', 'Print a compiled-in value');
}
