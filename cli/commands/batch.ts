/**
 * flux batch [OPTIONS] SCRIPT [ARGS...] | --wrap CMD...: submit a batch script
 * that runs as the initial program of a new Flux instance on the allocated
 * resources; prints the job id. Output goes to flux-{{id}}.out by default.
 */
import * as fs from 'node:fs';
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import { SubmitOptionError, pyJson } from '../jobspec';
import { buildBatch, checkScript, parseBatchArgs, type BatchScript } from '../jobspec/batch';
import { DirectiveError, parseDirectiveLines } from '../jobspec/directives';
import { followOpts, submitAll } from '../jobspec/submit-jobs';

const USAGE = 'usage: flux batch [OPTIONS...] [SCRIPT] [ARGS...]';

export class BatchCommand extends FluxCommand {
  static override paths = [['batch']];
  static override prog = 'flux-batch';
  static override fluxStyle = 'py' as const;
  static override usage = Command.Usage({ description: 'Submit a batch script to Flux' });
  args = Option.Proxy();

  private optError(e: unknown): never {
    if (e instanceof SubmitOptionError) {
      if (e.usage) throw new CommandExit(2, `${USAGE}\nflux batch: error: ${e.message}`);
      this.fail(e.message);
    }
    if (e instanceof DirectiveError) throw new CommandExit(e.exitCode, this.errorLine(e.message));
    throw e;
  }

  /** The script (file, stdin, or --wrap) and the arguments after it. */
  private readScript(wrap: boolean, words: readonly string[]): { script: BatchScript; args: string[] } {
    if (wrap) {
      const body = words.length > 0 ? words.join(' ') : fs.readFileSync(0, 'utf8');
      return { script: { text: `#!/bin/sh\n${body.endsWith('\n') ? body : body + '\n'}` }, args: [] };
    }
    let raw: Buffer;
    const name = words[0];
    try {
      raw = fs.readFileSync(name ?? 0);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (name === undefined) this.fail('failed to read the script from stdin');
      this.fail(`[Errno ${err.errno !== undefined ? -err.errno : 2}] ${err.code === 'ENOENT' ? 'No such file or directory' : err.message}: '${name}'`);
    }
    const script: BatchScript = { text: raw.toString('utf8'), name };
    checkScript(script, raw);
    return { script, args: words.slice(1) };
  }

  /** The script's directive words, each line checked as options on its own. */
  private directives(script: BatchScript): string[] {
    const where = script.name ?? 'stdin';
    const words: string[] = [];
    for (const d of parseDirectiveLines(script.text, where)) {
      try {
        parseBatchArgs(d.args);
      } catch (e) {
        if (e instanceof SubmitOptionError && e.usage) {
          throw new CommandExit(2, `${USAGE}\nflux batch: error: ${e.message}\nflux batch: error: argument parsing failed at ${where} line ${d.line}`);
        }
        throw e;
      }
      words.push(...d.args);
    }
    return words;
  }

  async run(): Promise<number> {
    try {
      const first = parseBatchArgs(this.args);
      const { script, args } = this.readScript(first.has('wrap'), first.command);
      const directives = first.has('wrap') ? [] : this.directives(script);
      const optionWords = this.args.slice(0, this.args.length - first.command.length);
      const p = parseBatchArgs([...directives, ...optionWords]);
      p.command = args;
      const sub = buildBatch(p, script, process.env);
      if (p.has('dry-run')) {
        process.stdout.write(pyJson(sub.jobspec) + '\n');
        return 0;
      }
      const h = await this.connect();
      return submitAll(h, [{ prefix: '', sub }], followOpts(p, false));
    } catch (e) {
      this.optError(e);
    }
  }
}
