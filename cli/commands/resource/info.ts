/** flux resource info: one line, `N Nodes, N Cores, N GPUs`, of the selected states (default all). */
import { Command, Option } from 'clipanion';
import { LIST_HEADINGS, LIST_STATES, ResourceCommand, type SchedStatus } from './common';
import { listRows } from './list';

export class ResourceInfoCommand extends ResourceCommand {
  static override paths = [['resource', 'info']];
  static override usage = Command.Usage({ description: 'Show a brief summary of resources' });
  static override sub = 'info';
  static override synopsis = '[-h] [-s STATES]';
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = this.parse(this.argv, [{ long: 'states', short: 's', arg: true }], false);
    const states = this.selectStates(p, 'all', LIST_STATES);
    const fmt = this.outputFormat('{nnodes} Nodes, {ncores} Cores, {ngpus} GPUs', LIST_HEADINGS);
    const h = await this.connect();
    const st = await this.rpc0<SchedStatus>(h, 'resource.sched-status');
    const rows = listRows(st, states, ['nnodes'], false);
    for (const line of fmt.render(rows, true)) process.stdout.write(line + '\n');
    return 0;
  }
}
