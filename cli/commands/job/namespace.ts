/**
 * flux job namespace [ID...]: the kvs namespace of each job (`job-DECIMAL`),
 * where its tasks' `flux kvs` lands; ids from stdin when none are given.
 */
import * as fs from 'node:fs';
import { FluxCommand, CommandExit } from '../../base-command';
import { tryParseJobId } from '../../../lib/formats';
import type { CommandSpec } from '../../options';

export class JobNamespaceCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['job', 'namespace'],
    grammar: 'getopt',
    prog: 'flux-job namespace',
    summary: 'Convert job ids to job guest kvs namespace names',
    docLine: true,
    usage: '[id ...]',
    options: [],
    operands: [{ name: 'id', nargs: '*' }],
  };

  async run(): Promise<number> {
    let inputs = this.args.operands;
    if (inputs.length === 0) {
      let text = '';
      try {
        text = fs.readFileSync(0, 'utf8');
      } catch {
        /* no stdin */
      }
      inputs = text.split('\n').filter((l) => l.trim().length > 0);
    }
    let out = '';
    for (const s of inputs) {
      const id = tryParseJobId(s.trim());
      if (id === undefined) {
        process.stdout.write(out);
        throw new CommandExit(1, `flux-job: ${s.trim()}: malformed input`);
      }
      out += `job-${id}\n`;
    }
    process.stdout.write(out);
    return 0;
  }
}
