/**
 * flux alloc [OPTIONS] [COMMAND...]: a new Flux instance on the allocated
 * resources with COMMAND as its initial program, attached like flux run: its
 * output here, stdin forwarded, and the command's exit status. Without COMMAND
 * the user's shell: on a pty (`-o pty.interactive`) when stdin is a terminal,
 * reading piped commands otherwise. --bg: no initial program, nothing
 * attached; the job id is printed once the instance is up.
 */
import { spawnSync } from 'node:child_process';
import { listPlugins } from '../jobspec/shape-options';
import { FluxCommand, CommandExit } from '../base-command';
import { encodeF58, encodeKvs } from '../../lib/formats';
import type { Client } from '../api/client';
import { INSTANCE_OPTIONS, SubmitOptionError, pyJson, submissionSpec } from '../jobspec';
import { buildInstanceJob } from '../jobspec/batch';
import { attach, AttachError } from '../attach/attach';
import { endCommand } from '../exit';
import { service } from '../api/protocol';
import { submitJob } from '../api/sign';
import type { JobManagerProtocol } from '../../lib/protocol/job-manager';
import type { KvsProtocol } from '../../lib/protocol/kvs';

const jobManager = service<JobManagerProtocol>('job-manager');

const kvsService = service<KvsProtocol>('kvs');

/** an RFC 18 eventlog entry's name and context (kvs.watch says only that entries are objects) */
function isEntry(e: object): e is { name: string; context?: Record<string, unknown> } {
  if (!('name' in e) || typeof e.name !== 'string') return false;
  return !('context' in e) || (typeof e.context === 'object' && e.context !== null);
}

export class AllocCommand extends FluxCommand {
  static override spec = submissionSpec(
    'alloc',
    'Allocate resources and start a new Flux instance',
    'flux alloc [OPTIONS...] [COMMAND] [ARGS...]',
    [
      ...INSTANCE_OPTIONS,
      { name: 'output', arg: 'FILENAME', description: "Redirect the instance's stdout to FILENAME" },
      { name: 'error', arg: 'FILENAME', description: "Redirect the instance's stderr to FILENAME" },
      { name: 'bg', description: 'Wait for new instance to start, but do not attach to it. Print the jobid to stdout once the instance is ready.' },
    ],
    [{ name: 'COMMAND', nargs: '...', description: 'The initial program of the new instance (default: an interactive shell)' }],
  );

  private optError(e: unknown): never {
    if (e instanceof SubmitOptionError) this.fail(e.message);
    throw e;
  }

  async run(): Promise<number> {
    let sub;
    const p = this.args;
    if (p.has('list-plugins')) return listPlugins();
    try {
      let program = p.operands;
      const shell = process.env['SHELL'] || '/bin/sh';
      if (p.has('bg')) {
        // no initial program: the instance runs until `flux shutdown ID`, a cancel or its time limit
        if (program.length === 0) p.add('broker-opts', { value: '-Sbroker.rc2_none=1', typed: '' });
      } else if (process.stdin.isTTY) {
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
      id = (await submitJob(h, { jobspec: sub.jobspec, urgency: sub.urgency, flags: sub.flags })).id;
    } catch (e) {
      this.fail((e as Error).message);
    }
    if (p.has('bg')) return background(h, id, p.has('verbose'));
    if (p.has('verbose')) process.stderr.write(`jobid: ${encodeF58(id)}\n`);
    try {
      return await attach(h, id, { labelIo: false, noStdin: false, showEvents: p.count('verbose') >= 2, interactive: process.stdin.isTTY === true, ownsJob: true });
    } catch (e) {
      if (e instanceof AttachError) throw new CommandExit(1, `flux-job: ${e.message}`);
      throw e;
    }
  }
}

/**
 * --bg: wait until the new instance is up (its rank 0 posts `memo {uri}` on
 * entering RUN), print the job id and leave it running. -v tells the steps.
 * A job that ends (or is failed) first has its output and exceptions dumped
 * on stderr by `flux job attach`, as Flux does, before the error line.
 */
async function background(h: Client, id: number, verbose: boolean): Promise<number> {
  const f58 = encodeF58(id);
  const t0 = Date.now();
  const say = (msg: string) => verbose && process.stderr.write(`${f58}: ${((Date.now() - t0) / 1000).toFixed(3).padStart(6)}s: ${msg}\n`);
  let outcome: 'ready' | string | undefined;
  let decide!: () => void;
  const decided = new Promise<void>((resolve) => (decide = resolve));
  const stream = kvsService.stream(h, 'watch', { key: `${encodeKvs(id)}.eventlog` }, (r) => {
    for (const e of r.entries ?? []) {
      if (outcome !== undefined) return;
      if (!isEntry(e)) continue;
      if (e.name === 'alloc') say('resources allocated');
      else if (e.name === 'start') say('waiting for instance');
      else if (e.name === 'memo' && typeof e.context?.['uri'] === 'string') outcome = 'ready';
      else if (e.name === 'exception' && e.context?.['severity'] === 0) outcome = `instance startup failed: ${String(e.context['note'] ?? '')}`;
      else if (e.name === 'finish' || e.name === 'clean') outcome = 'unexpectedly exited';
      if (outcome !== undefined) decide();
    }
  });
  const cancel = () => {
    // the job's events that follow (the cancel's exception) are not a startup failure to report
    outcome = 'interrupted';
    process.stderr.write(`${f58}: Interrupt: canceling job\n`);
    void jobManager.call(h, 'raise', { id, type: 'cancel', severity: 0, note: 'interrupted by ctrl-C' }).finally(() => endCommand(1));
  };
  process.once('SIGINT', cancel);
  // said once ctrl-C is ours: a ctrl-C as soon as the line shows cancels the job, it does not kill the command
  say('waiting for resources');
  // the client's socket does not keep Node alive by itself
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await Promise.race([stream.catch(() => undefined), decided]);
  clearInterval(keepAlive);
  process.off('SIGINT', cancel);
  // ctrl-C: the cancel ends the command (the stream may end first, as it closes the connection)
  if (outcome === 'interrupted') return 1;
  if (outcome !== 'ready') {
    // as Flux's: what the job wrote and why it ended (the broker's own error, an exception), on stderr
    spawnSync('flux', ['job', 'attach', f58], { stdio: ['ignore', 2, 2] });
    throw new CommandExit(1, `flux-alloc: ERROR: ${f58}: ${outcome ?? 'unexpectedly exited'}`);
  }
  say('ready');
  process.stdout.write(`${f58}\n`);
  return 0;
}
