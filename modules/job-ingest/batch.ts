/**
 * The jobs that job-ingest accepted during one loop turn go to the job manager
 * together: one `job-manager.submit {jobs}`, which stores them in one kvs
 * transaction. A bulk submission (`flux submit --cc=1-1000`) arrives many
 * requests a turn; one request and one transaction a job were a third of the
 * cost of a submit. If a batch is refused, each of its jobs is sent again on
 * its own, so that a job is refused only for what is wrong with it (its queue
 * stopped, say) and never for its neighbour's.
 */
export type SendJobs<J> = (jobs: J[]) => Promise<unknown>;

export class TurnBatch<J> {
  private pending: Array<{ job: J; resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(private readonly send: SendJobs<J>) {}

  /** resolves once the job manager has the job (and it is stored) */
  add(job: J): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ job, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.send(batch.map((b) => b.job)).then(
      () => batch.forEach((b) => b.resolve()),
      (e: unknown) => {
        if (batch.length === 1) batch[0]!.reject(e);
        else for (const b of batch) this.send([b.job]).then(b.resolve, b.reject);
      },
    );
  }
}

/**
 * A question asked of another service for each job of a turn (job-manager's
 * validate, the scheduler's feasibility): one batch request for the turn's
 * jobs, answered one result each. A lone job asks the plain question, and a
 * batch that fails as a whole (a site's scheduler without the batch method:
 * ENOSYS) is asked again job by job.
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
