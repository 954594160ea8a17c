/**
 * The front end's summary, as Flux prints it for `flux help`, `flux --help`
 * and a bare `flux`: its own options, then the commands by group. Only the
 * commands this build has are listed (`have` is the command index's words).
 */
import { HELP_GROUPS } from './groups';

export function frontEndUsage(have: ReadonlySet<string>): string {
  const lines = [
    'Usage: flux [OPTIONS] COMMAND ARGS',
    '  -h, --help             Display this message.',
    '  -v, --verbose          Be verbose about environment and command search',
    '  -V, --version          Display command and component versions',
    '  -p, --parent           Set environment of parent instead of current instance',
    '  -r, --root             Set environment of root instead of current instance',
    '',
    'For general Flux documentation, please visit',
    '    https://flux-framework.readthedocs.io',
  ];
  for (const g of HELP_GROUPS) {
    const present = g.entries.filter((e) => e.name.split('/').every((w) => have.has(w)));
    if (present.length === 0) continue;
    lines.push('', g.title);
    for (const e of present) lines.push(`   ${e.name.padEnd(18)} ${e.description}`);
  }
  lines.push('', "See 'flux help COMMAND' for more information about a specific command.");
  return lines.join('\n') + '\n';
}
