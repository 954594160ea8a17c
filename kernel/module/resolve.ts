/**
 * Module resolution: a name is looked up on FLUX_MODULE_PATH and then in the
 * tree's modules/ folder; anything containing '/' is a path. Site modules load
 * through a fenced require that maps 'flux-ts/kernel/api' to this broker's own
 * copy, so there is one tsyringe and one kernel API in the process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { isModuleManifest, type ModuleManifest } from '../api/module';
import * as api from '../api';

/** dist/modules, beside dist/kernel */
export const builtinModuleDir = path.resolve(__dirname, '..', '..', 'modules');

export interface Resolved {
  path: string;
  /** default load name */
  name: string;
}

/** entryOf's answers in the build's own modules/ (it does not change while brokers run: in-process brokers share them) */
const builtinEntries = new Map<string, string | undefined>();

function entryOf(p: string): string | undefined {
  if (path.dirname(p) !== builtinModuleDir) return findEntry(p);
  if (!builtinEntries.has(p)) builtinEntries.set(p, findEntry(p));
  return builtinEntries.get(p);
}

function findEntry(p: string): string | undefined {
  try {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const f of ['index.js', 'index.cjs', 'index.mjs']) {
        const q = path.join(p, f);
        if (fs.existsSync(q)) return q;
      }
      return undefined;
    }
    return p;
  } catch {
    return undefined;
  }
}

function nameOf(p: string): string {
  const base = path.basename(p);
  if (/^index\.[cm]?js$/.test(base)) return path.basename(path.dirname(p));
  return base.replace(/\.[cm]?js$/, '');
}

export function resolveModule(spec: string, searchPath: string | undefined): Resolved {
  if (spec.includes('/')) {
    const abs = path.resolve(spec);
    if (!fs.existsSync(abs)) {
      throw new FluxError(Errno.ENOENT, `could not canonicalize module path '${spec}': No such file or directory`);
    }
    const entry = entryOf(abs);
    if (!entry) throw new FluxError(Errno.ENOENT, `${spec}: no index.js in module directory`);
    return { path: entry, name: nameOf(entry) };
  }
  const dirs = [...(searchPath ?? '').split(':').filter((d) => d.length > 0), builtinModuleDir];
  for (const d of dirs) {
    for (const cand of [path.join(d, spec), path.join(d, `${spec}.js`)]) {
      const entry = entryOf(cand);
      if (entry) return { path: entry, name: spec };
    }
  }
  throw new FluxError(Errno.ENOENT, `load ${spec}: module not found in search path`);
}

const apiPath = path.resolve(__dirname, '..', 'api', 'index.js');
let fenceInstalled = false;

/**
 * Make `require('flux-ts/kernel/api')` in a site module resolve to our copy: the
 * one this file runs with, also when that is a bundle (scripts/bundle.js) and
 * not the file at apiPath.
 */
function installFence(): void {
  if (fenceInstalled) return;
  fenceInstalled = true;
  const M = Module as unknown as {
    _resolveFilename: (req: string, parent: unknown, ...rest: unknown[]) => string;
    _cache: Record<string, Module | undefined>;
  };
  if (M._cache[apiPath] === undefined) {
    const m = new Module(apiPath);
    m.filename = apiPath;
    m.exports = api;
    (m as unknown as { loaded: boolean }).loaded = true;
    M._cache[apiPath] = m;
  }
  const orig = M._resolveFilename;
  M._resolveFilename = function (req: string, parent: unknown, ...rest: unknown[]): string {
    if (req === 'flux-ts/kernel/api' || req === 'flux-ts') return apiPath;
    return orig.call(this, req, parent, ...rest);
  };
}

/** Import a module file and return its manifest (EINVAL if it exports none). */
export async function importManifest(file: string, spec: string): Promise<ModuleManifest> {
  installFence();
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = file.endsWith('.mjs') ? await import(file) : require(file);
  } catch (e) {
    throw new FluxError(Errno.EINVAL, `${spec}: failed to import: ${(e as Error).message.split('\n')[0]}`);
  }
  const m = mod as { default?: unknown };
  const cand = isModuleManifest(m?.default) ? m.default : isModuleManifest(mod) ? mod : undefined;
  if (!cand) throw new FluxError(Errno.EINVAL, `${spec}: does not export a flux-ts module`);
  return cand;
}
