/**
 * flux env [CMD [ARGS...]]: the environment the `flux` front end gives what it
 * starts. With no command, print what it changes as `export NAME="value"`
 * lines (for `eval $(flux env)`); with one, run it in that environment.
 */
import { FluxCommand, CommandExit } from '../base-command';
import type { CommandSpec } from '../options';
import { runForeground } from '../run-command';

/** What the front end sets or passes on: PATH (its own bin/ first) and Flux's variables. */
const SHOWN = ['PATH', 'FLUX_EXEC_PATH', 'FLUX_MODULE_PATH', 'FLUX_URI', 'FLUX_KVS_NAMESPACE'];

/** A value quoted for a POSIX shell's double quotes. */
function quote(v: string): string {
  return `"${v.replace(/(["\\$`])/g, '\\$1')}"`;
}

export class EnvCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['env'],
    grammar: 'getopt',
    prog: 'flux env',
    errorName: 'flux',
    summary: 'Print the flux environment or execute a command inside it',
    docLine: true,
    usage: '[OPTIONS] [COMMAND...]',
    options: [],
    operands: [{ name: 'COMMAND', nargs: '*' }],
  };

  async run(): Promise<number> {
    const argv = this.args.operands;
    if (argv.length === 0) {
      for (const name of SHOWN) {
        const v = process.env[name];
        if (v !== undefined && v !== '') process.stdout.write(`export ${name}=${quote(v)}\n`);
      }
      return 0;
    }
    const r = runForeground(argv);
    if ('error' in r) throw new CommandExit(1, `flux: execvp (${argv[0]}): ${r.error}`);
    return r.status;
  }
}
