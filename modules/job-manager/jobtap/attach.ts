/** Wires the jobtap host to the job manager: the backend it acts through, the builtins, the event observer. */
import type { Handle } from '../../../kernel/api';
import { OWNER_UID } from '../../../lib/owner-uid';
import { ACTIVE, type Job } from '../job';
import type { Manager } from '../manager';
import { BUILTINS } from './builtins';
import { JobtapHost } from './host';

type Obj = Record<string, unknown>;

export function attachJobtap(m: Manager, h: Handle, config: Readonly<Obj>): JobtapHost {
  const host = new JobtapHost({
    log: h.log.bind(h),
    config,
    job: (id) => m.jobs.get(id),
    activeJobs: function* (): Iterable<Job> {
      for (const j of m.jobs.values()) if (j.state & ACTIVE) yield j;
    },
    dependencyAdd: (job, d) => m.dependencyAdd(job, d),
    dependencyRemove: (job, d) => m.dependencyRemove(job, d),
    postEvent: (job, name, context) => m.events.post(job.kvsdir, name, context),
    raise: (job, type, severity, note) => m.raise(job, type, severity, note),
    reprioritize: (jobs) => m.reprioritize(jobs),
    perilogStart: (job, kind, d) => m.perilogStart(job, kind, d),
    perilogFinish: (job, kind, d, status) => m.perilogFinish(job, kind, d, status),
    getattr: (name) => h.getattr(name),
    setUrgency: (job, urgency) => void m.setUrgency(job, urgency, OWNER_UID),
    allocBypass: (job, R) => m.allocBypass(job, R),
  });
  for (const p of BUILTINS) host.loadBuiltin(p);
  m.events.onPost = (kvsdir, name, context) => host.event(kvsdir, name, context);
  return host;
}
