/**
 * The local connector: a unix socket at the local-uri path, in a directory only
 * the owner can open (so every client that gets in is the owner). Each client is
 * an endpoint: its requests get its uuid pushed on the route stack and the
 * owner's credentials stamped (never trusted from the client). A client that
 * sends a frame that is too large or does not decode is dropped; the broker
 * keeps serving everyone else.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { randomUUID } from 'node:crypto';
import { Errno } from '../api/errno';
import { FluxError } from '../api/errors';
import { FrameReader, decodeMessage, encodeFrame, MAX_FRAME } from '../message/codec';
import { MsgFlag, MsgType, Role, responseTo, errorResponseTo, type Message } from '../message/message';
import type { Endpoint, Router } from '../router/router';

export interface ConnectorHooks {
  log(severity: number, text: string): void;
  /** requests the connector answers itself on the client's behalf */
  clientControl?(client: ClientEndpoint, msg: Message): boolean;
}

export class ClientEndpoint implements Endpoint {
  readonly uuid = randomUUID();
  readonly name: string;
  constructor(
    private readonly sock: net.Socket,
    id: number,
  ) {
    this.name = `client-${id}`;
  }
  deliver(msg: Message): void {
    if (this.sock.destroyed) return;
    this.sock.write(encodeFrame(msg));
  }
}

export class LocalConnector {
  private server: net.Server | undefined;
  private readonly clients = new Set<net.Socket>();
  private nextId = 1;

  constructor(
    private readonly router: Router,
    private readonly hooks: ConnectorHooks,
    private readonly maxFrame = MAX_FRAME,
  ) {}

  async listen(sockPath: string): Promise<void> {
    try {
      fs.unlinkSync(sockPath);
    } catch {
      /* not there */
    }
    const server = net.createServer((sock) => this.accept(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(sockPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(sockPath, 0o600);
  }

  private accept(sock: net.Socket): void {
    const ep = new ClientEndpoint(sock, this.nextId++);
    const reader = new FrameReader(this.maxFrame);
    const uid = process.getuid?.() ?? 0;
    this.clients.add(sock);
    this.router.addEndpoint(ep);
    // Handshake: one byte, 0 = allowed (as Flux's connector-local does).
    sock.write(Buffer.from([0]));
    const drop = (why: string) => {
      this.hooks.log(4, `dropping ${ep.name}: ${why}`);
      sock.destroy();
    };
    sock.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch (e) {
        drop((e as Error).message);
        return;
      }
      for (const f of frames) {
        let msg: Message;
        try {
          msg = decodeMessage(f);
        } catch (e) {
          drop((e as Error).message);
          return;
        }
        if (msg.type === MsgType.Request) {
          msg.userid = uid;
          msg.rolemask = Role.Owner | Role.Local;
          msg.route = [];
          // A client cannot know its broker's rank: "upstream of me" means this broker's parent.
          if (msg.flags & MsgFlag.Upstream) msg.nodeid = this.router.rank;
          if (this.hooks.clientControl?.(ep, msg)) continue;
          this.router.fromEndpoint(ep, msg);
        } else if (msg.type === MsgType.Response) {
          this.router.fromEndpoint(ep, msg);
        } else {
          drop(`unexpected ${msg.type === MsgType.Event ? 'event' : 'control'} message`);
          return;
        }
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      this.clients.delete(sock);
      this.router.removeEndpoint(ep.uuid);
    });
  }

  async close(): Promise<void> {
    for (const s of this.clients) s.destroy();
    const srv = this.server;
    this.server = undefined;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }
}

/** Handle event.subscribe / event.unsubscribe / service.add / service.remove for a client. */
export function clientControl(router: Router, ep: ClientEndpoint, msg: Message): boolean {
  const body = (msg.payload ?? {}) as { topic?: unknown; service?: unknown };
  const reply = (payload?: unknown) => ep.deliver(responseTo(msg, payload ?? {}));
  const fail = (e: FluxError) => ep.deliver(errorResponseTo(msg, e.errno, e.message));
  switch (msg.topic) {
    case 'event.subscribe':
    case 'event.unsubscribe':
      if (typeof body.topic !== 'string') {
        fail(new FluxError(Errno.EPROTO, `${msg.topic}: malformed request: topic must be a string`));
        return true;
      }
      if (msg.topic === 'event.subscribe') router.subscribe(ep.uuid, body.topic);
      else router.unsubscribe(ep.uuid, body.topic);
      reply();
      return true;
    case 'service.add':
    case 'service.remove':
      if (typeof body.service !== 'string' || body.service.includes('.')) {
        fail(new FluxError(Errno.EPROTO, `${msg.topic}: malformed request: service must be a name without '.'`));
        return true;
      }
      if (msg.topic === 'service.add') {
        try {
          router.addService(body.service, ep.uuid);
        } catch {
          fail(new FluxError(Errno.EEXIST, `service ${body.service} is already registered`));
          return true;
        }
      } else if (!router.removeService(body.service, ep.uuid)) {
        fail(new FluxError(Errno.ENOENT, `service ${body.service} is not registered by this client`));
        return true;
      }
      reply();
      return true;
    default:
      return false;
  }
}
