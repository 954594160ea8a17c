/**
 * The bash completion script of `flux`, generated from the command specs:
 * command words, the sub-commands of a command word (`flux job <TAB>`), the
 * options of each command (`flux run --<TAB>`), command words after
 * `flux help`, and files elsewhere. Options are offered as `--long` and `-s`.
 */
import type { CommandSpec, OptionSpec } from '../options';

/** the front end's own options (cli/main.ts) */
const FRONT_END = ['-h', '--help', '-v', '--verbose', '-V', '--version', '-p', '--parent', '-r', '--root'];

function optionWords(options: readonly OptionSpec[]): string[] {
  const out: string[] = [];
  for (const o of options) {
    if (o.hidden) continue;
    out.push(`--${o.name}`);
    if (o.short) out.push(`-${o.short}`);
  }
  return [...out, '--help', '-h'];
}

/** a word list as one single-quoted bash word (our words never hold a quote) */
const q = (words: readonly string[]): string => `'${[...new Set(words)].join(' ').replace(/'/g, '')}'`;

export function bashCompletion(given: readonly CommandSpec[]): string {
  // a getopt command with optparse sub-commands (flux pmi barrier): each is a command of its own here
  const specs: CommandSpec[] = [];
  for (const s of given) {
    specs.push(s);
    for (const sub of s.subcommands ?? []) specs.push({ ...sub, path: [s.path[0]!, sub.path[sub.path.length - 1]!] });
  }
  const words = [...new Set(specs.map((s) => s.path[0]!))].sort();
  const subs = new Map<string, string[]>();
  for (const s of specs) {
    if (s.path.length < 2) continue;
    const l = subs.get(s.path[0]!) ?? [];
    l.push(s.path[1]!);
    subs.set(s.path[0]!, l);
  }
  const subCases = [...subs].map(([w, l]) => `    ${w}) echo ${q(l.sort())} ;;`);
  const optCases = specs.map((s) => `    ${JSON.stringify(s.path.join(' '))}) echo ${q(optionWords(s.options))} ;;`);
  return `# bash completion for flux (flux-ts), generated from its command specs by
# \`flux completion bash\`. Load it with:  source <(flux completion bash)

_flux_commands=${q(words)}

_flux_subcommands() {
  case "$1" in
${subCases.join('\n')}
  esac
}

_flux_options() {
  case "$1" in
${optCases.join('\n')}
  esac
}

_flux() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  local cmd= sub= i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    case "$w" in -*) continue ;; esac
    if [[ -z $cmd ]]; then
      cmd=$w
    elif [[ -z $sub && -n $(_flux_subcommands "$cmd") ]]; then
      sub=$w
      break
    else
      break
    fi
  done
  COMPREPLY=()
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W ${q(FRONT_END)} -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$_flux_commands" -- "$cur"))
    fi
    return 0
  fi
  if [[ $cmd == help && $cur != -* ]]; then
    COMPREPLY=($(compgen -W "$_flux_commands" -- "$cur"))
    return 0
  fi
  local subs
  subs=$(_flux_subcommands "$cmd")
  if [[ -n $subs && -z $sub ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W '--help -h' -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    local key=$cmd
    [[ -n $sub ]] && key="$cmd $sub"
    COMPREPLY=($(compgen -W "$(_flux_options "$key")" -- "$cur"))
    return 0
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}

complete -o filenames -F _flux flux
`;
}
