/**
 * What the kernel shows the overlay (overlay/, the TBON plug-in handed to the
 * broker as its TreeFactory): this interface and the types it names, nothing
 * else of the Broker. The overlay routes through the router's OverlayPort,
 * registers its services, reads and sets attributes, logs and publishes.
 */
import type { AttrStore } from './attr/attrs';
import type { BrokerArgs } from './boot/args';
import type { BootInfo, Tree } from './boot/boot-info';
import type { LogRing } from './log/log-ring';
import type { Message } from './message/message';
import type { Router } from './router/router';
import type { EventPayload, Handle } from './api/handle';

/** The attributes as the overlay may use them: read, and set those it owns (tbon.*). */
export type TreeAttrs = Pick<AttrStore, 'get' | 'setInternal'>;
export { SingletonTree, type BootInfo, type Tree } from './boot/boot-info';
export type { OverlayPort } from './router/router';
export { STATE_NUMBER, type BrokerState } from './state/state-machine';

/** A broker service the overlay answers (`overlay.status`, `groups.get`). */
export type TreeService = (host: TreeHost, msg: Message) => unknown;

export interface TreeHost {
  readonly uuid: string;
  readonly rank: number;
  readonly attrs: TreeAttrs;
  /** the broker's TOML config (whole document) */
  readonly config: Readonly<Record<string, unknown>>;
  /** attributes set on the command line (they win over config) */
  readonly args: Pick<BrokerArgs, 'setattrs'>;
  /** the log ring: its hostname once the rank is known, and forwarding (log-forward.ts) */
  readonly logRing: Pick<LogRing, 'hostname' | 'printer' | 'stderrMode' | 'criticalLevel' | 'listen'>;
  /** where the overlay delivers what arrives from peers and registers its services */
  readonly router: Pick<Router, 'routeRequest' | 'routeResponse' | 'dispatchEvent' | 'addService'>;
  /** the broker's own handle (rpc to peers' services) */
  readonly self: Pick<Handle, 'rpc' | 'send' | 'respond'>;
  /** services the broker endpoint answers besides its own (topic -> handler): handlers of the broker module */
  readonly extraServices: { set(topic: string, fn: TreeService): void };
  log(severity: number, appname: string, text: string): void;
  /** publish an event; a declared one (ADR 0019) takes its payload type */
  publish<T extends string>(topic: T, payload: EventPayload<T>): Promise<void>;
}

/** Boot the tree for this broker: undefined means a singleton. */
export type TreeFactory = (host: TreeHost) => Promise<{ boot: BootInfo; tree: Tree } | undefined>;
