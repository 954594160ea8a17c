/** flux completion bash: print the bash completion script, generated from the command specs. */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { allSpecs } from '../completion/specs';
import { bashCompletion } from '../completion/bash';

export class CompletionCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['completion'],
    grammar: 'getopt',
    prog: 'flux completion',
    summary: 'Print a shell completion script for flux',
    docLine: true,
    usage: '[OPTIONS] SHELL',
    options: [],
    operands: [{ name: 'SHELL', nargs: '1' }],
  };

  async run(): Promise<number> {
    const shell = this.args.operands[0]!;
    if (shell !== 'bash') this.fail(`${shell}: only bash completion is supported`);
    process.stdout.write(bashCompletion(allSpecs()));
    return 0;
  }
}
