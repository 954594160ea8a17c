/** flux logger [--severity=S] [--appname=A] MSG...: add an entry to the broker log. */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';

const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

export class LoggerCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['logger'],
    grammar: 'getopt',
    prog: 'flux-logger',
    summary: 'Create a Flux log entry',
    usage: '[OPTIONS] message ...',
    options: [
      { name: 'severity', short: 's', arg: 'SEVERITY', default: 'notice', description: 'Specify severity (emerg, alert, crit, err, warning, notice, info, debug)' },
      { name: 'appname', short: 'n', arg: 'NAME', default: 'logger', description: 'Specify appname (default: logger)' },
    ],
    operands: [{ name: 'message', nargs: '+' }],
  };

  async run(): Promise<number> {
    const severity = this.args.str('severity', 'notice');
    const sev = SEVERITIES.indexOf(severity);
    if (sev < 0) {
      this.fail(`invalid severity '${severity}' (use one of ${SEVERITIES.join(', ')})`);
    }
    const h = await this.connect();
    await h.rpc('log.append', { entries: [{ severity: sev, appname: this.args.str('appname', 'logger'), text: this.args.operands.join(' ') }] });
    return 0;
  }
}
