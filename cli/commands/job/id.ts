/** flux job id: convert job ids between encodings (default --to=dec); stdin lines when no ids. */
import { FluxCommand, CommandExit } from '../../base-command';
import { encodeJobId, tryParseJobId, type JobIdEncoding } from '../../../lib/formats';
import type { CommandSpec } from '../../options';
import { MAX_STDIN_IDS, operandsOrStdinLines } from '../../jobspec/stdin-words';

const TO: JobIdEncoding[] = ['dec', 'kvs', 'hex', 'dothex', 'words', 'f58', 'f58plain'];
const FROM = ['dec', 'kvs', 'hex', 'dothex', 'words', 'f58'];

/** the form an id is written in (--from takes only that one) */
function formOf(s: string): string {
  if (s.startsWith('job.')) return 'kvs';
  if (s.includes('.')) return 'dothex';
  if (s.includes('-')) return 'words';
  if (s.startsWith('ƒ') || s.startsWith('f')) return 'f58';
  if (s.startsWith('0x')) return 'hex';
  return 'dec';
}

export class JobIdCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['job', 'id'],
    grammar: 'getopt',
    prog: 'flux-job id',
    summary: 'Convert jobid(s) to another form',
    docLine: true,
    usage: '[OPTIONS] [id ...]',
    options: [
      { name: 'from', short: 'f', arg: 'dec|kvs|hex|dothex|words|f58', description: 'Convert jobid from specified form' },
      { name: 'to', short: 't', arg: 'dec|kvs|hex|dothex|words|f58|f58plain', default: 'dec', description: 'Convert jobid to specified form' },
    ],
    operands: [{ name: 'id', nargs: '*' }],
  };

  private get to(): string {
    return this.args.str('to', 'dec');
  }
  private get ids(): string[] {
    return this.args.operands;
  }

  async run(): Promise<number> {
    if (!TO.includes(this.to as JobIdEncoding)) throw new CommandExit(1, `flux-job: Unknown to=${this.to}`);
    const from = this.args.str('from');
    if (from !== undefined && !FROM.includes(from)) throw new CommandExit(1, `flux-job: Unknown from=${from}`);
    const inputs = await operandsOrStdinLines(this.ids);
    if (inputs === undefined) this.fail(`stdin: more than ${MAX_STDIN_IDS} bytes of ids`);
    if (inputs.length === 0) return 1;
    let out = '';
    for (const s of inputs) {
      const id = from === undefined || formOf(s.trim()) === from ? tryParseJobId(s.trim()) : undefined;
      if (id === undefined) {
        process.stdout.write(out);
        throw new CommandExit(1, `flux-job: ${s}: malformed input`);
      }
      out += encodeJobId(id, this.to as JobIdEncoding) + '\n';
    }
    process.stdout.write(out);
    return 0;
  }
}
