/**
 * The `flux` front end's own options, read as Flux's liboptparse (getopt_long)
 * reads them: short flags may be bundled (`flux -pp` is `flux -p -p`, the
 * grandparent; `-vp`), a long option may be abbreviated to a unique prefix
 * (`--par`), none takes an argument, and `--` ends them.
 */
const LONG: Record<string, string> = { help: 'h', verbose: 'v', version: 'V', parent: 'p', root: 'r' };

/**
 * The flags one front-end word stands for (`-pp` → ['p', 'p'], `--root` →
 * ['r'], `--` → []), or the liboptparse error for a word that is not one.
 */
export function frontEndFlags(word: string): string[] | { error: string } {
  if (word === '--') return [];
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    const name = word.slice(2, eq < 0 ? undefined : eq);
    const near = Object.keys(LONG).filter((n) => n.startsWith(name));
    const hit = Object.hasOwn(LONG, name) ? name : near.length === 1 ? near[0] : undefined;
    if (hit === undefined || name === '') return { error: `unrecognized option '${word}'` };
    // a flag given an argument: getopt names its short letter
    if (eq >= 0) return { error: `unrecognized option '-${LONG[hit]!}'` };
    return [LONG[hit]!];
  }
  const flags = [...word.slice(1)];
  const bad = flags.find((c) => !'hvVpr'.includes(c));
  if (bad !== undefined) return { error: `unrecognized option '-${bad}'` };
  return flags;
}
