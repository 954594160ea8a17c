/**
 * job-ingest: `job-ingest.submit {jobspec, urgency?, flags?}` -> `{id}`.
 * Validates the jobspec (V1 rules, known shell options, urgency range), checks
 * feasibility with the scheduler (`sched.feasibility`; ENOSYS = skip), assigns a
 * FLUID and hands the job to the job manager.
 */
import { Errno, FluxError, defineModule, einval, request, type BrokerModule, type Message, type ModuleScope } from '../../kernel/api';
import { FluidGenerator } from '../../lib/formats';
import { validateJobspec } from './validate';
import { eventTime } from '../../lib/event-time';

type Obj = Record<string, unknown>;

const FLAGS_ALL = 2 | 4 | 8;

/** Epoch seconds with microseconds. */
function now(): number {
  return eventTime();
}

export default defineModule({
  name: 'job-ingest',
  description: 'Validate jobspecs, assign job ids, hand jobs to the job manager',
  ranks: 'leader',
  create(scope: ModuleScope): BrokerModule {
    const h = scope.handle;
    let gen = new FluidGenerator(h.rank);
    let feasibility = true;

    const checkFeasible = async (jobspec: Obj): Promise<void> => {
      if (!feasibility) return;
      try {
        await h.rpc('sched.feasibility', { jobspec });
      } catch (e) {
        const fe = e as FluxError;
        if (fe.errno === Errno.ENOSYS) return;
        throw new FluxError(fe.errno || Errno.EINVAL, fe.message);
      }
    };

    const applyPolicy = async (jobspec: Obj): Promise<Obj> => {
      try {
        return (await h.rpc<{ jobspec: Obj }>('job-manager.validate', { jobspec })).jobspec;
      } catch (e) {
        const fe = e as FluxError;
        if (fe.errno === Errno.ENOSYS) return jobspec;
        throw new FluxError(fe.errno || Errno.EINVAL, fe.message);
      }
    };

    const submit = async (msg: Message): Promise<Obj> => {
      const p = (msg.payload ?? {}) as Obj;
      const jobspec = p['jobspec'];
      validateJobspec(jobspec);
      const urgency = p['urgency'] === undefined ? 16 : p['urgency'];
      if (typeof urgency !== 'number' || !Number.isInteger(urgency) || urgency < 0 || urgency > 31) {
        throw einval('urgency range is [0:31]');
      }
      const flags = p['flags'] === undefined ? 0 : p['flags'];
      if (typeof flags !== 'number' || (flags & ~FLAGS_ALL) !== 0) throw einval(`invalid submit flags ${JSON.stringify(flags)}`);
      // queue, defaults, limits and the queue's constraint (job-manager owns [queues] and [policy])
      const ready = await applyPolicy(jobspec as Obj);
      await checkFeasible(ready);
      const id = Number(gen.next());
      const t_submit = now();
      await h.rpc('job-manager.submit', { jobs: [{ id, userid: msg.userid, urgency, t_submit, flags, jobspec: ready }] });
      return { id };
    };

    return {
      handlers: [
        request('submit', submit, { ownerOnly: false }),
        request('getinfo', () => ({ generator: h.rank })),
        request('feasibility-disable', (msg) => {
          feasibility = (msg.payload as Obj | undefined)?.['enable'] === true;
          return {};
        }),
      ],
      async start() {
        // continue above the largest id the job manager knows (module reload)
        try {
          const r = await h.rpc<{ max_jobid?: number }>('job-manager.getinfo', {});
          const max = r.max_jobid ?? 0;
          if (max > 0) gen = new FluidGenerator(h.rank, Number(BigInt(max) >> 24n) + 1);
        } catch {
          /* no job manager yet: fresh ids */
        }
      },
    };
  },
});
