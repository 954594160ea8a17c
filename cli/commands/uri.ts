/**
 * flux uri [--local|--remote] [--wait] TARGET[?local|?remote]: the URI of an
 * instance (a job id of one running as a job, a path of nested job ids,
 * pid:PID, slurm:JOBID, or a URI).
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { UriError, resolveTarget, toLocal, toRemote, usable } from '../uri/resolve';

export class UriCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['uri'],
    grammar: 'argparse',
    prog: 'flux-uri',
    summary: 'Resolve TARGET to a Flux URI',
    options: [
      { name: 'remote', description: 'Return the remote URI (ssh://HOST/PATH)' },
      { name: 'local', description: 'Return the local URI (local://PATH)' },
      { name: 'wait', description: 'Wait for the URI of a job id TARGET to become available (its instance to start)' },
    ],
    exclusive: [['remote', 'local']],
    operands: [{ name: 'TARGET', nargs: '1', description: 'A Flux job id or URI' }],
  };

  async run(): Promise<number> {
    let target = this.args.operands[0]!;
    let local = this.args.has('local');
    let remote = this.args.has('remote');
    // TARGET?local / TARGET?remote: as --local / --remote
    const q = /\?(local|remote)$/.exec(target);
    if (q) {
      target = target.slice(0, q.index);
      if (q[1] === 'local') local = true;
      else remote = true;
      if (local && remote) this.usageError('argument --local: not allowed with argument --remote');
    } else if (target.includes('?')) this.fail(`${target}: unknown query (?local or ?remote)`);
    let uri: string;
    try {
      uri = await resolveTarget(target, () => this.connect(), { wait: this.args.has('wait') });
    } catch (e) {
      if (e instanceof UriError) this.fail(e.message);
      throw e;
    }
    process.stdout.write(`${local ? toLocal(uri) : remote ? toRemote(uri) : usable(uri)}\n`);
    return 0;
  }
}
