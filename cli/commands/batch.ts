/**
 * flux batch [OPTIONS] SCRIPT [ARGS...] | --wrap CMD...: submit a batch script
 * that runs as the initial program of a new Flux instance on the allocated
 * resources; prints the job id. Output goes to flux-{{id}}.out by default.
 */
import { listPlugins } from '../jobspec/shape-options';
import * as fs from 'node:fs';
import { FluxCommand, CommandExit } from '../base-command';
import { INSTANCE_OPTIONS, SubmitOptionError, pyJson, submissionSpec } from '../jobspec';
import { buildBatch, checkScript, type BatchScript } from '../jobspec/batch';
import { HelpRequest, UsageError, parse, usageErrorText } from '../options';
import { DirectiveError, parseDirectiveLines } from '../jobspec/directives';
import { followOpts, submitAll } from '../jobspec/submit-jobs';
import { errnoFromCode, strerror } from '../../lib/errno';

export class BatchCommand extends FluxCommand {
  static override spec = submissionSpec(
    'batch',
    'Submit a batch script to Flux',
    'flux batch [OPTIONS...] [SCRIPT] [ARGS...]',
    [
      ...INSTANCE_OPTIONS,
      { name: 'output', arg: 'FILENAME', description: 'Redirect job stdout to FILENAME (default: flux-{{id}}.out)' },
      { name: 'error', arg: 'FILENAME', description: 'Redirect job stderr to FILENAME (default: the --output file)' },
      { name: 'wrap', description: 'Wrap arguments or stdin in a /bin/sh script' },
      { name: 'quiet', description: 'Do not print jobid to stdout on submission' },
    ],
    [
      { name: 'SCRIPT', nargs: '?', description: 'Batch script (default: read from stdin)' },
      { name: 'ARGS', nargs: '...', description: 'Arguments of the script' },
    ],
  );

  private optError(e: unknown): never {
    if (e instanceof SubmitOptionError) this.fail(e.message);
    if (e instanceof DirectiveError) throw new CommandExit(e.exitCode, this.errorLine(e.message));
    throw e;
  }

  /** The script (file, stdin, or --wrap) and the arguments after it. */
  private readScript(wrap: boolean, words: readonly string[]): { script: BatchScript; args: string[] } {
    if (wrap) {
      const body = words.length > 0 ? words.join(' ') : fs.readFileSync(0, 'utf8');
      // as Flux's: the job is named after the wrapped command, and the words after it are also the script's arguments
      return { script: { text: `#!/bin/sh\n${body.endsWith('\n') ? body : body + '\n'}`, name: words[0] }, args: words.slice(1) };
    }
    let raw: Buffer;
    const name = words[0];
    try {
      raw = fs.readFileSync(name ?? 0);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (name === undefined) this.fail('failed to read the script from stdin');
      // as Python's OSError: `[Errno 21] Is a directory: 'NAME'`
      const errno = errnoFromCode(err.code);
      this.fail(`[Errno ${errno}] ${strerror(errno)}: '${name}'`);
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
      let kept: readonly string[] = d.args;
      try {
        // as Flux's (each line parsed on its own, then the command line over it): a word that is
        // no option (`#flux: --job-name=my job`) is dropped, not taken for SCRIPT with the command line's options after it
        const operands = parse(this.spec, d.args).operands.length;
        kept = d.args.slice(0, d.args.length - operands);
        if (operands > 0 && kept[kept.length - 1] === '--') kept = kept.slice(0, -1);
      } catch (e) {
        if (e instanceof UsageError) {
          const text = usageErrorText(this.spec, e.message).trimEnd();
          throw new CommandExit(2, `${text}\n${this.spec.prog}: error: argument parsing failed at ${where} line ${d.line}`);
        }
        if (!(e instanceof HelpRequest)) throw e;
      }
      words.push(...kept);
    }
    return words;
  }

  async run(): Promise<number> {
    if (this.args.has('list-plugins')) return listPlugins();
    try {
      const first = this.args;
      const { script, args } = this.readScript(first.has('wrap'), first.operands);
      // as Flux's: a script read from stdin has its directives read even with --wrap (not the wrapped words)
      const directives = first.has('wrap') && first.operands.length > 0 ? [] : this.directives(script);
      const optionWords = this.argv.slice(0, this.argv.length - first.operands.length);
      const p = this.reparse([...directives, ...optionWords]);
      p.operands = args;
      const sub = buildBatch(p, script, process.env);
      if (p.has('dry-run')) {
        process.stdout.write(pyJson(sub.jobspec) + '\n');
        return 0;
      }
      const h = await this.connect();
      return submitAll(h, [{ prefix: '', sub }], { ...followOpts(p, false), errorAs: 'flux-batch' });
    } catch (e) {
      this.optError(e);
    }
  }
}
