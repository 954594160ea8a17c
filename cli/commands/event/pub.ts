/**
 * flux event pub [-r] [-s] [-l] [-p] TOPIC [PAYLOAD...]: publish an event on
 * the instance's event bus (the broker's event.pub, owner only). The words
 * after TOPIC, joined by spaces, are its payload: a JSON object, or any text
 * with --raw. flux-ts always waits for rank 0 to take the event (so a refusal
 * is reported): -s asks for just that. -p sets the event's privacy flag: it
 * then reaches the instance owner's connections and the publisher's only
 * (kernel/connector/access.ts mayReceiveEvent).
 */
import { MsgFlag, type Message } from '../../../kernel/message/message';
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import { parsePayload } from './payload';

export class EventPubCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['event', 'pub'],
    grammar: 'getopt',
    prog: 'flux-event pub',
    summary: 'Publish an event',
    docLine: true,
    usage: '[OPTIONS] topic [payload]',
    options: [
      { name: 'raw', short: 'r', description: 'Interpret event payload as raw.' },
      { name: 'synchronous', short: 's', description: 'Wait for the event to be sequenced before exiting.' },
      { name: 'loopback', short: 'l', description: 'Wait for published event to be received before exiting.' },
      { name: 'private', short: 'p', description: 'Set privacy flag.' },
    ],
    operands: [
      { name: 'topic', nargs: '1' },
      { name: 'payload', nargs: '*' },
    ],
  };

  async run(): Promise<number> {
    const [topic, ...words] = this.args.operands;
    if (topic === undefined) this.usage();
    const parsed = parsePayload(words, this.args.has('raw'));
    if ('error' in parsed) this.fail(parsed.error);
    const h = await this.connect();
    const sent = JSON.stringify(parsed.value ?? null);
    let seen = (): void => undefined;
    const received = new Promise<void>((resolve) => (seen = resolve));
    const mine = (m: Message) => m.topic === topic && JSON.stringify(m.payload ?? null) === sent;
    // -l: subscribed before publishing, so the event cannot pass unseen
    const unsubscribe = this.args.has('loopback') ? await h.subscribe(topic, (m) => mine(m) && seen()) : undefined;
    const flags = this.args.has('private') ? MsgFlag.Private : 0;
    await h.rpc('event.pub', parsed.value === undefined ? { topic, flags } : { topic, flags, payload: parsed.value });
    if (unsubscribe) {
      await received;
      await unsubscribe();
    }
    return 0;
  }
}
