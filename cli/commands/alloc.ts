/**
 * flux alloc [OPTIONS] [COMMAND...]: a new Flux instance on the allocated
 * resources with COMMAND as its initial program, attached like flux run: its
 * output here, stdin forwarded, and the command's exit status. Without COMMAND
 * the user's shell: on a pty (`-o pty.interactive`) when stdin is a terminal,
 * reading piped commands otherwise.
 */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import { encodeF58 } from '../../kernel/api/formats';
import { SubmitOptionError, pyJson } from '../jobspec';
import { BATCH_OPTS, buildInstanceJob } from '../jobspec/batch';
import { parseSubmitArgs } from '../jobspec/options';
import { attach, AttachError } from '../attach/attach';

const USAGE = 'usage: flux alloc [OPTIONS...] [COMMAND] [ARGS...]';
const ALLOC_OPTS = [...BATCH_OPTS.filter((d) => d.long !== 'wrap' && d.long !== 'quiet'), { long: 'bg', arg: 'none' as const }];

export class AllocCommand extends FluxCommand {
  static override paths = [['alloc']];
  static override prog = 'flux-alloc';
  static override fluxStyle = 'py' as const;
  static override usage = Command.Usage({ description: 'Allocate resources and start a new Flux instance' });
  args = Option.Proxy();

  private optError(e: unknown): never {
    if (e instanceof SubmitOptionError) {
      if (e.usage) throw new CommandExit(2, `${USAGE}\nflux alloc: error: ${e.message}`);
      this.fail(e.message);
    }
    throw e;
  }

  async run(): Promise<number> {
    let sub;
    let p;
    try {
      p = parseSubmitArgs(this.args, ALLOC_OPTS);
      if (p.has('bg')) this.fail('--bg: not supported by flux-ts yet');
      let program = p.command;
      const shell = process.env['SHELL'] || '/bin/sh';
      if (process.stdin.isTTY) {
        // a terminal: the instance's initial program runs on a pty, attached interactively
        p.add('setopt', { value: 'pty.interactive', typed: '-o pty.interactive' });
        if (program.length === 0) program = [shell];
      } else if (program.length === 0) {
        // the shell reads its commands from the piped stdin (not as an interactive shell)
        program = [shell, '-s'];
      }
      sub = buildInstanceJob(p, { initialProgram: program, name: 'flux' }, process.env);
    } catch (e) {
      this.optError(e);
    }
    if (p.has('dry-run')) {
      process.stdout.write(pyJson(sub.jobspec) + '\n');
      return 0;
    }
    const h = await this.connect();
    let id: number;
    try {
      id = (await h.rpc<{ id: number }>('job-ingest.submit', { jobspec: sub.jobspec, urgency: sub.urgency, flags: sub.flags })).id;
    } catch (e) {
      this.fail((e as Error).message);
    }
    if (p.has('verbose')) process.stderr.write(`jobid: ${encodeF58(id)}\n`);
    try {
      return await attach(h, id, { labelIo: false, noStdin: false, showEvents: p.count('verbose') >= 2, interactive: process.stdin.isTTY === true });
    } catch (e) {
      if (e instanceof AttachError) throw new CommandExit(1, `flux-job: ${e.message}`);
      throw e;
    }
  }
}
