/**
 * flux resource eventlog: the resource journal (`resource.journal`, streamed
 * by the resource module on rank 0): restart, resource-define, online,
 * offline, drain, undrain, torpid, lively. Prints what happened so far and
 * exits; with -F, follows new events; with -w EVENT, waits until one is
 * posted, then exits.
 */
import { ResourceCommand, resourceSpec } from './common';
import { COLOR_OPT, colorOn, entryTimes } from '../../eventlog/options';
import { renderEntry } from '../job/eventlog';
import type { FluxError } from '../../../lib/errors';
import { service } from '../../api/protocol';
import type { ResourceJournalEvent as JournalEvent, ResourceProtocol } from '../../../lib/protocol/resource';

const resource = service<ResourceProtocol>('resource');

export class ResourceEventlogCommand extends ResourceCommand {
  static override spec = resourceSpec('eventlog', 'Show the resource eventlog', [
    { name: 'format', short: 'f', arg: 'FORMAT', default: 'text', description: 'Specify output format: text, json' },
    { name: 'time-format', short: 'T', arg: 'FORMAT', default: 'raw', description: 'Specify time format: raw, iso, offset, human' },
    { name: 'human', short: 'H', description: 'Display human-readable output' },
    COLOR_OPT,
    { name: 'follow', short: 'F', description: 'Continue to display new events as they come' },
    { name: 'wait', short: 'w', arg: 'EVENT', description: 'Wait for a specific event type to be posted, then exit' },
  ]);

  async run(): Promise<number> {
    const p = this.args;
    const format = p.str('format', 'text');
    const timeFormat = p.str('time-format', 'raw');
    if (!['text', 'json'].includes(format)) this.fail(`Unknown format ${format}`);
    const times = entryTimes(timeFormat, p.has('human'));
    if (times === undefined) this.fail(`Unknown time format ${timeFormat}`);
    const color = colorOn(p);
    if (typeof color === 'string') this.fail(`invalid value for --color: '${color}'`);
    const wait = p.str('wait');
    const follow = p.has('follow') || wait !== undefined;
    const print = (e: JournalEvent) =>
      process.stdout.write((format === 'json' ? JSON.stringify(e) : renderEntry(e, times.time(e.timestamp), color)) + '\n');
    const h = await this.connect();
    const end = await new Promise<'done' | 'ended' | FluxError>((resolve) => {
      let settled = false;
      const settle = (v: 'done' | 'ended' | FluxError) => {
        if (settled) return;
        settled = true;
        resolve(v);
      };
      resource.stream(
        h,
        'journal',
        {},
        ({ events }) => {
          if (settled) return;
          // an empty batch ends the backlog
          if (events.length === 0 && !follow) return settle('done');
          for (const e of events) {
            print(e);
            if (wait !== undefined && e.name === wait) return settle('done');
          }
        },
        { nodeid: 0 },
      ).then(
        () => settle('ended'),
        (e: FluxError) => settle(e),
      );
    });
    if (end instanceof Error) this.fail(end.message);
    if (end === 'ended' && wait !== undefined) this.fail(`the resource journal ended before a ${wait} event`);
    return 0;
  }
}
