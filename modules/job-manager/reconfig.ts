/**
 * flux config load/reload for the job manager (BrokerModule.configReload):
 * the purge limits of [job-manager], [policy] (defaults and limits: the next
 * submit is checked against them) and [queues] change live. A new queue is
 * enabled and, as at start, stopped until `flux queue start`; a removed one
 * goes, as in Flux even while jobs are in it: its running jobs run on, its
 * pending ones stay pending (./stranded.ts) until it is configured again.
 * [job-manager.housekeeping] applies to the jobs that end from then on.
 * Refused, with the key named and nothing applied: other [job-manager] keys.
 */
import { einval, type ConfigApply, type Handle } from '../../kernel/api';
import type { Manager } from './manager';
import { execSettings } from '../../lib/config/exec-settings';
import { purgeConfig } from './purge';
import { queuePolicy } from './queues';
import { strandedJobs, strandedNote } from './stranded';
import { housekeepingSettings } from './housekeeping/config';

type Obj = Record<string, unknown>;

const LIVE_KEYS = new Set(['inactive-age-limit', 'inactive-num-limit', 'housekeeping']);

export function jobManagerReload(m: Manager, next: Readonly<Obj>, prev: Readonly<Obj>, log: Handle['log']): ConfigApply {
  const jn = (next['job-manager'] ?? {}) as Obj;
  const jp = (prev['job-manager'] ?? {}) as Obj;
  for (const k of new Set([...Object.keys(jn), ...Object.keys(jp)])) {
    if (!LIVE_KEYS.has(k) && JSON.stringify(jn[k]) !== JSON.stringify(jp[k])) {
      throw einval(`job-manager.${k}: cannot be changed on a running instance (flux module reload job-manager)`);
    }
  }
  const limits = purgeConfig(next);
  const policy = queuePolicy(next);
  const names = new Set(policy.queues.map((q) => q.name));
  // a changed [job-manager.housekeeping] applies to the jobs that end from now on
  const hkChanged = JSON.stringify(jn['housekeeping']) !== JSON.stringify(jp['housekeeping']) || JSON.stringify((next['exec'] as Obj | undefined)?.['imp']) !== JSON.stringify((prev['exec'] as Obj | undefined)?.['imp']);
  const hk = hkChanged ? housekeepingSettings(next) : undefined;
  // [exec] kill-timeout, kill-signal, max-kill-count and max-kill-timeout move the backstop as they move job-exec
  const exec = execSettings(next);
  return () => {
    if (hkChanged) m.housekeeping.configure(hk);
    m.exec = exec;
    const before = new Set(strandedJobs(m.jobs.values(), m.queueState));
    m.policy = policy;
    for (const name of [...m.queueState.keys()]) if (!names.has(name)) m.queueState.delete(name);
    for (const q of policy.queues) if (!m.queueState.has(q.name)) m.queueState.set(q.name, { enable: true, start: false });
    m.setPurgeLimits(limits);
    // a removed queue's jobs wait, as a stopped queue's do
    m.withdrawUnstarted();
    for (const job of strandedJobs(m.jobs.values(), m.queueState)) if (!before.has(job)) log('err', `config reload: ${strandedNote(job)}`);
    m.kick();
  };
}
