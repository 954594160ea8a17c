/**
 * flux config load/reload for the job manager (BrokerModule.configReload):
 * the purge limits of [job-manager], [policy] (defaults and limits: the next
 * submit is checked against them) and [queues] (a new queue is enabled and,
 * as at start, stopped until `flux queue start`; a removed one goes) change
 * live. Refused, with the key named and nothing applied: other [job-manager]
 * keys, removing a queue that holds an active job, and switching between no
 * queues and named queues while jobs are active.
 */
import { einval, type ConfigApply } from '../../kernel/api';
import { encodeF58 } from '../../lib/formats';
import { ACTIVE } from './job';
import type { Manager } from './manager';
import { purgeConfig } from './purge';
import { queuePolicy } from './queues';

type Obj = Record<string, unknown>;

const LIVE_KEYS = new Set(['inactive-age-limit', 'inactive-num-limit']);

export function jobManagerReload(m: Manager, next: Readonly<Obj>, prev: Readonly<Obj>): ConfigApply {
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
  for (const job of m.jobs.values()) {
    if (!(job.state & ACTIVE)) continue;
    const f58 = encodeF58(job.id);
    if (job.queue === undefined && names.size > 0) throw einval(`queues: job ${f58} is active without a queue: named queues can be configured once it is inactive`);
    if (job.queue !== undefined && !names.has(job.queue)) throw einval(`queues.${job.queue}: cannot be removed while job ${f58} is active in it`);
  }
  return () => {
    m.policy = policy;
    for (const name of [...m.queueState.keys()]) if (!names.has(name)) m.queueState.delete(name);
    for (const q of policy.queues) if (!m.queueState.has(q.name)) m.queueState.set(q.name, { enable: true, start: false });
    m.setPurgeLimits(limits);
    m.kick();
  };
}
