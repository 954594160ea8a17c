/**
 * The broker's command line (flux-broker(1)): options up to the first word that
 * is not one, then the initial program. `-S NAME=VALUE` sets attributes,
 * `-c PATH` the config path, `-v` verbosity; errors name the bad option.
 */
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';

export interface BrokerArgs {
  setattrs: Array<[string, string]>;
  configPath?: string;
  confOverrides: string[];
  verbose: number;
  program: string[];
}

export function parseBrokerArgs(argv: readonly string[]): BrokerArgs {
  const out: BrokerArgs = { setattrs: [], confOverrides: [], verbose: 0, program: [] };
  let i = 0;
  const value = (opt: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = argv[++i];
    if (v === undefined) throw new FluxError(Errno.EINVAL, `option '${opt}' requires an argument`);
    return v;
  };
  const setattr = (s: string) => {
    const eq = s.indexOf('=');
    if (eq < 0) out.setattrs.push([s, '']);
    else out.setattrs.push([s.slice(0, eq), s.slice(eq + 1)]);
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      switch (name) {
        case 'setattr':
          setattr(value(a, inline));
          break;
        case 'config-path':
          out.configPath = value(a, inline);
          break;
        case 'conf':
          out.confOverrides.push(value(a, inline));
          break;
        case 'verbose':
          out.verbose += inline !== undefined ? Number(inline) || 1 : 1;
          break;
        default:
          throw new FluxError(Errno.EINVAL, `unrecognized option '${a}'`);
      }
      continue;
    }
    // short options, possibly clustered (-vv) or with attached values (-Sa=b)
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const rest = a.slice(j + 1);
      if (c === 'v') {
        out.verbose++;
        continue;
      }
      if (c === 'S' || c === 'c') {
        const v = value(`-${c}`, rest.length > 0 ? rest : undefined);
        if (c === 'S') setattr(v);
        else out.configPath = v;
        break;
      }
      throw new FluxError(Errno.EINVAL, `invalid option -- '${c}'`);
    }
  }
  out.program = argv.slice(i) as string[];
  return out;
}
