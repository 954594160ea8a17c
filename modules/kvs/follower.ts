/**
 * The kvs on a rank other than 0: every request is forwarded to rank 0 (as
 * it came: its namespace too), and watch streams are relayed. A guest's
 * request is refused here (the forward would carry this module's
 * credentials, not the guest's): guests use the kvs through rank 0.
 */
import { randomUUID } from '../../lib/uuid';
import { Errno, MsgFlag, NO_RESPONSE, eproto, request, type BrokerModule, type Handle, type HandlerTable, type Message, type RequestHandler } from '../../kernel/api';
import type { KvsProtocol } from '../../lib/protocol/kvs';
import { method, senderOf, type Req, type Res } from './method';

/** Followers: forward everything to rank 0, relaying watch streams. */
export class KvsFollower implements BrokerModule {
  private readonly relays = new Map<string, Map<string, () => void>>();
  /** `${sender}:${matchtag}` of a relayed watch -> its tag in relays (kvs.stream-cancel) */
  private readonly relayTags = new Map<string, string>();
  readonly handlers: HandlerTable = [
    this.forward('get'),
    this.forward('put'),
    this.forward('unlink'),
    this.forward('dir'),
    this.forward('link'),
    this.forward('readlink'),
    this.forward('mkdir'),
    this.forward('eventlog-append'),
    this.forward('eventlog-close'),
    this.forward('commit'),
    this.forward('stats-get'),
    this.forward('stats-clear'),
    this.forward('getroot'),
    this.forward('wait-version'),
    this.forward('dropcache'),
    this.forward('namespace-create'),
    this.forward('namespace-remove'),
    this.forward('namespace-list'),
    method('watch', (p, msg) => this.watch(p, msg)),
    method('watch-cancel', (p, msg) => this.watchCancel(p, msg)),
    method('stream-cancel', (p, msg) => this.streamCancel(p, msg)),
    method('disconnect', (_p, msg) => this.disconnect(msg), { ownerOnly: false }),
  ];

  constructor(private readonly h: Handle) {}

  /** forwarded as it came (rank 0 answers with the method's response) */
  private forward(name: keyof KvsProtocol & string): RequestHandler {
    return request(name, (_msg, req) => this.h.rpc(`kvs.${name}`, req, { nodeid: 0 }));
  }

  private stopAll(sender: string): void {
    const m = this.relays.get(sender);
    if (!m) return;
    this.relays.delete(sender);
    for (const stop of m.values()) stop();
  }

  private watch(p: Req<'watch'>, msg: Message): Res<'watch'> {
    if (!(msg.flags & MsgFlag.Streaming)) throw eproto('kvs.watch: request must be streaming');
    const sender = senderOf(msg);
    const userTag = p.tag ?? randomUUID();
    const upTag = randomUUID();
    const s = this.h.rpcStream('kvs.watch', { ...p, tag: upTag }, {
      nodeid: 0,
      onResponse: (p) => this.h.respond(msg, p),
    });
    let m = this.relays.get(sender);
    if (!m) this.relays.set(sender, (m = new Map()));
    // the stream's own cancel tells rank 0 (kvs.stream-cancel); done then answers the client ENODATA
    const stop = () => void s.cancel();
    m.set(userTag, stop);
    this.relayTags.set(`${sender}:${msg.matchtag}`, userTag);
    void s.done.finally(() => this.relayTags.delete(`${sender}:${msg.matchtag}`)).catch(() => undefined);
    s.done.then(
      () => {
        this.relays.get(sender)?.delete(userTag);
        this.h.respondError(msg, Errno.ENODATA);
      },
      (e: { errno?: number; message?: string }) => {
        this.relays.get(sender)?.delete(userTag);
        this.h.respondError(msg, e.errno ?? Errno.EIO, e.message);
      },
    );
    return NO_RESPONSE;
  }

  private watchCancel(p: Req<'watch-cancel'>, msg: Message) {
    const tag = p.tag;
    const m = this.relays.get(senderOf(msg));
    if (typeof tag === 'string' && m?.has(tag)) {
      m.get(tag)!();
      m.delete(tag);
    }
    return {};
  }

  private streamCancel(p: Req<'stream-cancel'>, msg: Message) {
    const sender = senderOf(msg);
    const tag = this.relayTags.get(`${sender}:${p.matchtag}`);
    const stop = tag === undefined ? undefined : this.relays.get(sender)?.get(tag);
    if (stop) {
      this.relays.get(sender)!.delete(tag!);
      stop();
    }
    return {};
  }

  private disconnect(msg: Message): Res<'disconnect'> {
      this.stopAll(senderOf(msg));
      return NO_RESPONSE;
    }
}
