/** flux run: submit a job (cli/jobspec), then attach to it like flux job attach. */
import { listPlugins } from '../jobspec/shape-options';
import { FluxCommand, CommandExit } from '../base-command';
import { encodeF58 } from '../../lib/formats';
import { COMMON_OPTIONS, buildSubmission, isInputRanks, pyJson, submissionSpec, SubmitOptionError } from '../jobspec';
import { attach, AttachError } from '../attach/attach';
import { submitJob } from '../api/sign';
import { cancel } from '../api/job';
import { onBrokenPipe } from '../exit';


export class RunCommand extends FluxCommand {
  static override spec = submissionSpec('run', 'Run a job interactively', 'flux run [OPTIONS...] COMMAND [ARGS...]', [
    ...COMMON_OPTIONS,
    { name: 'quiet', description: 'Suppress warnings written to stderr from flux-run (e.g. the notice that output was redirected)' },
    { name: 'wait-event', arg: 'NAME', description: 'Wait for event NAME before detaching from the job eventlog (default: finish), then exit 0 if the job got that far' },
  ]);

  async run(): Promise<number> {
    const parsed = this.args;
    if (parsed.has('list-plugins')) return listPlugins();
    let sub;
    try {
      sub = buildSubmission(parsed, { command: 'run' });
    } catch (e) {
      if (e instanceof SubmitOptionError) this.fail(e.message);
      throw e;
    }
    if (parsed.has('dry-run')) {
      process.stdout.write(pyJson(sub.jobspec) + '\n');
      return 0;
    }
    const h = await this.connect();
    let id: number;
    try {
      const r = await submitJob(h, { jobspec: sub.jobspec, urgency: sub.urgency, flags: sub.flags });
      id = r.id;
    } catch (e) {
      this.fail((e as Error).message);
    }
    // flux run owns its job: a reader gone away (`flux run yes | head -1`)
    // cancels it, as SIGPIPE ends a local pipeline's producer, instead of
    // leaving it running and its output log growing (flux job attach detaches)
    const disown = onBrokenPipe((stream) => cancel(h, id, `flux-run: ${stream} closed (EPIPE)`));
    if (parsed.has('verbose')) process.stderr.write(`jobid: ${encodeF58(id)}\n`);
    const input = parsed.get('input');
    try {
      return await attach(h, id, {
        labelIo: parsed.has('label-io') && !parsed.has('output'),
        stdinRanks: input && isInputRanks(input.value) ? input.value : undefined,
        noStdin: !!input && !isInputRanks(input.value),
        showEvents: parsed.count('verbose') >= 2,
        interactive: process.stdin.isTTY === true && isInteractive(sub.jobspec),
        quiet: parsed.has('quiet'),
        waitEvent: parsed.str('wait-event'),
        ownsJob: true,
      });
    } catch (e) {
      if (e instanceof AttachError) throw new CommandExit(1, `flux-job: ${e.message}`);
      throw e;
    } finally {
      disown();
    }
  }
}

/** Does the jobspec ask for an interactive pty (`-o pty.interactive`)? */
function isInteractive(js: { attributes: { system?: Record<string, unknown> } }): boolean {
  const opts = (js.attributes.system?.['shell'] as { options?: Record<string, unknown> } | undefined)?.options;
  const pty = opts?.['pty'];
  const on = typeof pty === 'object' && pty !== null ? (pty as { interactive?: unknown }).interactive : undefined;
  return on === true || on === 1 || on === '1';
}
