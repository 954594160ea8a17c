/**
 * flux multi-prog [-n IDS] CONFIG: run a different program per task of a
 * parallel job (MPMD), as `flux run -n4 flux multi-prog app.conf`. The task
 * rank is FLUX_TASK_RANK; the program replaces this one as far as Node allows
 * (cli/multiprog/exec.ts), so its output, exit status and signals are the
 * task's. With --dry-run, print what each rank in IDS would run instead.
 */
import * as fs from 'node:fs';
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { IdsetError, decode } from '../../lib/formats/idset';
import { errnoFromCode, strerror } from '../../lib/errno';
import { shellQuote } from '../shlex';
import { MultiProgError, commandFor, parseConfig, type MultiProgConfig } from '../multiprog/config';
import { dieBySignal, execProgram } from '../multiprog/exec';

export class MultiProgCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['multi-prog'],
    grammar: 'argparse',
    prog: 'flux-multi-prog',
    summary: 'Run a parallel program with a different executable and arguments for each task',
    usage: 'flux multi-prog [OPTIONS] CONFIG',
    options: [
      { name: 'dry-run', short: 'n', arg: 'IDS', description: 'Do not run anything. Instead, print what would be run for each rank in IDS' },
    ],
    operands: [{ name: 'CONFIG', nargs: '1', description: 'multi-prog configuration file' }],
  };

  async run(): Promise<number> {
    const name = this.args.operands[0]!;
    const dry = this.args.str('dry-run');
    let ranks: number[] | undefined;
    if (dry !== undefined) {
      try {
        ranks = decode(dry);
      } catch (e) {
        if (!(e instanceof IdsetError)) throw e;
        this.usageError(`argument -n/--dry-run: invalid IDset value: '${dry}'`);
      }
    }
    const config = this.load(name);
    if (ranks !== undefined) {
      for (const rank of ranks) {
        const argv = this.command(config, rank, name);
        process.stdout.write(`${rank}: ${argv.map(shellQuote).join(' ')}\n`);
      }
      return 0;
    }
    const env = process.env.FLUX_TASK_RANK ?? '';
    if (!/^\s*[+-]?\d+\s*$/.test(env)) this.fail('FLUX_TASK_RANK not found or invalid');
    const argv = this.command(config, Number(env), name);
    const r = await execProgram(argv);
    if ('error' in r) this.fail(`${argv[0]}: ${r.error}`);
    if ('signal' in r) return dieBySignal(r.signal);
    return r.status;
  }

  private load(name: string): MultiProgConfig {
    let text: string;
    try {
      text = fs.readFileSync(name, 'utf8');
    } catch (e) {
      const errno = errnoFromCode((e as NodeJS.ErrnoException).code);
      this.fail(`[Errno ${errno}] ${strerror(errno)}: '${name}'`);
    }
    try {
      return parseConfig(text, name);
    } catch (e) {
      if (e instanceof MultiProgError) this.fail(e.message);
      throw e;
    }
  }

  private command(config: MultiProgConfig, rank: number, name: string): string[] {
    try {
      return commandFor(config, rank, name);
    } catch (e) {
      if (e instanceof MultiProgError) this.fail(e.message);
      throw e;
    }
  }
}
