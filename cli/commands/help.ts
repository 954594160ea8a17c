/**
 * flux help [CMD]: without CMD the front end's summary (commands by group, on
 * stderr, as Flux); with CMD its manual page (cli/help/show-page.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { frontEndUsage } from '../help/usage';
import { showPage } from '../help/show-page';

/** the command words of this build (dist/cli/command-index.json) */
export function commandWords(): Set<string> {
  const f = path.join(__dirname, '..', 'command-index.json');
  return new Set(Object.keys(JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>));
}

export class HelpCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['help'],
    grammar: 'getopt',
    prog: 'flux help',
    summary: 'Display the flux command summary or a command manual page',
    docLine: true,
    usage: '[OPTIONS] [COMMAND]',
    options: [],
    operands: [{ name: 'COMMAND', nargs: '?' }],
  };

  async run(): Promise<number> {
    const topic = this.args.operands[0];
    if (topic === undefined) {
      process.stderr.write(frontEndUsage(commandWords()));
      return 0;
    }
    const r = showPage(topic);
    if ('error' in r) this.fail(r.error);
    return r.status;
  }
}
