/** flux logger [--severity=S] [--appname=A] MSG...: add an entry to the broker log. */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';

const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

export const LOGGER_USAGE =
  'Usage: flux-logger [OPTIONS] message ...\n' +
  '  -s, --severity=SEVERITY  Specify severity (emerg, alert, crit, err, warning, notice, info, debug)\n' +
  '  -n, --appname=NAME       Specify appname (default: logger)\n' +
  '  -h, --help               Display this message.';

export class LoggerCommand extends FluxCommand {
  static override paths = [['logger']];
  static override prog = 'flux-logger';
  static override usageLine = LOGGER_USAGE;
  static override usage = Command.Usage({ description: 'Create a Flux log entry' });
  severity = Option.String('-s,--severity', 'notice');
  appname = Option.String('-n,--appname', 'logger');
  words = Option.Rest();

  async run(): Promise<number> {
    if (this.words.length === 0) throw new CommandExit(1, LOGGER_USAGE);
    const sev = SEVERITIES.indexOf(this.severity);
    if (sev < 0) {
      this.fail(`invalid severity '${this.severity}' (use one of ${SEVERITIES.join(', ')})`);
    }
    const h = await this.connect();
    await h.rpc('log.append', { entries: [{ severity: sev, appname: this.appname, text: this.words.join(' ') }] });
    return 0;
  }
}
