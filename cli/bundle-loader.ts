/**
 * Loads a prebuilt bundle (dist/bundle/<name>.js, made by scripts/bundle.js at
 * `npm run build`) with a V8 code cache beside it, for start-up speed: Node then
 * neither reads a hundred and fifty files nor parses a megabyte of JavaScript on
 * every `flux` command and broker. A bundle serves the dist/ files it holds to
 * require() by absolute path, so callers load as before: `require(<dist file>)`.
 * Without a bundle (a plain `tsc` build) everything loads from dist/ as usual.
 *
 * The cache is written at exit by the first process that found none (or found
 * it stale: V8 refuses data made by another version or for another source); a
 * build removes it with the bundle. A read-only tree just runs without one.
 * Plain Node built-ins only here: this file is loaded unbundled.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import Module from 'node:module';

import { BEFORE_IDLE_FLUSH, BROKER_STARTED } from '../lib/process-events';

/** dist/, the root the bundles' tables are relative to */
export const distDir = path.resolve(__dirname, '..');

const loaded = new Map<string, boolean>();
/** bundle name -> the variant of its code cache this process reads and writes */
const cacheVariants = new Map<string, string>();

/**
 * Bundle `name`'s code cache is `<name>-<variant>.cache` in this process. The
 * broker zygote's followers (cli/broker-zygote.ts) keep their own: the cache
 * holds the functions its writer ran, and rank 0, which writes broker.cache,
 * never runs a follower's (its parent's connection, the client side of the
 * overlay's handshake).
 */
export function useCacheVariant(name: string, variant: string): void {
  cacheVariants.set(name, variant);
}

/** the pending code-cache writes of the bundles this process loaded */
const cacheWriters: Array<() => void> = [];

/**
 * This process writes no code cache: a broker forked by the zygote
 * (cli/broker-zygote.ts) other than the first, which inherited the zygote's
 * pending write and would otherwise write the same file as all its siblings.
 */
export function forgoCacheWrites(): void {
  for (const w of cacheWriters.splice(0)) {
    process.removeListener('exit', w);
    process.removeListener(BEFORE_IDLE_FLUSH, w);
    process.removeListener(BROKER_STARTED, w);
  }
}

interface ModuleInternals {
  paths: string[];
  loaded: boolean;
}
const M = Module as unknown as { _nodeModulePaths(dir: string): string[]; _cache: Record<string, Module> };

/**
 * Evaluate dist/bundle/<name>.js once; false if there is no such bundle, or if
 * `entry` (a dist/ file it holds) is newer: tsc ran again since the bundle was
 * made, and the files on disk are what the developer means to run.
 */
export function loadBundle(name: string, entry?: string): boolean {
  const done = loaded.get(name);
  if (done !== undefined) return done;
  const file = path.join(distDir, 'bundle', `${name}.js`);
  let src: string;
  try {
    if (entry !== undefined && fs.statSync(path.join(distDir, entry)).mtimeMs > fs.statSync(file).mtimeMs) {
      throw new Error('stale');
    }
    src = fs.readFileSync(file, 'utf8');
  } catch {
    loaded.set(name, false);
    return false;
  }
  loaded.set(name, true);
  const variant = cacheVariants.get(name);
  const cacheFile = path.join(distDir, 'bundle', variant === undefined ? `${name}.cache` : `${name}-${variant}.cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(src), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // After the run, so the functions this command compiled are in it too; a
    // broker writes it once it is up (kernel/broker.ts), or before it first
    // goes idle (lib/idle-reduce.ts drops the compiled code of its start-up,
    // which the cache is for): its start-up's functions, never those of the
    // jobs it ran, which an idle broker would then hold too (+0.4 MiB).
    const write = () => {
      process.removeListener('exit', write);
      process.removeListener(BEFORE_IDLE_FLUSH, write);
      process.removeListener(BROKER_STARTED, write);
      const tmp = `${cacheFile}.${process.pid}`;
      try {
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          /* read-only tree: no cache */
        }
      }
    };
    cacheWriters.push(write);
    process.once('exit', write);
    process.once(BEFORE_IDLE_FLUSH, write);
    if (name === 'broker') process.once(BROKER_STARTED, write);
  }
  const mod = new Module(file, module);
  mod.filename = file;
  (mod as unknown as ModuleInternals).paths = M._nodeModulePaths(path.dirname(file));
  M._cache[file] = mod;
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: Module, f: string, d: string) => void;
  fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  (mod as unknown as ModuleInternals).loaded = true;
  return true;
}

/**
 * require() a file of dist/ (path relative to dist/), from bundle `name` when it
 * holds it, from disk otherwise.
 */
export function requireDist(name: string, rel: string): unknown {
  loadBundle(name, rel);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(distDir, rel));
}
