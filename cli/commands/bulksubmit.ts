/**
 * flux bulksubmit: one job per input (`:::` args, `::::` files, stdin lines by
 * default), with Python-format substitutions `{}` `{0}` `{.%}` `{./}` `{./%}`
 * `{.//}` `{seq}` `{seq1}` (formats.md §5.2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FluxCommand } from '../base-command';
import { COMMON_OPTIONS, SUBMIT_OPTIONS, SubmitOptionError, buildSubmission, submissionSpec } from '../jobspec';
import { followOpts, submitAll, type Pending } from '../jobspec/submit-jobs';


/** Replace {..} fields in one word for one input tuple. */
function substitute(word: string, inputs: readonly string[], seq: number): string {
  let auto = 0;
  return word.replace(/\{([^{}]*)\}/g, (m, body: string) => {
    if (body === 'seq') return String(seq);
    if (body === 'seq1') return String(seq + 1);
    if (body === 'cc') return m;
    const mm = /^(\d*)(\.(?:%|\/\/|\/%|\/))?$/.exec(body);
    if (!mm) return m;
    const idx = mm[1] === '' ? auto++ : Number(mm[1]);
    const v = inputs[idx];
    if (v === undefined) throw new SubmitOptionError(`Replacement index ${idx} out of range for positional args tuple`);
    switch (mm[2]) {
      case '.%':
        return v.replace(/\.[^./]*$/, '');
      case './':
        return path.basename(v);
      case './%':
        return path.basename(v).replace(/\.[^.]*$/, '');
      case './/':
        return path.dirname(v);
      default:
        return v;
    }
  });
}

export class BulksubmitCommand extends FluxCommand {
  static override spec = submissionSpec('bulksubmit', 'Submit jobs in bulk to a Flux instance', 'flux bulksubmit [OPTIONS...] COMMAND [ARGS...]', [
    ...COMMON_OPTIONS,
    ...SUBMIT_OPTIONS,
    { name: 'sep', arg: 'STRING', default: '\\n', description: 'Change separator for file input (default=\\n, "none" splits on whitespace)' },
    { name: 'shuffle', description: 'Shuffle list of commands before submission' },
    { name: 'define', arg: 'NAME=CODE', repeatable: true, hidden: true, description: 'not supported by flux-ts yet' },
  ]);

  async run(): Promise<number> {
    const parsed = this.args;
    const define = parsed.get('define');
    if (define) this.fail(`${define.typed}: not supported by flux-ts yet`);
    // split the command from ::: / :::: input groups
    const cmd: string[] = [];
    const groups: Array<{ values: string[]; link: boolean }> = [];
    const words = parsed.operands;
    let i = 0;
    while (i < words.length && !/^::::?\+?$/.test(words[i]!)) cmd.push(words[i++]!);
    const sep = parsed.get('sep')?.value ?? '\n';
    const splitText = (t: string) => (sep === 'none' ? t.split(/\s+/) : t.split(sep)).filter((x) => x.length > 0);
    while (i < words.length) {
      const marker = words[i++]!;
      const values: string[] = [];
      while (i < words.length && !/^::::?\+?$/.test(words[i]!)) values.push(words[i++]!);
      const link = marker.endsWith('+');
      if (marker.startsWith('::::')) {
        const all: string[] = [];
        for (const f of values) all.push(...splitText(fs.readFileSync(f === '-' ? 0 : f, 'utf8')));
        groups.push({ values: all, link });
      } else groups.push({ values, link });
    }
    if (groups.length === 0) groups.push({ values: splitText(fs.readFileSync(0, 'utf8')), link: false });
    let tuples: string[][] = [[]];
    for (const g of groups) {
      if (g.link) tuples = tuples.map((t, k) => [...t, g.values[k % g.values.length] ?? '']);
      else tuples = tuples.flatMap((t) => g.values.map((v) => [...t, v]));
    }
    if (parsed.has('shuffle')) tuples.sort(() => Math.random() - 0.5);
    const optWords = this.argv.slice(0, this.argv.length - words.length);
    const jobs: Pending[] = [];
    try {
      tuples.forEach((t, seq) => {
        const argv = [...optWords.map((w) => substitute(w, t, seq)), ...cmd.map((w) => substitute(w, t, seq))];
        const p = this.reparse(argv);
        if (parsed.has('dry-run')) {
          process.stdout.write(`bulksubmit: submit ${p.operands.join(' ')}\n`);
          return;
        }
        jobs.push({ prefix: '', sub: buildSubmission(p, { command: 'bulksubmit' }) });
      });
    } catch (e) {
      if (e instanceof SubmitOptionError) this.fail(e.message);
      throw e;
    }
    if (parsed.has('dry-run')) return 0;
    const h = await this.connect();
    return submitAll(h, jobs, followOpts(parsed, false));
  }
}
