/**
 * A new configuration for a running broker (flux config load / reload,
 * flux-config(1)). `config.reload` reads again what the broker started with
 * (-c PATH or -Sconfig.path, then the --conf overrides), without blocking
 * the event loop; `config.load {sources: [{name, text}]}` takes documents a
 * client read (TOML, or JSON when the text is an object). Either way the new
 * config is checked as at start (unknown tables and keys, types, values:
 * `Config file error: FILE:LINE: KEY: ...`), then:
 *
 * - the kernel's own tables ([bootstrap] and its bare keys, [tbon],
 *   [access]) cannot change on a running broker; [modules] may: it is read
 *   by flux modprobe (and by rc1 at the next start), as Flux's;
 * - every loaded module is asked (BrokerModule.configReload); one without
 *   the hook refuses changes to the tables it declares;
 *
 * and only when nobody refused does the broker take it and every module
 * apply it. A refusal is one line naming the key; nothing is applied.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { Errno } from '../../lib/errno';
import { FluxError, toFluxError } from '../../lib/errors';
import { checkConfig, type ConfigSchema } from '../../lib/config-schema';
import type { ConfigApply } from '../api/module';
import type { LoadedModule } from '../module/module-host';
import { kernelConfigSchema } from './kernel-schema';
import { modulesConfigProblem } from '../../lib/modprobe';
import { loadConfigLocated, merge, parseText, type Config, type ConfigIo } from '../../lib/config/config';
import { placeOf, type Locations } from '../../lib/config/locate';

/** at most this much text in one `flux config load` (and per file at reload) */
export const MAX_CONFIG_BYTES = 1 << 20;
const MAX_FILES = 256;

/** What the broker lends the reload: its config, schema and modules. */
export interface Reconfigurable {
  config: Config;
  configSchema(): Promise<ConfigSchema>;
  readonly modules: { list(): LoadedModule[] };
  log(severity: number, appname: string, text: string): void;
}

const isTable = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first dotted path where a and b differ (undefined: equal). */
export function firstDiff(a: unknown, b: unknown, at: string): string | undefined {
  // a table that appears or goes: name its first key
  if (a === undefined && isTable(b)) a = {};
  if (b === undefined && isTable(a)) b = {};
  if (isTable(a) && isTable(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDiff(a[k], b[k], at ? `${at}.${k}` : k);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? undefined : at;
}

/**
 * Read the files a config path and overrides name, without blocking (sizes
 * bounded), then build the config as at start from what was read.
 */
export async function rereadConfig(configPath: string | undefined, overrides: readonly string[]): Promise<{ config: Config; where: Locations }> {
  const texts = new Map<string, string | NodeJS.ErrnoException>();
  const kinds = new Map<string, 'dir' | 'file'>();
  const lists = new Map<string, string[]>();
  const readOne = async (p: string): Promise<void> => {
    try {
      const st = await fsp.stat(p);
      if (st.size > MAX_CONFIG_BYTES) throw new FluxError(Errno.EFBIG, `Config file error: ${p}: larger than ${MAX_CONFIG_BYTES} bytes`);
      texts.set(p, await fsp.readFile(p, 'utf8'));
    } catch (e) {
      if (e instanceof FluxError) throw e;
      texts.set(p, e as NodeJS.ErrnoException);
    }
  };
  if (configPath !== undefined) {
    try {
      const st = await fsp.stat(configPath);
      kinds.set(configPath, st.isDirectory() ? 'dir' : 'file');
    } catch {
      /* stat reports it below */
    }
    if (kinds.get(configPath) === 'dir') {
      const names = (await fsp.readdir(configPath)).filter((n) => n.endsWith('.toml'));
      if (names.length > MAX_FILES) throw new FluxError(Errno.EFBIG, `Config file error: ${configPath}: more than ${MAX_FILES} files`);
      lists.set(configPath, names);
      for (const n of names) await readOne(path.join(configPath, n));
    } else if (kinds.has(configPath)) {
      await readOne(configPath);
    }
  }
  for (const o of overrides) {
    if (!o.trim().startsWith('{') && !o.includes('\n') && !(o.indexOf('=') > 0)) await readOne(o);
  }
  const io: ConfigIo = {
    stat: (p) => kinds.get(p) ?? (texts.has(p) ? 'file' : undefined),
    readdir: (p) => lists.get(p) ?? [],
    read: (p) => {
      const t = texts.get(p);
      if (typeof t === 'string') return t;
      throw t ?? Object.assign(new Error('not read'), { code: 'ENOENT' });
    },
  };
  return loadConfigLocated(configPath, overrides, io);
}

/** The documents of `flux config load`, merged in order (a later one wins, as files in a directory do). */
export function parseSources(sources: unknown): { config: Config; where: Locations } {
  if (!Array.isArray(sources) || sources.length === 0 || sources.length > MAX_FILES) {
    throw new FluxError(Errno.EPROTO, `config.load: malformed request: sources must be an array of 1 to ${MAX_FILES} {name, text}`);
  }
  let total = 0;
  const where: Locations = new Map();
  const config: Config = {};
  for (const s of sources as unknown[]) {
    const name = isTable(s) ? s['name'] : undefined;
    const text = isTable(s) ? s['text'] : undefined;
    if (typeof name !== 'string' || typeof text !== 'string') throw new FluxError(Errno.EPROTO, 'config.load: malformed request: each source is {name, text}');
    total += text.length;
    if (total > MAX_CONFIG_BYTES) throw new FluxError(Errno.EFBIG, `Config file error: more than ${MAX_CONFIG_BYTES} bytes of configuration`);
    const json = name.endsWith('.json') || text.trimStart().startsWith('{');
    const doc = parseText(text, json, name, where);
    if (!isTable(doc)) throw new FluxError(Errno.EINVAL, `Config file error: ${name}: the configuration must be a table (a JSON object)`);
    merge(config, doc);
  }
  return { config, where };
}

let busy: Promise<unknown> = Promise.resolve();

/** Check `next` and, when nobody refuses, make it the broker's config (one at a time). */
export function reconfigure(b: Reconfigurable, next: Config, where: Locations): Promise<void> {
  const run = busy.then(() => apply(b, next, where));
  busy = run.catch(() => undefined);
  return run;
}

async function apply(b: Reconfigurable, next: Config, where: Locations): Promise<void> {
  const problem = checkConfig(await b.configSchema(), next);
  if (problem) {
    const at = placeOf(where, problem.path);
    throw new FluxError(Errno.EINVAL, `Config file error: ${at !== undefined ? `${at}: ` : ''}${problem.path}: ${problem.text}`);
  }
  const prev = b.config;
  // the kernel's own tables are fixed while the broker runs, but [modules]: flux modprobe reads it (and rc1 at the next start), as Flux's
  for (const t of Object.keys(kernelConfigSchema)) {
    const d = t === 'modules' ? undefined : firstDiff(prev[t], next[t], t);
    if (d !== undefined) throw new FluxError(Errno.EINVAL, `${d}: cannot be changed on a running instance (restart it with the new configuration)`);
  }
  const badModules = firstDiff(prev['modules'], next['modules'], 'modules') === undefined ? undefined : await modulesConfigProblem(next['modules'] as Record<string, unknown> | undefined, process.env);
  if (badModules !== undefined) throw new FluxError(Errno.EINVAL, badModules);
  const applies: Array<() => void> = [];
  for (const lm of b.modules.list()) {
    if (lm.state !== 'R' || !lm.module) continue;
    const hook = lm.module.configReload;
    if (!hook) {
      for (const t of lm.configTables) {
        const d = firstDiff(prev[t], next[t], t);
        if (d !== undefined) throw new FluxError(Errno.EINVAL, `${d}: cannot be changed on a running instance (module ${lm.name} reads it at load: flux module reload ${lm.name})`);
      }
      continue;
    }
    let fn: ConfigApply;
    try {
      fn = await hook.call(lm.module, next, prev);
    } catch (e) {
      const fe = toFluxError(e);
      throw new FluxError(fe.errno, fe.message);
    }
    if (typeof fn === 'function') applies.push(fn);
  }
  b.config = next;
  for (const fn of applies) {
    try {
      fn();
    } catch (e) {
      b.log(3, 'broker', `config reload: a module failed to apply the new configuration: ${(e as Error).message}`);
    }
  }
}
