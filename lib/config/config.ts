/**
 * Broker configuration: TOML from `-c PATH` (a file, or a directory whose *.toml
 * files are merged), then `--conf` overrides. Errors read as Flux's do:
 * `Config file error: bad.toml:3: invalid key`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { Errno } from '../errno';
import { FluxError } from '../errors';
import { locateToml, type Locations } from './locate';

export type Config = Record<string, unknown>;

/** How the loader reaches files: the disk at start; texts read beforehand (without blocking) at reload. */
export interface ConfigIo {
  /** 'dir' | 'file', or undefined when it does not exist */
  stat(p: string): 'dir' | 'file' | undefined;
  readdir(p: string): string[];
  /** throws an error with `code` (ENOENT, EACCES) like fs */
  read(p: string): string;
}

const diskIo: ConfigIo = {
  stat: (p) => {
    try {
      return fs.statSync(p).isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  },
  readdir: (p) => fs.readdirSync(p),
  read: (p) => fs.readFileSync(p, 'utf8'),
};

function parseFile(file: string, shown: string, where?: Locations, io: ConfigIo = diskIo): Config {
  let text: string;
  try {
    text = io.read(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FluxError(Errno.ENOENT, `Config file error: ${shown}: ${code === 'EACCES' ? 'Permission denied' : 'No such file or directory'}`);
  }
  return parseText(text, file.endsWith('.json'), shown, where);
}

/** One TOML (or JSON) document, its tables and keys located as `shown:LINE` in `where`. */
export function parseText(text: string, json: boolean, shown: string, where?: Locations): Config {
  try {
    if (json) {
      const doc = JSON.parse(text) as Config;
      for (const k of Object.keys(doc)) where?.set(k, shown);
      return doc;
    }
    const doc = parse(text) as Config;
    if (where) locateToml(text, shown, where);
    return doc;
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new FluxError(Errno.EINVAL, `Config file error: ${shown}:${e.line}: ${first}`);
    }
    throw new FluxError(Errno.EINVAL, `Config file error: ${shown}: ${(e as Error).message}`);
  }
}

export function merge(into: Config, from: Config): Config {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (cur && typeof cur === 'object' && !Array.isArray(cur) && v && typeof v === 'object' && !Array.isArray(v)) {
      merge(cur as Config, v as Config);
    } else {
      into[k] = v;
    }
  }
  return into;
}

export function loadConfig(configPath: string | undefined, overrides: readonly string[]): Config {
  return loadConfigLocated(configPath, overrides).config;
}

/** The config and where each of its tables and keys was written (for `file:line` in errors). */
export function loadConfigLocated(configPath: string | undefined, overrides: readonly string[], io: ConfigIo = diskIo): { config: Config; where: Locations } {
  const where: Locations = new Map();
  const cfg: Config = {};
  if (configPath !== undefined) {
    const st = io.stat(configPath);
    if (st === undefined) throw new FluxError(Errno.ENOENT, `Config file error: stat: ${configPath}: No such file or directory`);
    if (st === 'dir') {
      for (const f of io.readdir(configPath).filter((n) => n.endsWith('.toml')).sort()) {
        merge(cfg, parseFile(path.join(configPath, f), path.join(configPath, f), where, io));
      }
    } else {
      merge(cfg, parseFile(configPath, configPath, where, io));
    }
  }
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (o.trim().startsWith('{')) {
      let doc: Config;
      try {
        doc = JSON.parse(o) as Config;
      } catch (e) {
        throw new FluxError(Errno.EINVAL, `Config file error: --conf: ${(e as Error).message}`);
      }
      for (const k of Object.keys(doc)) where.set(k, '--conf');
      merge(cfg, doc);
    } else if (eq > 0 && !o.includes('\n')) {
      const keys = o.slice(0, eq).split('.');
      const raw = o.slice(eq + 1);
      let val: unknown;
      try {
        val = JSON.parse(raw);
      } catch {
        val = raw;
      }
      let t: Config = cfg;
      for (const k of keys.slice(0, -1)) {
        const cur = t[k];
        t = (typeof cur === 'object' && cur !== null && !Array.isArray(cur) ? cur : (t[k] = {})) as Config;
      }
      t[keys[keys.length - 1]!] = val;
      for (let k = 1; k <= keys.length; k++) where.set(keys.slice(0, k).join('.'), '--conf');
    } else if (o.includes('\n')) {
      let doc: Config;
      try {
        doc = parse(o) as Config;
      } catch (e) {
        const line = e instanceof TomlError ? `:${e.line}` : '';
        throw new FluxError(Errno.EINVAL, `Config file error: --conf${line}: ${(e as Error).message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')}`);
      }
      locateToml(o, '--conf', where);
      merge(cfg, doc);
    } else {
      merge(cfg, parseFile(o, o, where, io));
    }
  }
  return { config: cfg, where };
}
