/**
 * Bootstrap from the broker config instead of PMI (flux-config-bootstrap(5),
 * the walkthrough's "Starting with Static Configuration"): `[bootstrap]` lists
 * every host in rank order with the URI it binds and the URI its children
 * connect to, and names one shared CURVE certificate (`flux keygen`) that every
 * broker authenticates with. A broker finds its rank by its hostname, binds if
 * it has children, and connects to its parent (retrying while the parent
 * starts). No barrier: brokers may start in any order.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { TreeHost } from '../kernel/tree-host';
import type { BootInfo, Tree } from '../kernel/tree-host';
import * as hostlist from '../lib/formats/hostlist';
import { CertError, parseCert } from '../lib/crypto/cert';
import { Overlay } from './overlay';
import { hookServices, singletonTree, treeAttrs } from './tree-setup';
import { Topology, makeTopology } from '../lib/tree-topology';
import * as transport from './transport';

export class BootstrapConfigError extends Error {}

export interface BootHost {
  host: string;
  bind?: string;
  connect?: string;
  /** the host of this one's TBON parent (a custom tree) */
  parent?: string;
}

export interface BootstrapConfig {
  hosts: BootHost[];
  curveCert?: string;
  defaultPort?: number;
  defaultBind: string;
  defaultConnect: string;
  /** IPv6 addresses allowed; `*` binds every address of both families */
  enableIpv6: boolean;
}

const BOOTSTRAP_KEYS = ['hosts', 'curve_cert', 'default_port', 'default_bind', 'default_connect', 'enable_ipv6'];
const HOST_KEYS = ['host', 'bind', 'connect', 'parent'] as const;

type Obj = Record<string, unknown>;

function str(t: Obj, key: string, where: string): string | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BootstrapConfigError(`${where}.${key}: must be a string`);
  return v;
}

/** The `[bootstrap]` table, validated; undefined when there is none (or no hosts). */
export function parseBootstrap(config: Readonly<Obj>): BootstrapConfig | undefined {
  let t = config['bootstrap'];
  // The walkthrough's test.toml shows the keys without their [bootstrap] header: read them too.
  if (t === undefined && Array.isArray(config['hosts'])) {
    t = Object.fromEntries(Object.entries(config).filter(([k]) => BOOTSTRAP_KEYS.includes(k)));
  }
  if (t === undefined) return undefined;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new BootstrapConfigError('[bootstrap] must be a table');
  const b = t as Obj;
  for (const k of Object.keys(b)) if (!BOOTSTRAP_KEYS.includes(k)) throw new BootstrapConfigError(`bootstrap.${k}: unknown key`);
  const port = b['default_port'];
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new BootstrapConfigError(`bootstrap.default_port: must be a port number, got ${JSON.stringify(port)}`);
  }
  const ipv6 = b['enable_ipv6'];
  if (ipv6 !== undefined && typeof ipv6 !== 'boolean') throw new BootstrapConfigError(`bootstrap.enable_ipv6: must be true or false, got ${JSON.stringify(ipv6)}`);
  const out: BootstrapConfig = {
    hosts: [],
    curveCert: str(b, 'curve_cert', 'bootstrap'),
    defaultPort: port as number | undefined,
    defaultBind: str(b, 'default_bind', 'bootstrap') ?? 'tcp://*:%p',
    defaultConnect: str(b, 'default_connect', 'bootstrap') ?? 'tcp://%h:%p',
    enableIpv6: ipv6 === true,
  };
  const hosts = b['hosts'];
  if (hosts === undefined) return undefined;
  if (!Array.isArray(hosts)) throw new BootstrapConfigError('bootstrap.hosts: must be an array of tables');
  // A name's first appearance makes its rank; a later entry naming it again
  // only fills in keys the earlier ones left out (Flux's compact trees:
  // all hosts first, then `parent` for groups of them).
  const rankOf = new Map<string, number>();
  const parentFrom: string[] = [];
  hosts.forEach((h, i) => {
    const where = `bootstrap.hosts[${i}]`;
    if (typeof h !== 'object' || h === null || Array.isArray(h)) throw new BootstrapConfigError(`${where}: must be a table`);
    const e = h as Obj;
    for (const k of Object.keys(e)) if (!(HOST_KEYS as readonly string[]).includes(k)) throw new BootstrapConfigError(`${where}.${k}: unknown key`);
    const name = str(e, 'host', where);
    if (name === undefined) throw new BootstrapConfigError(`${where}: host is required`);
    let names: string[];
    try {
      names = hostlist.expand(name);
    } catch (err) {
      throw new BootstrapConfigError(`${where}.host: ${(err as Error).message}`);
    }
    const keys = { bind: str(e, 'bind', where), connect: str(e, 'connect', where), parent: str(e, 'parent', where) };
    for (const n of names) {
      const r = rankOf.get(n);
      const entry = r === undefined ? { host: n } : out.hosts[r]!;
      if (r === undefined) {
        rankOf.set(n, out.hosts.length);
        out.hosts.push(entry);
      }
      for (const k of ['bind', 'connect', 'parent'] as const) {
        if (entry[k] === undefined && keys[k] !== undefined) {
          entry[k] = keys[k];
          if (k === 'parent') parentFrom[rankOf.get(n)!] = where;
        }
      }
    }
  });
  checkParents(out.hosts, rankOf, parentFrom);
  // every broker refuses an IPv6 address anywhere, not just the ones it uses
  checkFamily(out.defaultBind, out.enableIpv6, 'bootstrap.default_bind');
  checkFamily(out.defaultConnect, out.enableIpv6, 'bootstrap.default_connect');
  out.hosts.forEach((h, r) => {
    for (const k of ['bind', 'connect'] as const) if (h[k] !== undefined) checkFamily(h[k], out.enableIpv6, `bootstrap.hosts[${r}].${k}`);
  });
  return out.hosts.length > 0 ? out : undefined;
}

/** Every `parent` names another known host, rank 0 has none, and every chain ends at rank 0. */
function checkParents(hosts: readonly BootHost[], rankOf: ReadonlyMap<string, number>, from: readonly string[]): void {
  hosts.forEach((h, r) => {
    if (h.parent === undefined) return;
    const where = `${from[r]}.parent`;
    if (r === 0) throw new BootstrapConfigError(`${where}: ${h.host} is rank 0, the root of the tree: it has no parent`);
    if (h.parent === h.host) throw new BootstrapConfigError(`${where}: ${h.host} cannot be its own parent`);
    if (!rankOf.has(h.parent)) throw new BootstrapConfigError(`${where}: ${h.parent} is not in bootstrap.hosts`);
  });
  // each chain of parents is walked once: its hosts are then known to reach rank 0
  const rooted = new Set<string>([hosts[0]?.host ?? '']);
  for (let r = 1; r < hosts.length; r++) {
    const chain = new Map<string, number>();
    let h: string | undefined = hosts[r]!.host;
    while (h !== undefined && !rooted.has(h)) {
      if (chain.has(h)) {
        const loop = [...chain.keys()].slice(chain.get(h));
        throw new BootstrapConfigError(`bootstrap.hosts: parent keys make a loop that never reaches rank 0 (${[...loop, h].join(' -> ')})`);
      }
      chain.set(h, chain.size);
      h = hosts[rankOf.get(h)!]!.parent;
    }
    for (const c of chain.keys()) rooted.add(c);
  }
}

/** The tree that `parent` keys draw: a host without one is a child of rank 0 (tbon.topo `custom`). */
export function parentTable(cfg: BootstrapConfig): Int32Array {
  const rankOf = new Map(cfg.hosts.map((h, r) => [h.host, r]));
  const p = new Int32Array(cfg.hosts.length);
  cfg.hosts.forEach((h, r) => (p[r] = r === 0 ? -1 : h.parent === undefined ? 0 : rankOf.get(h.parent)!));
  return p;
}

/** %h (host) and %p (port) in a URI template. */
function expandUri(template: string, host: string, port: number | undefined, what: string): string {
  if (template.includes('%p') && port === undefined) throw new BootstrapConfigError(`${what} ${template} uses %p but bootstrap.default_port is not set`);
  return template.replace(/%h/g, host).replace(/%p/g, String(port));
}

/**
 * tcp://IFACE:PORT -> the interface's address (IPv4, or IPv6 with
 * enable_ipv6, as Flux's ZeroMQ sockets do); tcp://*:PORT -> every address.
 */
export function bindAddress(uri: string, ipv6 = false): string {
  const m = /^tcp:\/\/([^:/[\]]+):(\d+)$/.exec(uri);
  if (!m) return uri;
  const [, where, port] = m as unknown as [string, string, string];
  if (where === '*') return ipv6 ? `tcp://[::]:${port}` : `tcp://0.0.0.0:${port}`;
  const iface = os.networkInterfaces()[where];
  if (iface === undefined) return uri;
  if (ipv6) {
    // a global or loopback address: a link-local one needs a scope the URI cannot carry
    const v6 = iface.find((a) => a.family === 'IPv6' && !a.address.toLowerCase().startsWith('fe80'));
    if (!v6) throw new BootstrapConfigError(`bind ${uri}: interface ${where} has no IPv6 address (bootstrap.enable_ipv6 is true)`);
    return `tcp://[${v6.address}]:${port}`;
  }
  const v4 = iface.find((a) => a.family === 'IPv4');
  if (!v4) throw new BootstrapConfigError(`bind ${uri}: interface ${where} has no IPv4 address`);
  return `tcp://${v4.address}:${port}`;
}

/** An IPv6 address in a URI is refused unless enable_ipv6 says so (Flux's default is IPv4 only). */
function checkFamily(uri: string, ipv6: boolean, what: string): void {
  if (!ipv6 && /^tcp:\/\/\[/.test(uri)) throw new BootstrapConfigError(`${what} ${uri} is an IPv6 address: set bootstrap.enable_ipv6 = true to use IPv6`);
}

/** The shared certificate: owner-only, well-formed. */
function loadCert(path: string | undefined): ReturnType<typeof parseCert> {
  if (path === undefined) throw new BootstrapConfigError('bootstrap.curve_cert is required when bootstrap.hosts has more than one host');
  let st: fs.Stats;
  let text: string;
  try {
    st = fs.statSync(path);
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new BootstrapConfigError(`bootstrap.curve_cert ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
  }
  if ((st.mode & 0o077) !== 0) throw new BootstrapConfigError(`bootstrap.curve_cert ${path}: readable by others (mode ${(st.mode & 0o777).toString(8)}): it must be private to the instance owner`);
  try {
    return parseCert(text);
  } catch (e) {
    if (e instanceof CertError) throw new BootstrapConfigError(`bootstrap.curve_cert ${path}: ${e.message}`);
    throw e;
  }
}

export async function bootstrapFromConfig(b: TreeHost, cfg: BootstrapConfig): Promise<{ boot: BootInfo; tree: Tree }> {
  const host = b.attrs.get('hostname') ?? os.hostname();
  const rank = cfg.hosts.findIndex((h) => h.host === host);
  if (rank < 0) throw new BootstrapConfigError(`bootstrap: ${host} is not in bootstrap.hosts (${hostlist.compress(cfg.hosts.map((h) => h.host))})`);
  const size = cfg.hosts.length;
  b.logRing.hostname = String(rank);
  const hosts = cfg.hosts.map((h) => h.host);
  const boot: BootInfo = { rank, size, method: 'config', hostlist: hosts, instanceLevel: 0 };
  if (size === 1) {
    return { boot, tree: singletonTree(b) };
  }
  const cert = loadCert(cfg.curveCert);
  const keys = { publicKey: cert.publicKey, secretKey: cert.secretKey };
  // Flux's default with [bootstrap] is `custom`: the tree its parent keys draw, flat without them
  const topoUri = b.attrs.get('tbon.topo') ?? ((b.config['tbon'] as { topo?: string } | undefined)?.topo ?? 'custom');
  const withParent = cfg.hosts.findIndex((h) => h.parent !== undefined);
  if (topoUri !== 'custom' && withParent >= 0) {
    throw new BootstrapConfigError(`bootstrap.hosts: ${cfg.hosts[withParent]!.host} has a parent key, which needs tbon.topo custom (the default with [bootstrap]), but tbon.topo is ${topoUri}`);
  }
  const topo = topoUri === 'custom' ? new Topology(parentTable(cfg)) : makeTopology(topoUri, size);
  b.attrs.setInternal('tbon.topo', topoUri);
  const kids = topo.children(rank);
  const ov = new Overlay(b, { rank, size, topo, hosts, keys, childKeys: new Map(kids.map((k) => [k, cert.publicKey])) });
  const me = cfg.hosts[rank]!;
  if (kids.length > 0) {
    const uri = bindAddress(expandUri(me.bind ?? cfg.defaultBind, host, cfg.defaultPort, `bootstrap.hosts[${rank}].bind`), cfg.enableIpv6);
    try {
      ov.listener = await transport.listen(uri, (s) => ov.acceptConnection(s));
    } catch (e) {
      throw new BootstrapConfigError(`cannot bind ${uri}: ${(e as Error).message}`);
    }
    b.log(7, 'overlay', `listening on ${ov.listener.uri}`);
  }
  const parent = topo.parentOf(rank);
  if (parent !== undefined) {
    const ph = cfg.hosts[parent]!;
    ov.parentKey = cert.publicKey;
    ov.parentUri = expandUri(ph.connect ?? cfg.defaultConnect, ph.host, cfg.defaultPort, `bootstrap.hosts[${parent}].connect`);
  }
  treeAttrs(b, topo, rank, ov.listener?.uri, ov.parentUri);
  hookServices(b, ov);
  return { boot, tree: ov };
}
