/**
 * job-exec's config table, `[exec]` (flux-config-exec(5)):
 *
 *   shell-plugins = ["/site/shell/plugin.js", ...]
 *   imp = "/usr/local/libexec/flux-ts/flux-imp"
 *
 * shell-plugins: job-shell plugins every job of the instance loads after the
 * built-ins (and before a job's own `-o plugin`), in order; absolute paths. A
 * file that does not load fails each job with that one line, as `-o plugin` does.
 * imp: the IMP (flux-imp(8)) through which a guest's job runs as its submitter;
 * without it such a job is refused.
 * kill-timeout, term-signal, kill-signal: a job's end after a fatal exception
 * (flux cancel, a timeout): term-signal to its tasks, then kill-signal after
 * kill-timeout (as Flux: SIGTERM, SIGKILL, "5s"; a timeout sends SIGALRM first).
 */
import type { ConfigSchema } from '../../kernel/api';
import { signalNumber } from '../../lib/config/exec-settings';

export { DEFAULT_EXEC, execSettings, type ExecSettings } from '../../lib/config/exec-settings';

const signalSpec = {
  kind: 'custom' as const,
  what: 'a signal name or number',
  check: (v: unknown) => (signalNumber(v) !== undefined ? undefined : `${JSON.stringify(v)} is not a signal (e.g. "SIGTERM" or 15)`),
};

export const execConfigSchema: ConfigSchema = {
  exec: {
    kind: 'table',
    keys: {
      'shell-plugins': {
        kind: 'custom',
        what: 'a list of absolute paths of shell plugin files',
        check: (v) =>
          Array.isArray(v) && v.every((x) => typeof x === 'string' && x.startsWith('/'))
            ? undefined
            : 'must be a list of absolute paths of shell plugin files',
      },
      imp: {
        kind: 'custom',
        what: 'the absolute path of flux-imp',
        check: (v) => (typeof v === 'string' && v.startsWith('/') ? undefined : 'must be the absolute path of flux-imp (npm run install-imp)'),
      },
      'kill-timeout': { kind: 'fsd', finite: true },
      'max-kill-count': { kind: 'integer', min: 1 },
      'max-kill-timeout': { kind: 'fsd', finite: true },
      'barrier-timeout': { kind: 'fsd', finite: true },
      'max-start-delay-percent': {
        kind: 'custom',
        what: 'a percentage, a number 0 or more',
        check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : `must be a percentage (a number, 0 or more), got ${JSON.stringify(v)}`),
      },
      'term-signal': signalSpec,
      'kill-signal': signalSpec,
      // Flux's test execution: whether a guest's job may be simulated (test-exec.ts)
      testexec: { kind: 'table', keys: { 'allow-guests': { kind: 'boolean' } } },
    },
  },
};

export { impPath } from '../../lib/config/imp';

/** the site's shell plugin files of a config document */
export function sitePlugins(config: Readonly<Record<string, unknown>>): string[] {
  const exec = config['exec'] as { 'shell-plugins'?: unknown } | undefined;
  const v = exec?.['shell-plugins'];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
