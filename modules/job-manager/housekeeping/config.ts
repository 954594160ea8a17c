/**
 * `[job-manager.housekeeping]` (flux-config-job-manager(5)): the command the
 * job manager runs on each of a job's nodes after the job, before those nodes
 * go back to the scheduler, and when they go back (`release-after`). Checked
 * with the rest of the config at start (file:line on a bad value);
 * housekeepingSettings() reads the checked table, and is called again on
 * `flux config reload` (a changed table applies to later jobs).
 */
import { einval, fsd, type ConfigSpec } from '../../../kernel/api';
import { commandSpec } from '../jobtap/perilog-config';

type Obj = Record<string, unknown>;

export interface HousekeepingSettings {
  command: string[];
  /** seconds: -1 = all ranks together (unset), 0 = each as it completes, > 0 = a timer from the first completion */
  releaseAfter: number;
}


const releaseAfter: ConfigSpec = {
  kind: 'custom',
  what: 'a duration (FSD)',
  check: (v) => (typeof v === 'string' && fsd.tryParse(v) !== undefined ? undefined : `${JSON.stringify(v)}: FSD parse error (a duration such as "0", "30s" or "1m")`),
};

export const housekeepingConfigKeys: Readonly<Record<string, ConfigSpec>> = {
  housekeeping: {
    kind: 'table',
    keys: {
      command: commandSpec,
      'release-after': releaseAfter,
      // deprecated in Flux (logged and ignored)
      'use-systemd-unit': { kind: 'boolean' },
    },
  },
};

/**
 * The settings of [job-manager.housekeeping], undefined when the table is
 * absent (housekeeping not configured). Without `command`, Flux runs
 * `IMP run housekeeping`: that needs [exec] imp.
 */
export function housekeepingSettings(config: Readonly<Obj>): HousekeepingSettings | undefined {
  const t = ((config['job-manager'] ?? {}) as Obj)['housekeeping'] as Obj | undefined;
  if (t === undefined) return undefined;
  let releaseAfter = -1;
  const ra = t['release-after'];
  if (ra !== undefined) {
    const s = typeof ra === 'string' ? fsd.tryParse(ra) : undefined;
    if (s === undefined) throw einval('job-manager.housekeeping.release-after FSD parse error');
    releaseAfter = s;
  }
  const cmd = t['command'];
  if (cmd !== undefined) {
    if (!Array.isArray(cmd) || cmd.length === 0 || cmd.some((x) => typeof x !== 'string')) throw einval('job-manager.housekeeping.command: must be a non-empty array of strings');
    return { command: cmd as string[], releaseAfter };
  }
  const imp = ((config['exec'] ?? {}) as Obj)['imp'];
  if (typeof imp !== 'string') throw einval('job-manager.housekeeping implies IMP but exec.imp is undefined');
  // Flux would run `IMP run housekeeping`; flux-ts's flux-imp has no `run`
  // (flux-imp(8)): refused here rather than failing, and draining, every node
  throw einval("job-manager.housekeeping: no command: flux-ts's flux-imp has no 'run housekeeping' (set command)");
}
