/**
 * The banner a broker in recovery mode (flux start --recovery) prints before
 * an interactive initial program: what recovery means and where the state
 * it is working on lives.
 */

const RULE = '+-----------------------------------------------------';

export function recoveryBanner(attr: (name: string) => string | undefined): string {
  const row = (name: string, value: string) => `| ${name.padEnd(18)} ${value}`;
  const rc = (name: string) => {
    const v = attr(name);
    return v === undefined || v === '' ? 'none' : v;
  };
  // no backing store (a statedir removed at exit, or content.backing-module=none): nothing outlives the instance
  const temporary = attr('content.backing-module') === 'none';
  return [
    RULE,
    '| Entering Flux recovery mode.',
    '| All resources will be offline during recovery.',
    '| Any rc1 failures noted above may result in',
    '|  reduced functionality until manually corrected.',
    '|',
    row('broker.rc1_path', rc('broker.rc1_path')),
    row('broker.rc3_path', rc('broker.rc3_path')),
    row('config.path', attr('config.path') ?? 'unknown'),
    temporary ? '| changes will not be preserved' : row('statedir', attr('statedir') ?? 'unknown'),
    '|',
    '| Exit this shell when finished.',
    RULE,
    '',
  ].join('\n');
}
