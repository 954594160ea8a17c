/** A Job as plugins see it (plugin-api JobView): read-only getters over the live job, one view per job. */
import { Result, State, type Job, type StateBit } from '../job';
import type { JobResultName, JobStateName, JobView } from '../plugin-api';

const STATE_NAME: Readonly<Record<StateBit, JobStateName>> = {
  [State.NEW]: 'NEW',
  [State.DEPEND]: 'DEPEND',
  [State.PRIORITY]: 'PRIORITY',
  [State.SCHED]: 'SCHED',
  [State.RUN]: 'RUN',
  [State.CLEANUP]: 'CLEANUP',
  [State.INACTIVE]: 'INACTIVE',
};

export function stateName(s: StateBit): JobStateName {
  return STATE_NAME[s];
}

const RESULT_NAME: Readonly<Record<number, JobResultName>> = {
  [Result.COMPLETED]: 'COMPLETED',
  [Result.FAILED]: 'FAILED',
  [Result.CANCELED]: 'CANCELED',
  [Result.TIMEOUT]: 'TIMEOUT',
};

class View implements JobView {
  constructor(private readonly j: Job) {}
  get id() { return this.j.id; }
  get userid() { return this.j.userid; }
  get urgency() { return this.j.urgency; }
  get priority() { return this.j.priority; }
  get state() { return STATE_NAME[this.j.state]; }
  get flags() { return this.j.flags; }
  get t_submit() { return this.j.t_submit; }
  get name() { return this.j.name; }
  get queue() { return this.j.queue; }
  get ntasks() { return this.j.ntasks; }
  get ncores() { return this.j.ncores; }
  get nnodes() { return this.j.nnodes; }
  get duration() { return this.j.duration; }
  get jobspec() { return this.j.jobspec; }
  get dependencies(): readonly string[] { return this.j.dependencies; }
  get t_run() { return this.j.t_run; }
  get t_inactive() { return this.j.t_inactive; }
  get started() { return this.j.started; }
  get ranks() { return this.j.ranks; }
  get R() { return this.j.R; }
  get execActive() { return this.j.execRunning; }
  get endedByException() { return this.j.endedByException; }
  get result() { return this.j.state === State.INACTIVE ? RESULT_NAME[this.j.result] : undefined; }
}

const views = new WeakMap<Job, JobView>();

export function viewOf(job: Job): JobView {
  let v = views.get(job);
  if (!v) {
    v = new View(job);
    views.set(job, v);
  }
  return v;
}
