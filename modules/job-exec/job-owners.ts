/**
 * Who may touch a job through job-exec (flux-config-access(5)): the instance
 * owner, and a guest for the jobs it submitted — read their output, send
 * them stdin, signal them (`flux job attach`, `flux run` as that guest), as
 * Flux lets a guest do with its own jobs. The submitter is known for the jobs
 * this job-exec started; for one it only has a log of (an earlier run on the
 * same statedir), the submit event of the job's eventlog says.
 */
import { Errno, FluxError, Role, type Handle, type Message } from '../../kernel/api';
import { encodeKvs } from '../../lib/formats';

export class JobOwners {
  private readonly owners = new Map<number, number>();

  constructor(private readonly h: Handle) {}

  set(id: number, userid: number): void {
    this.owners.set(id, userid);
  }

  delete(id: number): void {
    this.owners.delete(id);
  }

  /**
   * Nothing (at once) for the instance owner and a guest known to own the
   * job; otherwise a promise that rejects with EPERM (`guests can only WHAT
   * their own jobs`), or resolves once the job's eventlog shows it is theirs.
   */
  check(msg: Message, id: number, what: string): Promise<void> | undefined {
    if (msg.rolemask & Role.Owner) return undefined;
    const known = this.owners.get(id);
    const refuse = () => new FluxError(Errno.EPERM, `guests can only ${what} their own jobs`);
    if (known !== undefined) {
      if (known === msg.userid) return undefined;
      return Promise.reject(refuse());
    }
    return this.fromEventlog(id).then((uid) => {
      if (uid !== msg.userid) throw refuse();
    });
  }

  private async fromEventlog(id: number): Promise<number | undefined> {
    try {
      const r = await this.h.rpc<{ value?: unknown }>('kvs.get', { key: `${encodeKvs(id)}.eventlog` });
      const text = typeof r.value === 'string' ? r.value : '';
      const nl = text.indexOf('\n');
      const first = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as { name?: unknown; context?: { userid?: unknown } };
      return first.name === 'submit' && typeof first.context?.userid === 'number' ? first.context.userid : undefined;
    } catch {
      return undefined;
    }
  }
}
