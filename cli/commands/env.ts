/**
 * flux env [CMD [ARGS...]]: the environment the `flux` front end gives what it
 * starts. With no command, print what it changes as `export NAME="value"`
 * lines (for `eval $(flux env)`); with one, run it in that environment.
 */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import { runForeground } from '../run-command';

/** What the front end sets or passes on: PATH (its own bin/ first) and Flux's variables. */
const SHOWN = ['PATH', 'FLUX_EXEC_PATH', 'FLUX_MODULE_PATH', 'FLUX_URI', 'FLUX_KVS_NAMESPACE'];

/** A value quoted for a POSIX shell's double quotes. */
function quote(v: string): string {
  return `"${v.replace(/(["\\$`])/g, '\\$1')}"`;
}

export class EnvCommand extends FluxCommand {
  static override paths = [['env']];
  static override prog = 'flux';
  static override usage = Command.Usage({ description: 'Print the flux environment or execute a command inside it' });
  args = Option.Proxy();

  async run(): Promise<number> {
    if (this.args.length === 0) {
      for (const name of SHOWN) {
        const v = process.env[name];
        if (v !== undefined && v !== '') process.stdout.write(`export ${name}=${quote(v)}\n`);
      }
      return 0;
    }
    const r = runForeground(this.args);
    if ('error' in r) throw new CommandExit(1, `flux: execvp (${this.args[0]}): ${r.error}`);
    return r.status;
  }
}
