/**
 * Many brokers in one process (flux start --test-in-process): the hub is the
 * instance's tree factory, one per rank. Each broker gets the same Overlay as
 * between processes (status words, quorum, liveness by loss, goodbye, event
 * order, EHOSTUNREACH for what a lost peer carried), but its links are
 * InprocLinks through one Fabric: no sockets, no keys, no PMI. The tree is
 * built once from the first broker's tbon.topo (every rank has the same
 * arguments and config).
 */
import type { TreeFactory, TreeHost } from '../kernel/tree-host';
import { DEFAULT_TOPO, TopologyError, makeTopology, type Topology } from '../lib/tree-topology';
import { LivenessConfigError, resolveLiveness } from './liveness';
import { Fabric, InprocLink } from './inproc-link';
import { Overlay } from './overlay';
import type { PeerLink } from './peer-link';
import { hookServices, singletonTree, treeAttrs } from './tree-setup';

export interface InprocInit {
  size: number;
  /** hostname of every rank */
  hosts: string[];
  /** where deadly signals come from (the process's, relayed once) */
  signals: NodeJS.EventEmitter;
  /** a rank's own source of deadly signals, when not `signals` */
  signalsOf?: (rank: number) => NodeJS.EventEmitter;
}

/** never used: an in-process link has no handshake */
const NO_KEYS = { publicKey: Buffer.alloc(32), secretKey: Buffer.alloc(32) };

export class InprocHub {
  readonly fabric = new Fabric();
  /** when (hrtime ms) the last child's link to its parent was made */
  linkedAt: number | undefined;
  private links = 0;
  private topo: { uri: string; topo: Topology } | undefined;
  private readonly overlays = new Map<number, Overlay>();
  private readonly ended = new Set<number>();
  /** children waiting for their parent's overlay to exist */
  private readonly waiting = new Map<number, Array<() => void>>();

  constructor(readonly init: InprocInit) {}

  /** The overlay of a rank, while it has one (for tests and the bench). */
  overlayOf(rank: number): Overlay | undefined {
    return this.overlays.get(rank);
  }

  private topology(b: TreeHost): Topology {
    const fromConfig = (b.config['tbon'] as { topo?: unknown } | undefined)?.topo;
    const uri = b.attrs.get('tbon.topo') ?? (typeof fromConfig === 'string' ? fromConfig : DEFAULT_TOPO);
    b.attrs.setInternal('tbon.topo', uri);
    if (this.topo?.uri !== uri) this.topo = { uri, topo: makeTopology(uri, this.init.size) };
    return this.topo.topo;
  }

  /** The tree factory of one rank. */
  factory(rank: number): TreeFactory {
    return async (b: TreeHost) => {
      const { size, hosts } = this.init;
      try {
        resolveLiveness(b.attrs, b.config, new Set(b.args.setattrs.map(([k]) => k)));
      } catch (e) {
        if (e instanceof LivenessConfigError) throw new Error(e.message, { cause: e });
        throw e;
      }
      b.logRing.hostname = String(rank);
      const boot = { rank, size, method: 'inproc', hostlist: hosts, instanceLevel: 0 };
      if (size === 1) {
        return { boot, tree: singletonTree(b) };
      }
      let topo: Topology;
      try {
        topo = this.topology(b);
      } catch (e) {
        if (e instanceof TopologyError) throw new Error(`error creating '${b.attrs.get('tbon.topo')}' topology: ${e.message}`, { cause: e });
        throw e;
      }
      const parent = topo.parentOf(rank);
      const ov = new Overlay(b, {
        rank,
        size,
        topo,
        hosts,
        keys: NO_KEYS,
        childKeys: new Map(),
        signals: this.init.signalsOf?.(rank) ?? this.init.signals,
        dialParent: parent === undefined ? undefined : () => this.dial(rank, parent),
      });
      this.register(rank, ov);
      const endpoint = topo.children(rank).length > 0 ? `inproc://tbon-${rank}` : undefined;
      treeAttrs(b, topo, rank, endpoint, parent === undefined ? undefined : `inproc://tbon-${parent}`);
      hookServices(b, ov);
      return { boot, tree: ov };
    };
  }

  /** The broker of this rank has ended (or never booted): children still dialling it give up. */
  gone(rank: number): void {
    this.overlays.delete(rank);
    this.ended.add(rank);
    for (const wake of this.waiting.get(rank) ?? []) wake();
    this.waiting.delete(rank);
  }

  private register(rank: number, ov: Overlay): void {
    this.overlays.set(rank, ov);
    const close = ov.close.bind(ov);
    ov.close = async () => {
      this.gone(rank);
      await close();
    };
    for (const wake of this.waiting.get(rank) ?? []) wake();
    this.waiting.delete(rank);
  }

  /** A child's link to its parent, once the parent's overlay exists. */
  private async dial(rank: number, parent: number): Promise<PeerLink> {
    let ov = this.overlays.get(parent);
    while (!ov) {
      if (this.ended.has(parent)) throw new Error(`rank ${parent} is gone`);
      await new Promise<void>((resolve) => {
        const list = this.waiting.get(parent) ?? [];
        list.push(resolve);
        this.waiting.set(parent, list);
      });
      ov = this.overlays.get(parent);
    }
    const [mine, theirs] = InprocLink.pair(this.fabric, String(rank), String(parent));
    ov.acceptLink(theirs);
    if (++this.links === this.init.size - 1) this.linkedAt = Number(process.hrtime.bigint()) / 1e6;
    return mine;
  }
}
