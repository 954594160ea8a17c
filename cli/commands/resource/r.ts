/** flux resource R: print R (RFC 20) of the selected states as one line of JSON. */
import { Command, Option } from 'clipanion';
import { LIST_STATES, ResourceCommand, resourcesIn, rv1Build, union, type SchedStatus } from './common';

export class ResourceRCommand extends ResourceCommand {
  static override paths = [['resource', 'R']];
  static override usage = Command.Usage({ description: 'Print the resource set (R) of the selected states' });
  static override sub = 'R';
  static override synopsis = '[-h] [-s STATES]';
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = this.parse(this.argv, [{ long: 'states', short: 's', arg: true }], false);
    const states = this.selectStates(p, 'all', LIST_STATES);
    const h = await this.connect();
    const st = await this.rpc0<SchedStatus>(h, 'resource.sched-status');
    const rs = union(states.map((s) => resourcesIn(st, s)));
    const R = rv1Build(rs, { starttime: st.all.execution.starttime, expiration: st.all.execution.expiration });
    process.stdout.write(JSON.stringify(R) + '\n');
    return 0;
  }
}
