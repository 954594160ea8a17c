/**
 * What every `flux modprobe` sub-command starts from: the module table as the
 * broker's rc1 reads it (the installation's, the search path's, the broker
 * config's [modules] and FLUX_MODPROBE_DISABLE), this broker's rank, config
 * and attributes for the entries' conditions, and the modules it has loaded.
 */
import { Errno } from '../../../lib/errno';
import type { FluxError } from '../../../lib/errors';
import { applyModulesConfig, probeContext, readTableFile, readTables, type LoadedModules, type ModuleDb, type ProbeContext } from '../../../lib/modprobe';
import type { Client } from '../../api/client';
import { service } from '../../api/protocol';
import type { BrokerProtocol } from '../../../lib/protocol/broker';

const broker = service<BrokerProtocol>('');

export interface ProbeTable {
  db: ModuleDb;
  /** the broker's config ({} without a broker) */
  config: Record<string, unknown>;
  /** what was looked at and read (-v) */
  trace: string[];
}

export interface ProbeOptions {
  alternatives?: readonly string[];
  disable?: readonly string[];
  /** one table file instead of the installation's and the search path's (and no broker config) */
  path?: string;
}

/** The table with the broker config applied (h: the broker's config; none: the files alone). */
export async function probeTable(h: Client | undefined, opts: ProbeOptions = {}): Promise<ProbeTable> {
  const { db, trace } = opts.path !== undefined ? await readTableFile(opts.path) : await readTables(process.env);
  const config = h === undefined ? {} : (await h.rpc<{ config: Record<string, unknown> }>('config.get', {})).config;
  applyModulesConfig(db, config['modules'] as Record<string, unknown> | undefined, process.env);
  for (const entry of opts.alternatives ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`--set-alternative: invalid value '${entry}'`);
    db.setAlternative(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const n of (opts.disable ?? []).flatMap((d) => d.split(',')).filter((d) => d !== '')) db.disable(n);
  return { db, trace, config };
}

/** The entries' conditions tested against the broker FLUX_URI names (its config from probeTable, its attributes fetched once each). */
export async function brokerContext(h: Client, { db, config }: ProbeTable): Promise<ProbeContext> {
  const rank = Number(await h.getattr('rank'));
  const attrs = new Map<string, string | undefined>();
  for (const spec of db.all().flatMap((e) => e['needs-attrs'])) {
    const name = spec.replace(/^!/, '');
    if (attrs.has(name)) continue;
    try {
      attrs.set(name, await h.getattr(name));
    } catch (e) {
      if ((e as FluxError).errno !== Errno.ENOENT) throw e;
      attrs.set(name, undefined);
    }
  }
  return probeContext(rank, config, (n) => attrs.get(n), process.env);
}

/** The broker's loaded modules (the broker's own services are not among them). */
export async function loadedModules(h: Client): Promise<LoadedModules> {
  const mods = (await broker.call(h, 'module.list', {})).mods;
  const names = mods.map((m) => m.name);
  const byService = new Map<string, string>();
  for (const m of mods) for (const s of m.services) if (!byService.has(s)) byService.set(s, m.name);
  return { names, lookup: (n) => (names.includes(n) ? n : byService.get(n)) };
}
