/** flux resource R: print R (RFC 20) of the selected states as one line of JSON. */
import { INCLUDE_OPT, LIST_STATES, QUEUE_OPT, ResourceCommand, STATES_OPT, resourceSpec, resourcesIn, rv1Build, union, type SchedStatus } from './common';

export class ResourceRCommand extends ResourceCommand {
  static override spec = resourceSpec('R', 'Print the resource set (R) of the selected states', [STATES_OPT('all'), QUEUE_OPT, INCLUDE_OPT]);

  async run(): Promise<number> {
    const p = this.args;
    const states = this.selectStates(p, 'all', LIST_STATES);
    const h = await this.connect();
    const st = await this.queued(h, p, this.included(p, await this.rpc0<SchedStatus>(h, 'resource.sched-status')));
    const rs = union(states.map((s) => resourcesIn(st, s)));
    const R = rv1Build(rs, { starttime: st.all.execution.starttime, expiration: st.all.execution.expiration });
    process.stdout.write(JSON.stringify(R) + '\n');
    return 0;
  }
}
