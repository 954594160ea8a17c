/**
 * What every bootstrap method (PMI in factory.ts, static config in
 * config-boot.ts) does once it knows the tree: the tbon.* attributes, and the
 * overlay services and log forwarding hooked in when the broker asks for the
 * parent (its router exists by then).
 */
import { SingletonTree, type TreeHost } from '../kernel/tree-host';
import { LogLevel } from '../kernel/api/handle';
import * as idset from '../lib/formats/idset';
import { installLogForwarding } from './log-forward';
import type { Overlay } from './overlay';
import { registerOverlayServices } from './services';
import type { Topology } from '../lib/tree-topology';

/** tbon.level/maxlevel/descendants of a broker alone in its instance. */
export function singletonTreeAttrs(b: TreeHost): void {
  b.attrs.setInternal('tbon.level', '0');
  b.attrs.setInternal('tbon.maxlevel', '0');
  b.attrs.setInternal('tbon.descendants', '0');
}

/** The tree of a broker alone in its instance (its attributes set): online, as Flux logs it, as soon as it reaches quorum. */
export function singletonTree(b: TreeHost): SingletonTree {
  singletonTreeAttrs(b);
  const tree = new SingletonTree();
  tree.quorum = () => {
    b.log(LogLevel.info, 'broker', `online: ${b.attrs.get('hostlist') ?? ''} (ranks 0)`);
    return Promise.resolve();
  };
  return tree;
}

/** The tbon.* attributes of `rank` in `topo`, and its endpoints. */
export function treeAttrs(b: TreeHost, topo: Topology, rank: number, endpoint?: string, parentEndpoint?: string): void {
  b.attrs.setInternal('tbon.level', String(topo.level(rank)));
  b.attrs.setInternal('tbon.maxlevel', String(topo.maxLevel()));
  b.attrs.setInternal('tbon.descendants', String(topo.descendants(rank)));
  if (endpoint) b.attrs.setInternal('tbon.endpoint', endpoint);
  if (parentEndpoint) b.attrs.setInternal('tbon.parent-endpoint', parentEndpoint);
  if (b.attrs.get('broker.critical-ranks') === undefined) b.attrs.setInternal('broker.critical-ranks', idset.encode(topo.criticalRanks()));
}

/** Register the overlay services and log forwarding when the broker first asks for the parent. */
export function hookServices(b: TreeHost, ov: Overlay): void {
  const parentReady = ov.parentReady.bind(ov);
  ov.parentReady = async () => {
    registerOverlayServices(b, ov);
    installLogForwarding(b, ov);
    return parentReady();
  };
}
