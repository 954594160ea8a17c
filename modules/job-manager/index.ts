/**
 * job-manager: owns job state (RFC 21) and the queue. Services (payloads in
 * docs/guide/internal-contracts.md and modules/job-manager/README.md):
 * submit, list, raise, raiseall, kill, killall, urgency, update (update.ts), wait, wait-inactive, drain,
 * idle, pending-watch, queue-status, queue-enable, queue-start (each with an optional
 * `queue` name), queue-list, validate (defaults, queue and limits at submit, queues.ts),
 * sched-hello, sched-ready,
 * purge, purge-id, stats-get, jobtap, jobtap-query (plugins: jobtap/service.ts).
 */
import { Errno, FluxError, NO_RESPONSE, defineModule, einval, methods, tryParseJobId, type BrokerModule, type ModuleScope } from '../../kernel/api';
import { jobManagerProtocol, type JobManagerProtocol } from '../../lib/protocol/job-manager';
import { ACTIVE, PENDING, RUNNING, State, type Job } from './job';
import { Manager } from './manager';
import { purgeConfig } from './purge';
import { jobManagerConfigSchema } from './config-schema';
import { queuePolicy, validateJobspec, type QueuePolicy } from './queues';
import { exceptionTypeOf, severityOf, signumOf, urgencyOf } from './checks';
import { jobtapHandlers } from './jobtap/service';
import { pluginEntries } from './jobtap/config';
import { updateJob } from './update';
import { checkOwnJob, guestUserid, isOwner } from './guest';
import { jobManagerReload } from './reconfig';

type Obj = Record<string, unknown>;
/** handler entries checked against modules/job-manager/protocol.avsc */
const method = methods<JobManagerProtocol>();
/** a JSON object's fields (a shallow copy: the schema says only that it is an object) */
const fields = (o: object): Obj => Object.fromEntries(Object.entries(o));
/** a handler a guest may call (it checks job ownership itself where it acts: ./guest.ts) */
const guest = { ownerOnly: false } as const;

/** a job id the job manager can hold (the schema checked it is a non-negative integer) */
function idOf(id: number): number {
  if (!Number.isSafeInteger(id)) throw einval('malformed job id');
  return id;
}

/** pending first (priority desc, id asc), then running (t_run desc), then inactive (t_inactive desc) */
function listOrder(a: Job, b: Job): number {
  const g = (j: Job) => (j.state & PENDING ? 0 : j.state & RUNNING ? 1 : 2);
  const ga = g(a);
  const gb = g(b);
  if (ga !== gb) return ga - gb;
  if (ga === 0) return b.priority - a.priority || a.id - b.id;
  if (ga === 1) return (b.t_run ?? 0) - (a.t_run ?? 0) || b.id - a.id;
  return (b.t_inactive ?? 0) - (a.t_inactive ?? 0) || b.id - a.id;
}

export default defineModule({
  name: 'job-manager',
  description: 'Job state machine, queue and eventlog writer',
  ranks: 'leader',
  config: jobManagerConfigSchema,
  protocol: jobManagerProtocol,
  create(scope: ModuleScope): BrokerModule {
    const h = scope.handle;
    const m = new Manager(h, purgeConfig(scope.config), queuePolicy(scope.config), scope.config);
    /** a named queue from a request, EINVAL when there is no such queue */
    const named = (q: string | null | undefined): string | undefined => {
      if (q === undefined || q === null) return undefined;
      if (!m.queueState.has(q)) throw einval(`'${q}' is not a valid queue`);
      return q;
    };
    return {
      handlers: [
        ...jobtapHandlers(m.jobtap),
        method('submit', async (p) => {
          await m.submit(p.jobs.map((j) => ({ ...j, jobspec: fields(j.jobspec) })));
          return {};
        }),
        method('list', (p) => {
          const states = p.states ? p.states : ACTIVE | State.INACTIVE;
          const userid = p.userid ?? -1;
          const max = p.max && p.max > 0 ? p.max : 0;
          let sel: Job[];
          if (p.ids) {
            sel = [];
            for (const id of p.ids) {
              const j = m.jobs.get(id);
              if (j) sel.push(j);
            }
          } else {
            sel = [...m.jobs.values()].filter((j) => j.state & states && (userid < 0 || j.userid === userid));
            sel.sort(listOrder);
            if (max > 0) sel = sel.slice(0, max);
          }
          return { jobs: sel.map((j) => j.summary()) };
        }, guest),
        method('raise', (p, msg) => {
          const sev = severityOf(p.severity, 0);
          const type = exceptionTypeOf(p.type);
          const job = m.get(idOf(p.id));
          checkOwnJob(msg, job, 'raise exceptions on');
          m.raise(job, type, sev, p.note ?? '', msg.userid);
          return {};
        }, guest),
        method('raiseall', (p, msg) => {
          const states = p.states ? p.states : ACTIVE;
          const userid = guestUserid(msg, p.userid ?? msg.userid, 'raise exceptions on');
          const sev = severityOf(p.severity, 0);
          const type = exceptionTypeOf(p.type);
          const note = p.note ?? '';
          const targets = [...m.jobs.values()].filter((j) => j.state & states && j.state & ACTIVE && (userid < 0 || j.userid === userid));
          let errors = 0;
          if (p.dry_run !== true) {
            for (const j of targets) {
              try {
                m.raise(j, type, sev, note, msg.userid);
              } catch {
                errors++;
              }
            }
          }
          return { count: targets.length, errors };
        }, guest),
        method('killall', (p, msg) => {
          const userid = guestUserid(msg, p.userid ?? msg.userid, 'kill');
          const signum = signumOf(p.signum);
          const targets = [...m.jobs.values()].filter((j) => j.state & RUNNING && (userid < 0 || j.userid === userid));
          if (p.dry_run !== true) for (const j of targets) if (j.execRunning) m.signal(j, signum);
          return { count: targets.length, errors: 0 };
        }, guest),
        method('kill', (p, msg) => {
          const job = m.get(idOf(p.id));
          checkOwnJob(msg, job, 'kill');
          const signum = p.signum ?? 15;
          if (signum <= 0 || signum >= 65) throw einval(`invalid signal number ${signum}`);
          if (job.state === State.INACTIVE) throw einval('job is inactive');
          if (!(job.state & RUNNING) || !job.execRunning) throw einval('job is not running');
          m.signal(job, signum);
          return {};
        }, guest),
        method('memo', (p) => {
          // memo {id (number or any encoding), memo: {key: value}}: small facts about
          // a job for tools, e.g. the uri a Flux instance running as the job posts
          const id = typeof p.id === 'string' ? tryParseJobId(p.id) : idOf(p.id);
          const memo = p.memo;
          if (id === undefined) throw einval('malformed job id');
          if (typeof memo !== 'object' || memo === null || Array.isArray(memo) || JSON.stringify(memo).length > 1024) {
            throw einval('memo must be an object of at most 1 KiB');
          }
          const job = m.jobs.get(Number(id));
          if (!job) throw einval('unknown job');
          if (job.state === State.INACTIVE) throw einval('job is inactive');
          m.events.post(job.kvsdir, 'memo', fields(memo));
          return {};
        }),
        method('urgency', (p, msg) => {
          const urgency = urgencyOf(p.urgency);
          const job = m.jobs.get(idOf(p.id));
          if (!job) throw einval('unknown job');
          checkOwnJob(msg, job, 'adjust urgency of');
          if (!isOwner(msg) && urgency > 16) throw new FluxError(Errno.EPERM, 'guests can only adjust urgency <= 16');
          return { old_urgency: m.setUrgency(job, urgency, msg.userid) };
        }, guest),
        method('update', (p, msg) => updateJob(m, h, p.id, fields(p.updates), msg), { ownerOnly: false }),
        method('wait', (p, msg) => {
          const r = m.waitFor(p.id === undefined || p.id === null ? undefined : idOf(p.id), msg);
          return r ?? NO_RESPONSE;
        }),
        method('pending-watch', (p, msg) => {
          // streaming: why the scheduler cannot start a pending job ({reason}), until it leaves the queue
          m.watchPending(m.get(idOf(p.id)), msg);
          return NO_RESPONSE;
        }, guest),
        method('wait-inactive', (p, msg) => {
          const job = m.get(idOf(p.id));
          if (job.state === State.INACTIVE) return job.summary();
          m.waiters.addInactive(job.id, msg);
          return NO_RESPONSE;
        }, guest),
        method('drain', (_p, msg) => {
          if (m.nActive === 0) return {};
          m.waiters.drain.push(msg);
          return NO_RESPONSE;
        }),
        method('idle', (_p, msg) => {
          if (m.nRunning === 0) return { pending: m.counts().pending };
          m.waiters.idle.push(msg);
          return NO_RESPONSE;
        }),
        method('queue-status', (p) => {
          const c = m.counts();
          const o: Obj = { enable: m.enable, start: m.started, queued: c.queued, pending: c.allocPending, running: c.running };
          if (!m.enable) o['reason'] = m.disableReason ?? 'disabled by administrator';
          const q = named(p.queue);
          if (m.queueState.size > 0) {
            o['queues'] = [...m.queueState]
              .filter(([name]) => q === undefined || q === name)
              .map(([name, st]) => ({ name, enable: st.enable, start: st.start, ...(st.enable ? {} : { reason: st.reason }) }));
          }
          return o;
        }, guest),
        method('queue-enable', (p) => {
          const enable = p.enable !== false;
          const reason = enable ? undefined : p.reason ? p.reason : 'disabled by administrator';
          const q = named(p.queue);
          if (m.queueState.size === 0) {
            m.enable = enable;
            m.disableReason = reason;
          }
          for (const [name, st] of m.queueState) {
            if (q !== undefined && q !== name) continue;
            st.enable = enable;
            st.reason = reason;
          }
          return m.checkpoint(p.nocheckpoint !== true).then(() => ({}));
        }),
        method('queue-start', (p) => {
          m.setStarted(p.start !== false, named(p.queue));
          return m.checkpoint(p.nocheckpoint !== true).then(() => ({}));
        }),
        method('queue-list', () => listQueues(m.policy), { ownerOnly: false }),
        // job-ingest asks before the scheduler's feasibility check: defaults, queue, limits, queue constraints
        method('validate', (p) => ({ jobspec: validateJobspec(m.policy, fields(p.jobspec ?? {})) }), { ownerOnly: false }),
        method('sched-hello', () => m.schedHello()),
        method('sched-ready', (p) => m.schedReady(p.mode, p.limit)),
        method('getinfo', () => ({ max_jobid: m.maxId })),
        method('purge', (p) => {
          const num = (k: string, v: number | null | undefined): number | undefined => {
            if (v === undefined || v === null || v < 0) return undefined;
            if (!Number.isFinite(v)) throw einval(`purge: ${k} must be a number`);
            return v;
          };
          const ageLimit = num('age_limit', p.age_limit);
          const numLimit = num('num_limit', p.num_limit);
          if (numLimit !== undefined && !Number.isInteger(numLimit)) throw einval('purge: num_limit must be an integer');
          const batch = num('batch', p.batch) ?? 0;
          if (ageLimit === undefined && numLimit === undefined) return { count: 0 };
          return { count: m.purgeLimits({ ageLimit, numLimit }, p.force === true || p.force === 1, Math.floor(batch)) };
        }),
        method('purge-id', (p) => {
          const job = m.get(idOf(p.id));
          if (job.state !== State.INACTIVE) throw einval('cannot purge active job');
          if (p.force === true || p.force === 1) m.purge(job);
          return { count: 1 };
        }),
        method('stats-get', (p) => {
          const o: Obj = {
            active_jobs: m.nActive,
            inactive_jobs: m.inactive.size,
            inactive_purged: m.nPurged,
            total_jobs: m.jobs.size,
            max_jobid: m.maxId,
            ...m.counts(),
          };
          // debug: {memory: true} adds the broker's process.memoryUsage(), after a
          // full GC when {gc: true} and the broker runs with node --expose-gc
          if (p.memory === true) {
            if (p.gc === true) (globalThis as { gc?: () => void }).gc?.();
            o['memory'] = process.memoryUsage();
          }
          return o;
        }),
        method(
          'disconnect',
          (_p, msg) => {
            m.waiters.disconnect(msg.route[0] ?? '');
            return NO_RESPONSE;
          },
          { ownerOnly: false },
        ),
      ],
      async start() {
        // [job-manager] plugins, in order, before the jobs of an earlier run come back
        for (const e of pluginEntries(scope.config)) {
          try {
            await m.jobtap.load(e.load, e.conf);
          } catch (err) {
            throw einval(`[job-manager] plugins: ${(err as Error).message}`);
          }
        }
        await m.restore();
      },
      configReload: (next, prev) => jobManagerReload(m, next, prev),
      async stop() {
        m.shutdown();
        await m.checkpoint();
      },
    };
  },
});

/** The configured queues and policy for `flux queue list` and `flux resource list` (durations in seconds, -1: none). */
function listQueues(p: QueuePolicy): Obj {
  const lim = (l: QueuePolicy['limits']) => ({
    duration: l.duration !== undefined && Number.isFinite(l.duration) ? l.duration : -1,
    min: l.min,
    max: l.max,
  });
  return {
    default: p.defaultQueue ?? null,
    defaultDuration: p.defaultDuration ?? -1,
    limits: lim(p.limits),
    queues: p.queues.map((q) => ({ name: q.name, requires: q.requires ?? [], defaultDuration: q.defaultDuration ?? -1, limits: lim(q.limits) })),
  };
}
