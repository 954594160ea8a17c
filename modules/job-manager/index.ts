/**
 * job-manager: owns job state (RFC 21) and the queue. Services (payloads in
 * docs/guide/internal-contracts.md and modules/job-manager/README.md):
 * submit, list, raise, raiseall, kill, killall, urgency, update (update.ts), wait, wait-inactive, drain,
 * idle, pending-watch, queue-status, queue-enable, queue-start (each with an optional
 * `queue` name), queue-list, validate (defaults, queue and limits at submit, queues.ts),
 * sched-hello, sched-ready,
 * purge, purge-id, stats-get, jobtap, jobtap-query (plugins: jobtap/service.ts).
 */
import { Errno, FluxError, NO_RESPONSE, defineModule, einval, request, tryParseJobId, type BrokerModule, type Message, type ModuleScope } from '../../kernel/api';
import { ACTIVE, PENDING, RUNNING, State, type Job } from './job';
import { Manager, type SubmitReq } from './manager';
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
const pl = (msg: Message): Obj => (msg.payload ?? {}) as Obj;
/** a handler a guest may call (it checks job ownership itself where it acts: ./guest.ts) */
const guest = { ownerOnly: false } as const;

function idOf(p: Obj): number {
  const id = p['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw einval('malformed job id');
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
  create(scope: ModuleScope): BrokerModule {
    const h = scope.handle;
    const m = new Manager(h, purgeConfig(scope.config), queuePolicy(scope.config), scope.config);
    /** a named queue from a request, EINVAL when there is no such queue */
    const named = (p: Obj): string | undefined => {
      const q = p['queue'];
      if (q === undefined || q === null) return undefined;
      if (typeof q !== 'string' || !m.queueState.has(q)) throw einval(`'${String(q)}' is not a valid queue`);
      return q;
    };
    return {
      handlers: [
        ...jobtapHandlers(m.jobtap),
        request('submit', async (msg) => {
          const jobs = pl(msg)['jobs'];
          if (!Array.isArray(jobs)) throw einval('submit: jobs array is required');
          await m.submit(jobs as SubmitReq[]);
          return {};
        }),
        request('list', (msg) => {
          const p = pl(msg);
          const states = typeof p['states'] === 'number' && p['states'] !== 0 ? p['states'] : ACTIVE | State.INACTIVE;
          const userid = typeof p['userid'] === 'number' ? p['userid'] : -1;
          const max = typeof p['max'] === 'number' && p['max'] > 0 ? p['max'] : 0;
          let sel: Job[];
          if (Array.isArray(p['ids'])) {
            sel = [];
            for (const id of p['ids']) {
              const j = typeof id === 'number' ? m.jobs.get(id) : undefined;
              if (j) sel.push(j);
            }
          } else {
            sel = [...m.jobs.values()].filter((j) => j.state & states && (userid < 0 || j.userid === userid));
            sel.sort(listOrder);
            if (max > 0) sel = sel.slice(0, max);
          }
          return { jobs: sel.map((j) => j.summary()) };
        }, guest),
        request('raise', (msg) => {
          const p = pl(msg);
          const sev = severityOf(p, 0);
          const type = exceptionTypeOf(p);
          const job = m.get(idOf(p));
          checkOwnJob(msg, job, 'raise exceptions on');
          m.raise(job, type, sev, typeof p['note'] === 'string' ? p['note'] : '', msg.userid);
          return {};
        }, guest),
        request('raiseall', (msg) => {
          const p = pl(msg);
          const states = typeof p['states'] === 'number' && p['states'] !== 0 ? p['states'] : ACTIVE;
          const userid = guestUserid(msg, typeof p['userid'] === 'number' ? p['userid'] : msg.userid, 'raise exceptions on');
          const sev = severityOf(p, 0);
          const type = exceptionTypeOf(p);
          const note = typeof p['note'] === 'string' ? p['note'] : '';
          const targets = [...m.jobs.values()].filter((j) => j.state & states && j.state & ACTIVE && (userid < 0 || j.userid === userid));
          let errors = 0;
          if (p['dry_run'] !== true) {
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
        request('killall', (msg) => {
          const p = pl(msg);
          const userid = guestUserid(msg, typeof p['userid'] === 'number' ? p['userid'] : msg.userid, 'kill');
          const signum = signumOf(p);
          const targets = [...m.jobs.values()].filter((j) => j.state & RUNNING && (userid < 0 || j.userid === userid));
          if (p['dry_run'] !== true) for (const j of targets) if (j.execRunning) m.signal(j, signum);
          return { count: targets.length, errors: 0 };
        }, guest),
        request('kill', (msg) => {
          const p = pl(msg);
          const job = m.get(idOf(p));
          checkOwnJob(msg, job, 'kill');
          const signum = typeof p['signum'] === 'number' ? p['signum'] : 15;
          if (!Number.isInteger(signum) || signum <= 0 || signum >= 65) throw einval(`invalid signal number ${signum}`);
          if (job.state === State.INACTIVE) throw einval('job is inactive');
          if (!(job.state & RUNNING) || !job.execRunning) throw einval('job is not running');
          m.signal(job, signum);
          return {};
        }, guest),
        request('memo', (msg) => {
          // memo {id (number or any encoding), memo: {key: value}}: small facts about
          // a job for tools, e.g. the uri a Flux instance running as the job posts
          const p = pl(msg);
          const id = typeof p['id'] === 'string' ? tryParseJobId(p['id']) : idOf(p);
          const memo = p['memo'];
          if (id === undefined) throw einval('malformed job id');
          if (typeof memo !== 'object' || memo === null || Array.isArray(memo) || JSON.stringify(memo).length > 1024) {
            throw einval('memo must be an object of at most 1 KiB');
          }
          const job = m.jobs.get(Number(id));
          if (!job) throw einval('unknown job');
          if (job.state === State.INACTIVE) throw einval('job is inactive');
          m.events.post(job.kvsdir, 'memo', memo as Record<string, unknown>);
          return {};
        }),
        request('urgency', (msg) => {
          const p = pl(msg);
          const urgency = urgencyOf(p);
          const job = m.jobs.get(idOf(p));
          if (!job) throw einval('unknown job');
          checkOwnJob(msg, job, 'adjust urgency of');
          if (!isOwner(msg) && urgency > 16) throw new FluxError(Errno.EPERM, 'guests can only adjust urgency <= 16');
          return { old_urgency: m.setUrgency(job, urgency, msg.userid) };
        }, guest),
        request('update', (msg) => updateJob(m, h, msg), { ownerOnly: false }),
        request('wait', (msg) => {
          const p = pl(msg);
          const r = m.waitFor(p['id'] === undefined || p['id'] === null ? undefined : idOf(p), msg);
          return r ?? NO_RESPONSE;
        }),
        request('pending-watch', (msg) => {
          // streaming: why the scheduler cannot start a pending job ({reason}), until it leaves the queue
          m.watchPending(m.get(idOf(pl(msg))), msg);
          return NO_RESPONSE;
        }, guest),
        request('wait-inactive', (msg) => {
          const job = m.get(idOf(pl(msg)));
          if (job.state === State.INACTIVE) return job.summary();
          m.waiters.addInactive(job.id, msg);
          return NO_RESPONSE;
        }, guest),
        request('drain', (msg) => {
          if (m.nActive === 0) return {};
          m.waiters.drain.push(msg);
          return NO_RESPONSE;
        }),
        request('idle', (msg) => {
          if (m.nRunning === 0) return { pending: m.counts().pending };
          m.waiters.idle.push(msg);
          return NO_RESPONSE;
        }),
        request('queue-status', (msg) => {
          const c = m.counts();
          const o: Obj = { enable: m.enable, start: m.started, queued: c.queued, pending: c.allocPending, running: c.running };
          if (!m.enable) o['reason'] = m.disableReason ?? 'disabled by administrator';
          const q = named(pl(msg));
          if (m.queueState.size > 0) {
            o['queues'] = [...m.queueState]
              .filter(([name]) => q === undefined || q === name)
              .map(([name, st]) => ({ name, enable: st.enable, start: st.start, ...(st.enable ? {} : { reason: st.reason }) }));
          }
          return o;
        }, guest),
        request('queue-enable', (msg) => {
          const p = pl(msg);
          const enable = p['enable'] !== false;
          const reason = enable ? undefined : typeof p['reason'] === 'string' && p['reason'] ? p['reason'] : 'disabled by administrator';
          const q = named(p);
          if (m.queueState.size === 0) {
            m.enable = enable;
            m.disableReason = reason;
          }
          for (const [name, st] of m.queueState) {
            if (q !== undefined && q !== name) continue;
            st.enable = enable;
            st.reason = reason;
          }
          return m.checkpoint(p['nocheckpoint'] !== true).then(() => ({}));
        }),
        request('queue-start', (msg) => {
          const p = pl(msg);
          m.setStarted(p['start'] !== false, named(p));
          return m.checkpoint(p['nocheckpoint'] !== true).then(() => ({}));
        }),
        request('queue-list', () => listQueues(m.policy), { ownerOnly: false }),
        // job-ingest asks before the scheduler's feasibility check: defaults, queue, limits, queue constraints
        request('validate', (msg) => ({ jobspec: validateJobspec(m.policy, (pl(msg)['jobspec'] ?? {}) as Obj) }), { ownerOnly: false }),
        request('sched-hello', () => m.schedHello()),
        request('sched-ready', (msg) => m.schedReady(pl(msg)['mode'], pl(msg)['limit'])),
        request('getinfo', () => ({ max_jobid: m.maxId })),
        request('purge', (msg) => {
          const p = pl(msg);
          const num = (k: string): number | undefined => {
            const v = p[k];
            if (v === undefined || v === null || (typeof v === 'number' && v < 0)) return undefined;
            if (typeof v !== 'number' || !Number.isFinite(v)) throw einval(`purge: ${k} must be a number`);
            return v;
          };
          const ageLimit = num('age_limit');
          const numLimit = num('num_limit');
          if (numLimit !== undefined && !Number.isInteger(numLimit)) throw einval('purge: num_limit must be an integer');
          const batch = num('batch') ?? 0;
          if (ageLimit === undefined && numLimit === undefined) return { count: 0 };
          return { count: m.purgeLimits({ ageLimit, numLimit }, p['force'] === true || p['force'] === 1, Math.floor(batch)) };
        }),
        request('purge-id', (msg) => {
          const p = pl(msg);
          const job = m.get(idOf(p));
          if (job.state !== State.INACTIVE) throw einval('cannot purge active job');
          if (p['force'] === true || p['force'] === 1) m.purge(job);
          return { count: 1 };
        }),
        request('stats-get', (msg) => {
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
          const p = pl(msg);
          if (p['memory'] === true) {
            if (p['gc'] === true) (globalThis as { gc?: () => void }).gc?.();
            o['memory'] = process.memoryUsage();
          }
          return o;
        }),
        request(
          'disconnect',
          (msg) => {
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
