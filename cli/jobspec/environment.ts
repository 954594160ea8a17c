/**
 * The job environment from `--env` rules (flux-submit(1) ENVIRONMENT): start
 * from the whole submitter environment, then apply each rule in order:
 * `-PATTERN` remove, `^FILE` read rules from a file, `VAR=VAL` set (with $VAR
 * expansion; an unknown mustache tag is refused, the known ones are left for
 * the job shell), bare `PATTERN` import from the submitter's environment.
 */
import * as fs from 'node:fs';
import { SubmitOptionError } from './types';
import { errnoFromCode, strerror } from '../../lib/errno';
import { badTagPhrase, unknownTag } from '../../lib/formats/template-tags';

/**
 * A rule's PATTERN: a shell glob, or with a leading `/` a regular expression
 * (its closing `/` optional), matched from the start of the name as Flux's
 * re.match() does. A bad expression is refused.
 */
function globToRegex(pat: string): RegExp {
  if (pat.startsWith('/')) {
    const body = pat.slice(1).replace(/\/+$/, '');
    try {
      return new RegExp(`^(?:${body})`);
    } catch (e) {
      throw new SubmitOptionError(`--env: invalid regular expression '${pat}': ${(e as Error).message.split(': ').pop()}`);
    }
  }
  const re = pat.replace(/[.+^$()|\\{}]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.').replace(/\[!/g, '[^');
  return new RegExp(`^${re}$`);
}

function expand(val: string, rule: string, env: Record<string, string>): string {
  return val.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a?: string, b?: string) => {
    if (m === '$$') return '$';
    const name = (a ?? b)!;
    const v = env[name];
    if (v === undefined) throw new SubmitOptionError(`--env: Variable '${name}' not found in ${rule}`);
    return v;
  });
}

/** Apply env rules to a copy of `base` (the submitter's environment). */
export function jobEnvironment(rules: readonly string[], base: NodeJS.ProcessEnv): Record<string, string> {
  const src: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) src[k] = v;
  const env: Record<string, string> = { ...src };
  const apply = (rule: string, depth: number): void => {
    if (rule.startsWith('-')) {
      const re = globToRegex(rule.slice(1));
      for (const k of Object.keys(env)) if (re.test(k)) delete env[k];
    } else if (rule.startsWith('^')) {
      if (depth > 8) throw new SubmitOptionError(`--env: ${rule}: rule files nested too deeply`);
      let text: string;
      try {
        text = fs.readFileSync(rule.slice(1), 'utf8');
      } catch (e) {
        throw new SubmitOptionError(`--env: ${rule.slice(1)}: ${strerror(errnoFromCode((e as NodeJS.ErrnoException).code))}`);
      }
      for (const line of text.split('\n')) {
        const t = line.trim();
        if (t && !t.startsWith('#')) apply(t, depth + 1);
      }
    } else if (rule.includes('=')) {
      const i = rule.indexOf('=');
      const val = expand(rule.slice(i + 1), rule, { ...src, ...env });
      // mustache tags are the job shell's, per task: one it does not know is refused now
      const bad = unknownTag(val);
      if (bad !== undefined) throw new SubmitOptionError(`--env: ${badTagPhrase(bad)} in ${rule}`);
      env[rule.slice(0, i)] = val;
    } else {
      const re = globToRegex(rule);
      for (const [k, v] of Object.entries(src)) if (re.test(k) && !(k in env)) env[k] = v;
    }
  };
  for (const r of rules) apply(r, 0);
  return env;
}
