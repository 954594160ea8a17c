/**
 * The broker's tree factory: static configuration (config-boot.ts) when the
 * config has `[bootstrap]` hosts, else PMI bootstrap of the overlay (pmi.md §7). No PMI
 * means a singleton (with one line on stderr if a launcher seems to have meant
 * otherwise). With PMI: rank and size, the tbon.topo tree, a fresh keypair,
 * a listening socket if we have children, business cards through PMI (two
 * barriers: each rank reads its parent's and children's, rank 0 all of them
 * and publishes the hostlist), then an Overlay that connects to the parent
 * when the broker asks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TreeHost, TreeFactory } from '../kernel/tree-host';
import type { BootInfo, Tree } from '../kernel/tree-host';
import { LAUNCHER_PREFIXES, type PmiClient } from '../lib/pmi/pmi';
import { pmiConnect } from '../lib/pmi/client';
import { generateKeyPair, publicKeyFromText, publicKeyText } from '../lib/crypto/keys';
import { encodeMapping, nodesOf, parseMapping, type Block } from './mapping';
import { compress as compressHosts, expand as expandHosts } from '../lib/formats/hostlist';
import { encodeF58, tryParseJobId } from '../lib/formats/fluid';
import { Overlay } from './overlay';
import { BootstrapConfigError, bootstrapFromConfig, parseBootstrap } from './config-boot';
import { hookServices, singletonTree, treeAttrs } from './tree-setup';
import { DEFAULT_TOPO, TopologyError, makeTopology } from '../lib/tree-topology';
import { LivenessConfigError, resolveLiveness } from './liveness';
import * as transport from './transport';

export type PmiConnectFn = (env: NodeJS.ProcessEnv) => Promise<PmiClient | undefined>;

interface Card {
  host: string;
  pubkey: string;
  uri: string[];
}

const HINTS: Record<string, string> = {
  SLURM_: 'under Slurm use srun --mpi=pmi2',
  PMIX_: 'PMIx is not supported: use a PMI-1 launcher (e.g. srun --mpi=pmi2)',
  OMPI_: 'Open MPI launchers provide PMIx only: use a PMI-1 launcher',
  PMI_: 'PMI_FD (or PMI_PORT), PMI_RANK and PMI_SIZE must all be set',
};

/** The one-line explanation printed when launcher variables exist but PMI does not. */
export function singletonWarning(env: NodeJS.ProcessEnv): string | undefined {
  const names = Object.keys(env).sort();
  for (const prefix of LAUNCHER_PREFIXES) {
    const hits = names.filter((n) => n.startsWith(prefix));
    if (hits.length === 0) continue;
    const name = hits.find((n) => /JOB_?ID$/.test(n)) ?? hits[0]!;
    const hint = HINTS[prefix] ?? 'launch with a PMI-1 capable launcher';
    return `flux-broker: no PMI found (PMI_FD/PMI_PORT unset) but ${name} is set: running as a singleton; ${hint}`;
  }
  return undefined;
}

/** A bootstrap failure every rank hits alike (so no PMI abort). */
class SameEverywhere extends Error {}

async function optionalGet(pmi: PmiClient, key: string): Promise<string | undefined> {
  try {
    return await pmi.get(key);
  } catch {
    return undefined;
  }
}

/** Make sure the rundir exists before binding in it; the broker removes it at exit if we made it. */
function ensureRundir(b: TreeHost): string {
  let dir = b.attrs.get('rundir');
  const made = () => {
    if (b.attrs.get('rundir-cleanup') === undefined) b.attrs.setInternal('rundir-cleanup', '1');
  };
  if (dir === undefined) {
    dir = fs.mkdtempSync(path.join(process.env['TMPDIR'] || '/tmp', 'flux-'));
    b.attrs.setInternal('rundir', dir);
    made();
  } else if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    made();
  }
  return dir;
}

/**
 * tbon.interface-hint: the attribute when given on the command line, else
 * `[tbon] interface-hint`, else (an instance started by a Flux job) the
 * enclosing instance's, from PMI's `flux.tbon-interface-hint`, else the
 * attribute's default; the attribute shows the hint in use whether or not
 * the overlay listens on TCP. Every rank reads the same config, so a bad
 * value fails everywhere alike.
 */
function applyInterfaceHint(b: TreeHost, fromParent?: string): void {
  const onCommandLine = b.args.setattrs.some(([k]) => k === 'tbon.interface-hint');
  const fromConfig = (b.config['tbon'] as Record<string, unknown> | undefined)?.['interface-hint'];
  if (onCommandLine) return;
  if (fromConfig !== undefined) {
    if (typeof fromConfig !== 'string') throw new SameEverywhere('tbon.interface-hint: must be a string');
    b.attrs.setInternal('tbon.interface-hint', fromConfig);
  } else if (fromParent !== undefined && fromParent !== '') b.attrs.setInternal('tbon.interface-hint', fromParent);
}

const interfaceHint = (b: TreeHost): string => b.attrs.get('tbon.interface-hint') ?? 'default-route';

/**
 * tbon.connect_timeout: the attribute when given on the command line, else
 * `[tbon] connect_timeout` (already checked to be an FSD by the config schema).
 */
function connectTimeout(b: TreeHost): void {
  if (b.args.setattrs.some(([k]) => k === 'tbon.connect_timeout')) return;
  const v = (b.config['tbon'] as Record<string, unknown> | undefined)?.['connect_timeout'];
  if (typeof v === 'string') b.attrs.setInternal('tbon.connect_timeout', v);
}

function configTopo(b: TreeHost): string | undefined {
  const t = (b.config['tbon'] as { topo?: unknown } | undefined)?.topo;
  return typeof t === 'string' ? t : undefined;
}

async function bootstrap(b: TreeHost, pmi: PmiClient): Promise<{ boot: BootInfo; tree: Tree }> {
  const { rank, size } = pmi;
  // from here on our log lines carry the rank, as Flux's do once PMI has answered
  b.logRing.hostname = String(rank);
  const host = b.attrs.get('hostname') ?? os.hostname();
  const levelText = await optionalGet(pmi, 'flux.instance-level');
  const underFlux = levelText !== undefined && /^\d+$/.test(levelText);
  if (underFlux) applyInterfaceHint(b, await optionalGet(pmi, 'flux.tbon-interface-hint'));
  let blocks: Block[] | undefined;
  try {
    blocks = parseMapping(await optionalGet(pmi, underFlux ? 'flux.taskmap' : 'PMI_process_mapping'));
  } catch {
    blocks = undefined;
  }
  const boot: BootInfo = {
    rank,
    size,
    method: 'simple',
    hostlist: [host],
    instanceLevel: underFlux ? Number(levelText) : 0,
  };
  if (underFlux) {
    // the kvsname is the job's id as the parent's job shell wrote it; the `jobid` attribute is in
    // this instance's own locale (ƒ under UTF-8), as FLUX_JOB_ID is
    const id = tryParseJobId(pmi.kvsname);
    boot.jobid = id === undefined ? pmi.kvsname : encodeF58(id);
  }
  if (blocks) boot.mapping = encodeMapping(blocks);
  if (size === 1) {
    await pmi.finalize();
    return { boot, tree: singletonTree(b) };
  }

  const topoUri = b.attrs.get('tbon.topo') ?? configTopo(b) ?? DEFAULT_TOPO;
  let topo;
  try {
    topo = makeTopology(topoUri, size);
  } catch (e) {
    // Every rank computes the same tree and fails the same way: no abort needed.
    if (e instanceof TopologyError) throw new SameEverywhere(`error creating '${topoUri}' topology: ${e.message}`);
    throw e;
  }
  b.attrs.setInternal('tbon.topo', topoUri);
  const keys = generateKeyPair();
  const nodes = blocks ? nodesOf(blocks, size) : undefined;
  const preferTcp = (b.attrs.get('tbon.prefertcp') ?? '0') !== '0';
  const kids = topo.children(rank);
  const ov = new Overlay(b, { rank, size, topo, hosts: [], keys, childKeys: new Map() });

  // Bind if we have children: ipc for children on this node, tcp for the others.
  const uris: string[] = [];
  if (kids.length > 0) {
    const local = nodes ? kids.filter((k) => nodes[k] === nodes[rank]).length : -1;
    const wantIpc = !preferTcp && local !== 0;
    const wantTcp = preferTcp || local < kids.length;
    if (wantIpc) {
      const sock = path.join(ensureRundir(b), `tbon-${rank}`);
      if (sock.length > 107) throw new Error(`tbon socket path ${sock} exceeds the 107-byte socket path limit`);
      const l = await transport.listen(`ipc://${sock}`, (s) => ov.acceptConnection(s));
      uris.push(l.uri);
      ov.listener = l;
    }
    if (wantTcp) {
      const l = await transport.listen(transport.tcpWildcard(await transport.hintAddress(interfaceHint(b))), (s) => ov.acceptConnection(s));
      uris.push(l.uri);
      if (ov.listener) {
        const first = ov.listener;
        ov.listener = { uri: first.uri, close: async () => void (await Promise.all([first.close(), l.close()])) };
      } else ov.listener = l;
    }
    b.log(7, 'overlay', `listening on ${uris.join(' ')}`);
  }

  const card: Card = { host, pubkey: publicKeyText(keys.publicKey), uri: uris };
  await pmi.put(String(rank), JSON.stringify(card));
  await pmi.barrier();
  // Each rank reads the cards of its parent and children only; rank 0 reads
  // them all and publishes the hosts in rank order, which the others read
  // after the second barrier. Every rank reading every card was N^2 gets
  // through the launcher's PMI server (~1 s of CPU at size 64).
  const cards = new Map<number, Card>();
  const parent = topo.parentOf(rank);
  for (const r of rank === 0 ? Array.from({ length: size }, (_v, i) => i) : [parent!, ...kids]) cards.set(r, await cardOf(pmi, r));
  // rank 0's cards are in rank order (read 0..size-1): its hosts as every rank will have them
  const rank0Hosts = rank === 0 ? [...cards.values()].map((c) => c.host) : undefined;
  if (rank0Hosts) await pmi.put(HOSTS_KEY, compressHosts(rank0Hosts));
  for (const k of kids) ov.childKeys.set(k, publicKeyFromText(cards.get(k)!.pubkey));
  if (parent !== undefined) {
    const pc = cards.get(parent)!;
    ov.parentKey = publicKeyFromText(pc.pubkey);
    const sameNode = nodes ? nodes[parent] === nodes[rank] : pc.host === host;
    const ipc = pc.uri.find((u) => u.startsWith('ipc://'));
    const tcp = pc.uri.find((u) => u.startsWith('tcp://'));
    ov.parentUri = !preferTcp && sameNode && ipc ? ipc : (tcp ?? pc.uri[0]);
    if (!ov.parentUri) throw new Error(`rank ${parent} published no URI for its children`);
  }
  await pmi.barrier();
  const hosts = rank0Hosts ?? expandHosts(await pmi.get(HOSTS_KEY));
  if (hosts.length !== size) throw new Error(`malformed ${HOSTS_KEY}: ${hosts.length} hosts for ${size} ranks`);
  ov.setHosts(hosts);
  await pmi.finalize();

  boot.hostlist = ov.hosts.slice();
  treeAttrs(b, topo, rank, uris[0], ov.parentUri);
  hookServices(b, ov);
  return { boot, tree: ov };
}

/** the PMI key rank 0 publishes the instance's hosts under, in rank order (a hostlist) */
const HOSTS_KEY = 'flux.hosts';

async function cardOf(pmi: PmiClient, r: number): Promise<Card> {
  const text = await pmi.get(String(r));
  try {
    return JSON.parse(text) as Card;
  } catch {
    throw new Error(`malformed business card for rank ${r}`);
  }
}

/** A tree factory using `connect` to find PMI (tests pass a fake). */
export function makeTreeFactory(connect: PmiConnectFn = (env) => pmiConnect(env), env: NodeJS.ProcessEnv = process.env): TreeFactory {
  return async (b: TreeHost) => {
    try {
      // the torpid/lost timeouts are checked even for a singleton: a bad value never passes silently
      resolveLiveness(b.attrs, b.config, new Set(b.args.setattrs.map(([k]) => k)));
      connectTimeout(b);
      applyInterfaceHint(b);
    } catch (e) {
      if (e instanceof LivenessConfigError) throw new SameEverywhere(e.message);
      throw e;
    }
    // A [bootstrap] table with hosts wins over PMI (flux-config-bootstrap(5)).
    try {
      const cfg = parseBootstrap(b.config);
      if (cfg) return await bootstrapFromConfig(b, cfg);
    } catch (e) {
      if (e instanceof BootstrapConfigError) throw new SameEverywhere(e.message);
      throw e;
    }
    const pmi = await connect(env);
    if (!pmi) {
      const warning = singletonWarning(env);
      if (warning) process.stderr.write(warning + '\n');
      // a singleton, as with PMI of size 1: its tree attributes and Flux's `online:` line
      const host = b.attrs.get('hostname') ?? os.hostname();
      return { boot: { rank: 0, size: 1, method: 'single', hostlist: [host], instanceLevel: 0 }, tree: singletonTree(b) };
    }
    try {
      return await bootstrap(b, pmi);
    } catch (e) {
      if (e instanceof SameEverywhere) throw e;
      // Peers may be waiting in a barrier for us: tell the launcher to end the job.
      b.log(3, 'overlay', (e as Error).message);
      await pmi.abort(1, (e as Error).message).catch(() => {});
      throw e;
    }
  };
}

export const treeFactory: TreeFactory = makeTreeFactory();

/** many brokers in one process (flux start --test-in-process): the tree factory of each rank */
export { InprocHub } from './inproc-hub';

