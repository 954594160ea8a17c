/**
 * flux job namespace [ID...]: the kvs namespace of each job (`job-DECIMAL`),
 * where its tasks' `flux kvs` lands; ids from stdin when none are given.
 */
import { FluxCommand, CommandExit } from '../../base-command';
import { tryParseJobId } from '../../../lib/formats';
import type { CommandSpec } from '../../options';
import { MAX_STDIN_IDS, operandsOrStdinLines } from '../../jobspec/stdin-words';

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
    const inputs = await operandsOrStdinLines(this.args.operands);
    if (inputs === undefined) this.fail(`stdin: more than ${MAX_STDIN_IDS} bytes of ids`);
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
