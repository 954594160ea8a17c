/**
 * flux top [OPTIONS] [TARGET]: a live, full-screen view of an instance — its
 * resources in use, job counts, and running jobs — with Enter to descend into
 * a job that is itself a Flux instance and q to come back (flux-top(1)).
 * TARGET is a job id (or a path of them, `ƒA/ƒB`) or a URI, as `flux uri`
 * takes; without it, the enclosing instance.
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { encodeF58 } from '../../lib/formats/fluid';
import { tryParseJobId } from '../../lib/formats/fluid';
import { UriError, resolveTarget, usable } from '../uri/resolve';
import { TopApp } from '../top/top-app';
import { TopScreen } from '../top/screen';

/** how often the view is asked again (Flux's flux-top refreshes about this often) */
const REFRESH_MS = 2000;

export class TopCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['top'],
    grammar: 'getopt',
    prog: 'flux-top',
    summary: 'Display running Flux jobs',
    usage: '[OPTIONS] [TARGET]',
    options: [{ name: 'queue', short: 'q', arg: 'NAME', description: 'Limit the job counts and the job list to queue NAME' }],
    operands: [{ name: 'TARGET', nargs: '?', description: 'A job id (or a path of them) or a URI of the instance to display' }],
  };

  async run(): Promise<number> {
    const p = this.args;
    if (!process.stdin.isTTY) this.fail('stdin is not a terminal');
    if (!process.stdout.isTTY) this.fail('stdout is not a terminal');
    const target = p.operands[0];
    let root: Client;
    let path: string[] = [];
    if (target === undefined) root = await this.connect();
    else {
      let uri: string;
      try {
        uri = await resolveTarget(target, () => this.connect());
      } catch (e) {
        if (e instanceof UriError || e instanceof FluxError) this.fail(e.message);
        throw e;
      }
      root = await Client.connect(usable(uri)).catch((e: Error) => this.fail(`${target}: ${e.message}`));
      if (!/^[a-z]+:/.test(target)) path = target.split('/').filter((w) => w.length > 0).map((w) => encodeF58(tryParseJobId(w)!));
    }
    const queue = p.str('queue');
    if (queue !== undefined) await this.checkQueue(root, queue);
    const app = new TopApp(new TopScreen(), root, { ...(queue !== undefined ? { queue } : {}), intervalMs: REFRESH_MS, path });
    const code = await app.run();
    if (app.error !== undefined) this.fail(app.error);
    return code;
  }

  private async checkQueue(h: Client, name: string): Promise<void> {
    const r = await h.rpc<{ queues?: Array<{ name: string }> }>('job-manager.queue-list', {}).catch(() => ({ queues: [] }));
    const names = (r.queues ?? []).map((q) => q.name);
    if (!names.includes(name)) {
      this.fail(names.length === 0 ? `--queue: ${name}: this instance has no named queues` : `--queue: ${name}: no such queue (it has ${names.join(', ')})`);
    }
  }
}
