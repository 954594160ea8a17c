/**
 * Finds jobtap plugins: by name among the folders of plugins/jobtap/ (no
 * hand-kept list), or by path for a site's plugin file. Only async file
 * system calls: the path comes from a client, so a site's file is read off
 * the event loop (bounded, O_NONBLOCK: a FIFO cannot stall the broker) and
 * compiled here, with a require() of its own folder for what it needs.
 * Errors are Flux's one line (`NAME not found`).
 */
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { readBoundedFile } from '../../../lib/read-bounded';
import { Errno, FluxError, einval } from '../../../kernel/api';
import { isJobtapPlugin, type JobtapPlugin } from '../plugin-api';

/** dist/plugins/jobtap (this file is dist/modules/job-manager/jobtap/resolve.js) */
export const pluginDir = path.resolve(__dirname, '..', '..', '..', 'plugins', 'jobtap');

export interface Resolved {
  plugin: JobtapPlugin;
  /** the file it came from */
  path: string;
  /** the name it is listed under unless it names itself */
  defaultName: string;
}

const notFound = (spec: string) => new FluxError(Errno.ENOENT, `${spec} not found`);

async function statOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try {
    return await fsp.stat(p);
  } catch {
    return null;
  }
}

/** Names of the plugins in the tree, sorted. */
export async function availablePlugins(dir = pluginDir): Promise<string[]> {
  try {
    const ents = await fsp.readdir(dir, { withFileTypes: true });
    const out: string[] = [];
    for (const e of ents) if (e.isDirectory() && (await statOrNull(path.join(dir, e.name, 'index.js')))?.isFile()) out.push(e.name);
    return out.sort();
  } catch {
    return [];
  }
}

/** a site's plugin file larger than this is refused (a plugin is code, not data) */
const MAX_PLUGIN_FILE = 4 << 20;

/** the module's exports as a plugin, or the one line saying why not */
function asPlugin(mod: unknown, spec: string): JobtapPlugin {
  const m = mod as { default?: unknown } | null;
  const p = isJobtapPlugin(m?.default) ? m.default : isJobtapPlugin(mod) ? mod : undefined;
  if (!p) throw einval(`${spec}: not a flux-ts jobtap plugin (it must export jobtapPlugin: 1 and create())`);
  return p;
}

const importFailed = (spec: string, e: unknown) => einval(`${spec}: failed to import: ${String((e as Error)?.message ?? e).split('\n')[0]}`);

/** one of ours (plugins/jobtap/NAME): built with the broker */
function importBuiltin(file: string, spec: string): JobtapPlugin {
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file);
  } catch (e) {
    throw importFailed(spec, e);
  }
  return asPlugin(mod, spec);
}

/** a site's file (CommonJS), read afresh at each load: a site may edit it between remove and load */
async function importFile(file: string, spec: string): Promise<JobtapPlugin> {
  let code: string;
  try {
    code = await readBoundedFile(file, MAX_PLUGIN_FILE);
  } catch (e) {
    throw importFailed(spec, e);
  }
  const mod: { exports: unknown } = { exports: {} };
  try {
    const fn = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
    fn(mod.exports, createRequire(file), mod, file, path.dirname(file));
  } catch (e) {
    throw importFailed(spec, e);
  }
  return asPlugin(mod.exports, spec);
}

/** Resolve a plugin by name (plugins/jobtap/NAME) or by path (anything with a `/`). */
export async function resolvePlugin(spec: string, dir = pluginDir): Promise<Resolved> {
  if (spec.includes('/')) {
    const abs = path.resolve(spec);
    let st = await statOrNull(abs);
    if (!st) throw notFound(spec);
    let file = abs;
    if (st.isDirectory()) {
      file = path.join(abs, 'index.js');
      st = await statOrNull(file);
      if (!st) throw notFound(spec);
    }
    if (!st.isFile()) throw einval(`${spec}: not a regular file`);
    return { plugin: await importFile(file, spec), path: file, defaultName: path.basename(abs) };
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(spec)) throw notFound(spec);
  // Flux's names of its shared objects (`perilog.so`) name our folders too
  const base = spec.endsWith('.so') ? spec.slice(0, -3) : spec;
  const file = path.join(dir, base, 'index.js');
  if (!base || !(await statOrNull(file))?.isFile()) throw notFound(spec);
  return { plugin: importBuiltin(file, spec), path: file, defaultName: base };
}
