/**
 * flux kvs: the instance's key-value store (flux-kvs(1)): get (--watch), put,
 * ls, dir, unlink, link, readlink, mkdir, copy, move, eventlog
 * get/append/wait-event, namespace list. Values are kept as given (strings;
 * job data written by the instance are JSON objects, printed as compact
 * JSON). One namespace (primary); other namespaces are refused with one line.
 */
import * as fs from 'node:fs';
import { CommandExit, FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import type { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { strerror } from '../../lib/errno';
import { GetoptError, getopt, type OptSpec, type Parsed } from '../getopt';
import { renderEntry } from './job/eventlog';

const KVS_USAGE = `Usage: flux-kvs [OPTIONS] COMMAND ARGS
  -h, --help             Display this message.

Common commands from flux-kvs:
   get                 Retrieve value(s) for key(s)
   put                 Store value(s) for key(s)
   ls                  List directory
   dir                 Display all keys under directory
   unlink              Remove key
   link                Create a new name for target
   readlink            Retrieve the key a link refers to
   mkdir               Create a directory
   copy                Copy source key to destination key
   move                Move source key to destination key
   eventlog            Access eventlogs
   namespace           Perform KVS namespace operations`;

const SUB_USAGE: Record<string, string> = {
  get: 'Usage: flux-kvs get [-N ns] [-r|-t] [-a treeobj] [-l] [-W] [-w] [-u] [-c COUNT] key [key...]\nRetrieve value(s) for key(s)',
  put: 'Usage: flux-kvs put [-N ns] [-O|-b|-s] [-r|-t] [-n] [-A] key=value [key=value...]\nStore value(s) for key(s)',
  ls: 'Usage: flux-kvs ls [-N ns] [-R] [-d] [-F] [-w COLS] [-1] [key...]\nList directory',
  dir: 'Usage: flux-kvs dir [-N ns] [-R] [-d] [-w COLS] [-a treeobj] [key]\nDisplay all keys under directory',
  unlink: 'Usage: flux-kvs unlink [-N ns] [-O|-b|-s] [-R] [-f] key [key...]\nRemove key',
  link: 'Usage: flux-kvs link [-N ns] [-T ns] [-O|-b|-s] target linkname\nCreate a new name for target',
  readlink: 'Usage: flux-kvs readlink [-N ns] [-a treeobj] [ -o | -k ] key [key...]\nRetrieve the key a link refers to',
  mkdir: 'Usage: flux-kvs mkdir [-N ns] [-O|-b|-s] key [key...]\nCreate a directory',
  copy: 'Usage: flux-kvs copy [-S src-ns] [-D dst-ns] source destination\nCopy source key to destination key',
  move: 'Usage: flux-kvs move [-S src-ns] [-D dst-ns] source destination\nMove source key to destination key',
  'eventlog get': 'Usage: flux-kvs eventlog get [-N ns] [-w] [-c COUNT] [-W] [-u] [-H] key\nGet eventlog',
  'eventlog append':
    'Usage: flux-kvs eventlog append [-N ns] [-t SECONDS] key name [context ...]\nAppend to eventlog\n  -h, --help             Display this message.\n  -N, --namespace        Specify KVS namespace to use.\n  -t, --timestamp=SECONDS\n                         Specify timestamp in seconds since epoch',
  'eventlog wait-event': 'Usage: flux-kvs eventlog wait-event [-N ns] [-t SECONDS] [-u] [-W] [-q] [-v] [-H] key event\nWait for an event',
};

const SPECS: Record<string, OptSpec[]> = {
  get: [
    { long: 'namespace', short: 'N', arg: true },
    { long: 'raw', short: 'r' },
    { long: 'watch', short: 'w' },
    { long: 'waitcreate', short: 'W' },
    { long: 'uniq', short: 'u' },
    { long: 'count', short: 'c', arg: true },
  ],
  put: [
    { long: 'namespace', short: 'N', arg: true },
    { long: 'raw', short: 'r' },
    { long: 'append', short: 'A' },
  ],
  ls: [
    { long: 'namespace', short: 'N', arg: true },
    { long: 'recursive', short: 'R' },
    { long: 'directory', short: 'd' },
    { long: 'classify', short: 'F' },
    { long: 'width', short: 'w', arg: true },
    { long: '1', short: '1' },
  ],
  dir: [
    { long: 'namespace', short: 'N', arg: true },
    { long: 'recursive', short: 'R' },
    { long: 'width', short: 'w', arg: true },
  ],
  unlink: [
    { long: 'namespace', short: 'N', arg: true },
    { long: 'recursive', short: 'R' },
    { long: 'force', short: 'f' },
  ],
  link: [
    { long: 'namespace', short: 'N', arg: true },
    { long: 'target-namespace', short: 'T', arg: true },
  ],
  readlink: [{ long: 'namespace', short: 'N', arg: true }],
  mkdir: [{ long: 'namespace', short: 'N', arg: true }],
  copy: [
    { long: 'src-namespace', short: 'S', arg: true },
    { long: 'dst-namespace', short: 'D', arg: true },
  ],
  move: [
    { long: 'src-namespace', short: 'S', arg: true },
    { long: 'dst-namespace', short: 'D', arg: true },
  ],
  'eventlog get': [
    { long: 'namespace', short: 'N', arg: true },
    { long: 'watch', short: 'w' },
    { long: 'waitcreate', short: 'W' },
    { long: 'count', short: 'c', arg: true },
    { long: 'unformatted', short: 'u' },
    { long: 'human', short: 'H' },
  ],
  'eventlog append': [
    { long: 'namespace', short: 'N', arg: true },
    { long: 'timestamp', short: 't', arg: true },
  ],
  'eventlog wait-event': [
    { long: 'namespace', short: 'N', arg: true },
    { long: 'timeout', short: 't', arg: true },
    { long: 'unformatted', short: 'u' },
    { long: 'waitcreate', short: 'W' },
    { long: 'quiet', short: 'q' },
    { long: 'verbose', short: 'v' },
    { long: 'human', short: 'H' },
  ],
};

interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

/** `a.`, `.a`, `a..b` -> `a`, `a`, `a.b` (Flux normalizes keys); '' stays '' */
export function normalizeKey(key: string): string {
  return key.split('.').filter((c) => c.length > 0).join('.');
}

/** a value as `flux kvs get` prints it: strings as they are, anything else as compact JSON */
function valueText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `ls` columns: names padded to the longest + 4, as many as fit the width, row by row */
function columns(names: readonly string[], width: number): string {
  if (names.length === 0) return '';
  const w = Math.max(...names.map((n) => n.length)) + 4;
  const per = Math.max(1, Math.floor(width / w));
  let out = '';
  for (let i = 0; i < names.length; i += per) {
    const row = names.slice(i, i + per);
    out += row.map((n, j) => (j < row.length - 1 ? n.padEnd(w) : n)).join('') + '\n';
  }
  return out;
}

export class KvsCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['kvs'],
    grammar: 'getopt',
    prog: 'flux-kvs',
    summary: 'Access the KVS',
    docLine: true,
    usage: 'COMMAND ...',
    options: [],
    // each sub-command parses its own options (SPECS below)
    operands: [{ name: 'COMMAND', nargs: '...', description: 'get, put, ls, dir, unlink, eventlog get|append|wait-event, namespace list' }],
  };

  private h!: Client;

  async run(): Promise<number> {
    const [sub, ...rest] = this.args.operands;
    if (sub === undefined || sub === '-h' || sub === '--help') throw new CommandExit(1, KVS_USAGE);
    switch (sub) {
      case 'get':
      case 'put':
      case 'ls':
      case 'dir':
      case 'unlink':
      case 'link':
      case 'readlink':
      case 'mkdir':
      case 'copy':
      case 'move': {
        const p = this.parse(sub, rest);
        this.h = await this.connect();
        return this[sub](p);
      }
      case 'eventlog': {
        const [what, ...more] = rest;
        const name = `eventlog ${what ?? ''}`;
        if (!SPECS[name]) {
          throw new CommandExit(1, `flux-kvs eventlog: ${what === undefined ? 'missing subcommand' : `Unknown subcommand: ${what}`}\nUsage: flux-kvs eventlog [get|append|wait-event] ...`);
        }
        const p = this.parse(name, more);
        this.h = await this.connect();
        if (what === 'get') return this.eventlogGet(p);
        if (what === 'append') return this.eventlogAppend(p);
        return this.waitEvent(p);
      }
      case 'namespace': {
        if (rest[0] === 'list') {
          process.stdout.write(`${'NAMESPACE'.padEnd(36)}${'OWNER'.padStart(11)} ${'FLAGS'.padStart(10)}\n`);
          process.stdout.write(`${'primary'.padEnd(36)}${String(process.getuid?.() ?? 0).padStart(11)} 0x00000000\n`);
          return 0;
        }
        if (rest[0] === 'create' || rest[0] === 'remove') this.fail(`namespace ${rest[0]}: only the primary namespace exists in flux-ts`);
        throw new CommandExit(1, `flux-kvs namespace: ${rest[0] === undefined ? 'missing subcommand' : `Unknown subcommand: ${rest[0]}`}`);
      }
      default:
        throw new CommandExit(1, `flux-kvs: Unknown subcommand: ${sub}\n${KVS_USAGE}`);
    }
  }

  private parse(sub: string, argv: readonly string[]): Parsed {
    let p: Parsed;
    try {
      p = getopt(argv, SPECS[sub]!, false);
    } catch (e) {
      if (!(e instanceof GetoptError)) throw e;
      throw new CommandExit(1, `flux-kvs ${sub}: ${e.message}\nTry \`flux-kvs ${sub} --help' for more information.`);
    }
    for (const o of ['namespace', 'target-namespace', 'src-namespace', 'dst-namespace']) {
      const ns = p.opts.get(o)?.at(-1);
      if (ns !== undefined && ns !== 'primary') this.fail(`${p.positionals[0] ?? ''}: Operation not supported`);
    }
    return p;
  }

  private usageExit(sub: string): never {
    throw new CommandExit(1, SUB_USAGE[sub] ?? KVS_USAGE);
  }

  private intOpt(p: Parsed, sub: string, long: string, dflt: number): number {
    const v = p.opts.get(long)?.at(-1);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) throw new CommandExit(1, `flux-kvs ${sub}: ${sub.split(' ').pop()}: Option '${long}' requires an integer argument`);
    return Number(v);
  }

  /** key for a request; '' is EINVAL as Flux says it */
  private key(raw: string): string {
    const k = normalizeKey(raw);
    if (k === '') this.fail(`${raw}: Invalid argument`);
    return k;
  }

  private async lookup(key: string): Promise<unknown> {
    try {
      return (await this.h.rpc<{ value: unknown }>('kvs.get', { key })).value;
    } catch (e) {
      if (e instanceof FluxError && e.errno === 2 && (await this.isDir(key))) this.fail(`${key}: Is a directory`);
      if (e instanceof FluxError) this.fail(`${key}: ${strerror(e.errno)}`);
      throw e;
    }
  }

  private async listDir(key: string): Promise<string[]> {
    return (await this.h.rpc<{ keys: string[] }>('kvs.dir', { key })).keys;
  }

  /** what key is (links not followed): 'dir', 'link', 'value', 'log', or undefined */
  private async kind(key: string): Promise<string | undefined> {
    return (await this.h.rpc<{ kind?: string }>('kvs.dir', { key, extras: true })).kind;
  }

  private async isDir(key: string): Promise<boolean> {
    return (await this.kind(key)) === 'dir';
  }

  // ---------------------------------------------------------------- get / put

  private async get(p: Parsed): Promise<number> {
    if (p.positionals.length === 0) this.usageExit('get');
    const raw = p.opts.has('raw');
    const print = (v: unknown) => {
      const t = valueText(v);
      process.stdout.write(raw || t.endsWith('\n') ? t : t + '\n');
    };
    if (p.opts.has('watch')) {
      const count = this.intOpt(p, 'get', 'count', 0);
      const key = this.key(p.positionals[0]!);
      if (!p.opts.has('waitcreate')) await this.lookup(key);
      let n = 0;
      let last: string | undefined;
      // --count reached: the watch is cancelled (kvs frees it) before the command exits
      const stream = this.h.rpcStream('kvs.watch', { key, values: true, waitcreate: true }, (r) => {
        const v = (r as { value?: unknown }).value;
        if (v === undefined) return;
        const t = valueText(v);
        if (p.opts.has('uniq') && t === last) return;
        last = t;
        print(v);
        if (count > 0 && ++n >= count) void stream.cancel();
      });
      await stream;
      await stream.cancel();
      return 0;
    }
    for (const k of p.positionals) print(await this.lookup(this.key(k)));
    return 0;
  }

  private async put(p: Parsed): Promise<number> {
    if (p.positionals.length === 0) this.usageExit('put');
    for (const arg of p.positionals) {
      const eq = arg.indexOf('=');
      if (eq < 0) this.fail('put: you must specify a value as key=value');
      const key = this.key(arg.slice(0, eq));
      let value = arg.slice(eq + 1);
      if (p.opts.has('raw') && value === '-') value = fs.readFileSync(0, 'utf8');
      if (p.opts.has('append')) {
        try {
          value = valueText((await this.h.rpc<{ value: unknown }>('kvs.get', { key })).value) + value;
        } catch {
          /* a new key */
        }
      }
      try {
        await this.h.rpc('kvs.put', { key, value });
      } catch (e) {
        if (e instanceof FluxError) this.fail(`${key}: ${e.message}`);
        throw e;
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------- ls / dir / unlink

  /** the names directly in dir ('' = root): [name, isDir]; the links among them in `links` (name -> target) */
  private async children(dir: string, links?: Map<string, string>): Promise<Map<string, boolean>> {
    const out = new Map<string, boolean>();
    const prefix = dir === '' ? 0 : dir.length + 1;
    const r = await this.h.rpc<{ keys: string[]; links?: Record<string, string>; dirs?: string[] }>('kvs.dir', { key: dir, extras: true });
    for (const k of r.keys) {
      const rest = k.slice(prefix);
      const dot = rest.indexOf('.');
      const name = dot < 0 ? rest : rest.slice(0, dot);
      out.set(name, (out.get(name) ?? false) || dot >= 0);
      if (dot < 0 && r.links?.[k] !== undefined) links?.set(name, r.links[k]);
    }
    // empty directories (flux kvs mkdir): a directory entry with nothing below it
    for (const k of r.dirs ?? []) {
      const rest = k.slice(prefix);
      const dot = rest.indexOf('.');
      out.set(dot < 0 ? rest : rest.slice(0, dot), true);
    }
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private async ls(p: Parsed): Promise<number> {
    const width = p.opts.has('1') ? 1 : this.intOpt(p, 'ls', 'width', 80);
    const classify = p.opts.has('classify');
    const keys = p.positionals.length > 0 ? p.positionals.map((k) => normalizeKey(k)) : [''];
    let rc = 0;
    let out = '';
    const mark = (n: string, dir: boolean, link = false) => (classify && dir ? n + '.' : classify && link ? n + '@' : n);
    const files: string[] = [];
    const dirs: string[] = [];
    for (const k of keys) {
      const kind = k === '' ? 'dir' : await this.kind(k);
      if (kind === 'link') files.push(mark(k, false, true));
      else if (kind !== 'dir') {
        try {
          await this.h.rpc('kvs.get', { key: k });
          files.push(k);
        } catch {
          process.stderr.write(`${k}: No such file or directory\n`);
          rc = 1;
        }
      } else if (p.opts.has('directory')) files.push(mark(k, true));
      else dirs.push(k);
    }
    out += columns(files, width);
    const many = keys.length > 1 || p.opts.has('recursive');
    const section = async (dir: string) => {
      const links = new Map<string, string>();
      const ch = await this.children(dir, links);
      if (many) out += `${out.length > 0 ? '\n' : ''}${dir === '' ? '.' : dir}:\n`;
      out += columns([...ch].map(([n, d]) => mark(n, d, links.has(n))), width);
      if (p.opts.has('recursive')) for (const [n, d] of ch) if (d) await section(dir === '' ? n : `${dir}.${n}`);
    };
    for (const d of dirs) await section(d);
    process.stdout.write(out);
    return rc;
  }

  private async dir(p: Parsed): Promise<number> {
    const key = normalizeKey(p.positionals[0] ?? '');
    const width = this.intOpt(p, 'dir', 'width', 80);
    if (key !== '' && !(await this.isDir(key))) {
      try {
        await this.h.rpc('kvs.get', { key });
      } catch {
        this.fail(`${key}: No such file or directory`);
      }
      this.fail(`${key}: Not a directory`);
    }
    const fit = (line: string) => (width > 0 && line.length > width ? line.slice(0, Math.max(0, width - 3)) + '...' : line);
    const entry = async (k: string, link: string | undefined) =>
      link !== undefined ? `${k} -> ${link}\n` : fit(`${k} = ${valueText((await this.h.rpc<{ value: unknown }>('kvs.get', { key: k })).value).split('\n')[0]!}`) + '\n';
    let out = '';
    if (p.opts.has('recursive')) {
      const r = await this.h.rpc<{ keys: string[]; links?: Record<string, string> }>('kvs.dir', { key, extras: true });
      for (const k of r.keys) out += await entry(k, r.links?.[k]);
    } else {
      const links = new Map<string, string>();
      for (const [n, d] of await this.children(key, links)) {
        const k = key === '' ? n : `${key}.${n}`;
        if (d) out += `${k}.\n`;
        else out += await entry(k, links.get(n));
      }
    }
    process.stdout.write(out);
    return 0;
  }

  private async unlink(p: Parsed): Promise<number> {
    if (p.positionals.length === 0) this.usageExit('unlink');
    for (const raw of p.positionals) {
      const key = this.key(raw);
      const isDir = await this.isDir(key);
      if (isDir && !p.opts.has('recursive') && (await this.listDir(key)).length > 0) this.fail(`cannot unlink '${key}': Directory not empty`);
      const r = await this.h.rpc<{ count: number }>('kvs.unlink', { key, recursive: isDir });
      if (r.count === 0 && !p.opts.has('force')) this.fail(`cannot unlink '${key}': No such file or directory`);
    }
    return 0;
  }

  // ---------------------------------------------------------------- link / readlink / mkdir / copy / move

  private async rpcOrFail(topic: string, payload: object, what: string): Promise<unknown> {
    try {
      return await this.h.rpc(topic, payload);
    } catch (e) {
      if (e instanceof FluxError) this.fail(`${what}: ${strerror(e.errno)}`);
      throw e;
    }
  }

  private async link(p: Parsed): Promise<number> {
    if (p.positionals.length !== 2) this.usageExit('link');
    const target = this.key(p.positionals[0]!);
    const key = this.key(p.positionals[1]!);
    await this.rpcOrFail('kvs.link', { key, target }, key);
    return 0;
  }

  private async readlink(p: Parsed): Promise<number> {
    if (p.positionals.length === 0) this.usageExit('readlink');
    for (const raw of p.positionals) {
      const key = this.key(raw);
      const r = (await this.rpcOrFail('kvs.readlink', { key }, key)) as { target: string };
      process.stdout.write(`${r.target}\n`);
    }
    return 0;
  }

  private async mkdir(p: Parsed): Promise<number> {
    if (p.positionals.length === 0) this.usageExit('mkdir');
    for (const raw of p.positionals) {
      const key = this.key(raw);
      await this.rpcOrFail('kvs.mkdir', { key }, key);
    }
    return 0;
  }

  /**
   * copy SRC DST: DST becomes what SRC is (a value, an eventlog with its
   * entries, a link, or a directory with everything below it), key by key;
   * move then unlinks SRC. What DST held goes first.
   */
  private async copy(p: Parsed, move = false): Promise<number> {
    const sub = move ? 'move' : 'copy';
    if (p.positionals.length !== 2) this.usageExit(sub);
    const src = this.key(p.positionals[0]!);
    const dst = this.key(p.positionals[1]!);
    if (dst === src || dst.startsWith(src + '.')) this.fail(`${dst}: Invalid argument`);
    const kind = await this.kind(src);
    if (kind === undefined) this.fail(`${src}: No such file or directory`);
    const one = async (from: string, to: string, k: string | undefined) => {
      if (k === 'link') {
        const r = (await this.rpcOrFail('kvs.readlink', { key: from }, from)) as { target: string };
        await this.rpcOrFail('kvs.link', { key: to, target: r.target }, to);
      } else if (k === 'log') {
        const text = (await this.rpcOrFail('kvs.get', { key: from }, from)) as { value: string };
        const entries = text.value.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
        await this.rpcOrFail('kvs.unlink', { key: to, recursive: true }, to);
        if (entries.length > 0) await this.rpcOrFail('kvs.eventlog-append', { key: to, entries }, to);
      } else {
        const v = (await this.rpcOrFail('kvs.get', { key: from }, from)) as { value: unknown };
        await this.rpcOrFail('kvs.put', { key: to, value: v.value }, to);
      }
    };
    if (kind === 'dir') {
      await this.rpcOrFail('kvs.mkdir', { key: dst }, dst);
      const r = (await this.rpcOrFail('kvs.dir', { key: src, extras: true }, src)) as { keys: string[]; links?: Record<string, string>; dirs?: string[] };
      for (const d of r.dirs ?? []) await this.rpcOrFail('kvs.mkdir', { key: dst + d.slice(src.length) }, dst);
      for (const k of r.keys) {
        const to = dst + k.slice(src.length);
        await one(k, to, r.links?.[k] !== undefined ? 'link' : await this.kind(k));
      }
    } else await one(src, dst, kind);
    if (move) await this.rpcOrFail('kvs.unlink', { key: src, recursive: true }, src);
    return 0;
  }

  private async move(p: Parsed): Promise<number> {
    return this.copy(p, true);
  }

  // ---------------------------------------------------------------- eventlog

  private formatter(p: Parsed): (e: Entry) => string {
    if (p.opts.has('unformatted')) return (e) => JSON.stringify(e);
    if (!p.opts.has('human')) return (e) => renderEntry(e, e.timestamp.toFixed(6));
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const p2 = (n: number) => String(n).padStart(2, '0');
    let anchor: number | undefined;
    return (e) => {
      if (anchor === undefined || e.timestamp < anchor) {
        anchor = e.timestamp;
        const d = new Date(e.timestamp * 1000);
        return renderEntry(e, `[${months[d.getMonth()]}${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}]`);
      }
      return renderEntry(e, `[${('+' + (e.timestamp - anchor).toFixed(6)).padStart(11)}]`);
    };
  }

  /** stream an eventlog's entries to each(); resolves when each() returns false or the log ends */
  private follow(key: string, waitcreate: boolean, each: (e: Entry) => boolean): Promise<void> {
    // each() said stop: the watch is cancelled (kvs frees it); done resolves at once
    const stream = this.h.rpcStream('kvs.watch', { key, waitcreate }, (r) => {
      for (const e of (r as { entries?: Entry[] }).entries ?? []) {
        if (!each(e)) {
          void stream.cancel();
          return;
        }
      }
    });
    return stream.then(() => stream.cancel());
  }

  private async eventlogGet(p: Parsed): Promise<number> {
    if (p.positionals.length !== 1) this.usageExit('eventlog get');
    const key = this.key(p.positionals[0]!);
    const fmt = this.formatter(p);
    if (!p.opts.has('watch')) {
      let text: unknown;
      try {
        text = (await this.h.rpc<{ value: unknown }>('kvs.get', { key })).value;
      } catch (e) {
        if (e instanceof FluxError) this.fail(`flux_kvs_lookup_get: ${strerror(e.errno)}`);
        throw e;
      }
      if (typeof text !== 'string') this.fail(`${key}: Invalid argument`);
      const out = text.split('\n').filter(Boolean).map((l) => fmt(JSON.parse(l) as Entry) + '\n');
      process.stdout.write(out.join(''));
      return 0;
    }
    const count = this.intOpt(p, 'eventlog get', 'count', 0);
    let n = 0;
    await this.follow(key, p.opts.has('waitcreate'), (e) => {
      process.stdout.write(fmt(e) + '\n');
      return !(count > 0 && ++n >= count);
    }).catch((e: FluxError) => this.fail(`${key}: ${strerror(e.errno)}`));
    return 0;
  }

  private async eventlogAppend(p: Parsed): Promise<number> {
    if (p.positionals.length < 2) this.usageExit('eventlog append');
    const [rawKey, name, ...ctx] = p.positionals as [string, string, ...string[]];
    const key = this.key(rawKey);
    const ts = p.opts.get('timestamp')?.at(-1);
    if (ts !== undefined && !/^\d+(\.\d*)?$/.test(ts)) throw new CommandExit(1, "flux-kvs eventlog append: append: Option 'timestamp' requires a floating point argument");
    const now = Math.round((performance.timeOrigin + performance.now()) * 1000) / 1e6;
    const entry: Entry = { timestamp: ts !== undefined ? Number(ts) : now, name };
    if (ctx.length > 0) {
      let c: unknown;
      try {
        c = JSON.parse(ctx.join(' '));
      } catch {
        c = undefined;
      }
      if (typeof c !== 'object' || c === null || Array.isArray(c)) this.fail('eventlog_entry_create: Invalid argument');
      entry.context = c as Record<string, unknown>;
    }
    try {
      await this.h.rpc('kvs.eventlog-append', { key, entries: [entry] });
    } catch (e) {
      if (e instanceof FluxError) this.fail(`${key}: ${e.message}`);
      throw e;
    }
    return 0;
  }

  private async waitEvent(p: Parsed): Promise<number> {
    if (p.positionals.length !== 2) this.usageExit('eventlog wait-event');
    const key = this.key(p.positionals[0]!);
    const want = p.positionals[1]!;
    const fmt = this.formatter(p);
    const tv = p.opts.get('timeout')?.at(-1);
    const timeout = tv === undefined ? -1 : Number(tv);
    if (tv !== undefined && !Number.isFinite(timeout)) throw new CommandExit(1, "flux-kvs eventlog wait-event: wait-event: Option 'timeout' requires a floating point argument");
    let found = false;
    const waiting = this.follow(key, p.opts.has('waitcreate'), (e) => {
      const match = e.name === want;
      if ((match && !p.opts.has('quiet')) || p.opts.has('verbose')) process.stdout.write(fmt(e) + '\n');
      if (match) found = true;
      return !match;
    }).catch((e: FluxError) => {
      if (e.errno === 2) this.fail(`eventlog path ${key} not found`);
      this.fail(`${key}: ${strerror(e.errno)}`);
    });
    if (timeout >= 0) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((r) => (timer = setTimeout(r, timeout * 1000)));
      await Promise.race([waiting, expired]);
      clearTimeout(timer);
    } else await waiting;
    if (!found) this.fail(`wait-event timeout on event '${want}'`);
    return 0;
  }
}
