/** The argparse commands' --color[=WHEN]: never, always, or auto (the default: when stdout is a terminal and NO_COLOR is unset). */
export function colorWanted(opt: { value: string } | undefined, usage: (msg: string) => never): boolean {
  const when = opt === undefined ? 'auto' : opt.value || 'always';
  if (when !== 'never' && when !== 'always' && when !== 'auto') usage(`argument --color: invalid choice: '${when}' (choose from 'never', 'always', 'auto')`);
  return when === 'always' || (when === 'auto' && process.stdout.isTTY === true && !process.env['NO_COLOR']);
}
