/**
 * flux startlog [--check] [--quiet] [-v]: the instance's starts and stops, from
 * the eventlog `admin.eventlog` that rank 0's kvs keeps (modules/kvs/startlog.ts).
 * One line per run: `START - FINISH (DURATION)`, `START - crashed` for a run
 * followed by another start with no finish, `START - running (DURATION)` for
 * the current one. --check exits 1 when the latest run began after a crash.
 * --post-start-event, --post-finish-event and the --test-* options are for rc
 * scripts and tests (hidden in Flux; listed here, where hidden means an alias).
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { FluxError } from '../../lib/errors';
import { strerror } from '../../lib/errno';
import { formatC } from '../../lib/formats/fsd';
import { listRuns, type StartlogEvent } from '../startlog/runs';

const KEY = 'admin.eventlog';
const VERSION = 1;

export class StartlogCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['startlog'],
    grammar: 'getopt',
    prog: 'flux-startlog',
    summary: 'List Flux instance startlog',
    usage: '[OPTIONS]',
    options: [
      { name: 'check', description: 'Check if instance was properly shut down' },
      { name: 'quiet', description: 'Suppress listing, useful with --check' },
      { name: 'show-version', short: 'v', description: 'Show the flux-core version string in output' },
      { name: 'post-start-event', description: 'Post start event to eventlog (for rc use only)' },
      { name: 'post-finish-event', description: 'Post finish event to eventlog (for rc use only)' },
      { name: 'test-startlog-key', arg: 'PATH', description: 'override startlog key (test only)' },
      { name: 'test-startlog-version', arg: 'VERSION', description: 'override startlog version (test only)' },
    ],
    operands: [],
  };

  async run(): Promise<number> {
    const key = this.args.str('test-startlog-key', KEY);
    const v = this.args.str('test-startlog-version', String(VERSION));
    if (!/^\d+$/.test(v)) this.fail(`--test-startlog-version: invalid value '${v}'`);
    const version = Number(v);
    if (this.args.has('post-start-event')) return this.post(key, 'start', { version, core_version: await this.coreVersion() });
    if (this.args.has('post-finish-event')) return this.post(key, 'finish', { version });
    const h = await this.connect();
    let text: unknown;
    try {
      text = (await h.rpc<{ value: unknown }>('kvs.get', { key })).value;
    } catch (e) {
      if (e instanceof FluxError) this.fail(`Error fetching eventlog: ${strerror(e.errno)}`);
      throw e;
    }
    if (typeof text !== 'string') this.fail('Error decoding eventlog: Invalid argument');
    let events: StartlogEvent[];
    try {
      events = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as StartlogEvent);
    } catch {
      this.fail('Error decoding eventlog: Invalid argument');
    }
    const { runs, crashed } = listRuns(events, version);
    if (!this.args.has('quiet')) {
      const now = Date.now() / 1000;
      const out = runs.map((r) => {
        const ver = this.args.has('show-version') ? `${(r.coreVersion ?? '').padStart(25)}  ` : '';
        const end = r.end === 'crashed' ? 'crashed' : r.end === 'running' ? `running (${formatC(now - r.start, 2)})` : `${stamp(r.end)} (${formatC(r.end - r.start, 2)})`;
        return `${ver}${stamp(r.start)} - ${end}\n`;
      });
      process.stdout.write(out.join(''));
    }
    return this.args.has('check') && crashed ? 1 : 0;
  }

  private async coreVersion(): Promise<string> {
    const h = await this.connect();
    return h.getattr('version').catch(() => 'unknown');
  }

  private async post(key: string, name: string, context: Record<string, unknown>): Promise<number> {
    const h = await this.connect();
    const rank = await h.getattr('rank').catch(() => '0');
    if (rank !== '0') this.fail('Startlog events may only be posted from rank 0');
    try {
      await h.rpc('kvs.eventlog-append', { key, entries: [{ timestamp: Date.now() / 1000, name, context }] });
    } catch (e) {
      if (e instanceof FluxError) this.fail(`Error committing ${name} event: ${e.message}`);
      throw e;
    }
    return 0;
  }
}

/** local time as `YYYY-MM-DD HH:MM` (strftime `%Y-%m-%d %R`) */
function stamp(t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
