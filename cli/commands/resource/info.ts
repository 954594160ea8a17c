/** flux resource info: one line, `N Nodes, N Cores, N GPUs`, of the selected states (default all). */
import { INCLUDE_OPT, LIST_HEADINGS, LIST_STATES, QUEUE_OPT, ResourceCommand, STATES_OPT, resourceSpec, type SchedStatus } from './common';
import { listRows } from './list';

export class ResourceInfoCommand extends ResourceCommand {
  static override spec = resourceSpec('info', 'Show a brief summary of resources', [STATES_OPT('all'), QUEUE_OPT, INCLUDE_OPT]);

  async run(): Promise<number> {
    const p = this.args;
    const states = this.selectStates(p, 'all', LIST_STATES);
    const fmt = this.outputFormat('{nnodes} Nodes, {ncores} Cores, {ngpus} GPUs', LIST_HEADINGS);
    const h = await this.connect();
    const st = await this.queued(h, p, this.included(p, await this.rpc0<SchedStatus>(h, 'resource.sched-status')));
    const rows = listRows(st, states, ['nnodes'], false);
    for (const line of fmt.render(rows, true)) process.stdout.write(line + '\n');
    return 0;
  }
}
