/**
 * flux event sub [-c N] [TOPIC...]: subscribe to events whose topic starts
 * with one of the TOPICs (all events without one) and print each as Flux
 * does, `TOPIC<TAB>PAYLOAD` (nothing after the tab for no payload), one line
 * at a time as it comes; with --count, exit after N events.
 */
import type { Message } from '../../../kernel/message/message';
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import { payloadText } from './payload';

export class EventSubCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['event', 'sub'],
    grammar: 'getopt',
    prog: 'flux-event sub',
    summary: 'Subscribe to events',
    docLine: true,
    usage: '[OPTIONS] [topic...]',
    options: [{ name: 'count', short: 'c', arg: 'N', description: 'Process N events then exit' }],
    operands: [{ name: 'topic', nargs: '*' }],
  };

  async run(): Promise<number> {
    const countArg = this.args.str('count');
    if (countArg !== undefined && !/^\d+$/.test(countArg)) this.fail(`--count=${countArg}: must be an integer >= 0`);
    const max = countArg === undefined || Number(countArg) === 0 ? Infinity : Number(countArg);
    const prefixes = this.args.operands.length > 0 ? [...new Set(this.args.operands)] : [''];
    const h = await this.connect();
    let got = 0;
    let last: Message | undefined;
    let finish = (): void => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    // overlapping prefixes hand the client one event once per prefix: print it once
    const print = (m: Message) => {
      if (m === last || got >= max) return;
      last = m;
      process.stdout.write(`${m.topic}\t${payloadText(m.payload)}\n`);
      if (++got >= max) finish();
    };
    for (const p of prefixes) await h.subscribe(p, print);
    await finished;
    return 0;
  }
}
