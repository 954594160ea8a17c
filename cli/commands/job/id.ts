/** flux job id: convert job ids between encodings (default --to=dec); stdin lines when no ids. */
import * as fs from 'node:fs';
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { encodeJobId, tryParseJobId, type JobIdEncoding } from '../../../kernel/api/formats';

export const ID_USAGE = `Usage: flux-job id [OPTIONS] [id ...]
Convert jobid(s) to another form
  -h, --help             Display this message.
  -f, --from=dec|kvs|hex|dothex|words|f58
                         Convert jobid from specified form
  -t, --to=dec|kvs|hex|dothex|words|f58|f58plain
                         Convert jobid to specified form`;

const TO: JobIdEncoding[] = ['dec', 'kvs', 'hex', 'dothex', 'words', 'f58', 'f58plain'];

export class JobIdCommand extends FluxCommand {
  static override paths = [['job', 'id']];
  static override prog = 'flux-job';
  static override usageLine = ID_USAGE;
  static override usage = Command.Usage({ description: 'Convert jobid(s) to another form' });
  to = Option.String('-t,--to', 'dec');
  from = Option.String('-f,--from');
  ids = Option.Rest();

  async run(): Promise<number> {
    if (!TO.includes(this.to as JobIdEncoding)) throw new CommandExit(1, `flux-job: Unknown to=${this.to}`);
    let inputs: string[] = [...this.ids];
    if (inputs.length === 0) {
      let text: string;
      try {
        text = fs.readFileSync(0, 'utf8');
      } catch {
        text = '';
      }
      inputs = text.split('\n').filter((l) => l.trim().length > 0);
      if (inputs.length === 0) return 1;
    }
    let out = '';
    for (const s of inputs) {
      const id = tryParseJobId(s.trim());
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
