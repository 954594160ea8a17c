/**
 * What job-ingest asks of other services for the jobs of one loop turn goes
 * in one request: a bulk submission (`flux submit --cc=1-1000`) arrives many
 * submissions a turn, and a request a job to each of job-manager's validate,
 * the scheduler's feasibility and job-manager's submit (three kvs requests a
 * job behind it) were most of what a submission cost.
 *
 * TurnQueue: one batch request for the turn's jobs, answered one result each.
 * A lone job asks the plain question, and a batch that fails as a whole (a
 * site's scheduler without the batch method: ENOSYS) is asked again job by
 * job, so that a job is refused only for what is wrong with it and never
 * for its neighbour's.
 */
export class TurnQueue<I, O> {
  private pending: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];

  /**
   * `many` answers the items in order, each a value or the error that
   * refuses it; `one` asks for a single item (and throws what refuses it).
   */
  constructor(
    private readonly many: (items: I[]) => Promise<Array<O | Error>>,
    private readonly one: (item: I) => Promise<O>,
  ) {}

  add(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ item, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1) {
      this.one(batch[0]!.item).then(batch[0]!.resolve, batch[0]!.reject);
      return;
    }
    const oneByOne = () => {
      for (const b of batch) this.one(b.item).then(b.resolve, b.reject);
    };
    this.many(batch.map((b) => b.item)).then((results) => {
      if (results.length !== batch.length) return oneByOne();
      results.forEach((r, k) => (r instanceof Error ? batch[k]!.reject(r) : batch[k]!.resolve(r)));
    }, oneByOne);
  }
}

export type SendJobs<J> = (jobs: J[]) => Promise<unknown>;

/**
 * The jobs accepted in one turn go to the job manager together: one
 * `job-manager.submit {jobs}`, stored in one kvs transaction (all or
 * nothing). If the batch is refused, each of its jobs is sent again on its
 * own (its queue stopped, say, refuses that one alone).
 */
export class TurnBatch<J> extends TurnQueue<J, void> {
  constructor(send: SendJobs<J>) {
    super(
      async (jobs) => {
        await send(jobs);
        return jobs.map(() => undefined);
      },
      async (job) => {
        await send([job]);
      },
    );
  }
}
