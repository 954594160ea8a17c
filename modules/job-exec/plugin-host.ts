/**
 * The job shell's plugin host: the plugin stack of a job and the calls of its
 * callbacks (plugin-api.ts is the contract).
 *
 * Order: the broker's registry (IShellPlugins, ADR 0018; plugins.ts): the
 * built-ins (plugins/shell/<name>/, by folder name), then those modules
 * provide; then the site's files (`[exec] shell-plugins`), then the job's
 * (`-o plugin=FILE`), in the order given. A plugin whose name is already in
 * the stack replaces that one and takes its place at the end (the last loaded
 * name wins, as in Flux; in the registry a module's entry replaces a built-in
 * of its name the same way).
 *
 * A topic's callbacks run one after the other, in stack order. While they
 * return nothing the call is synchronous (the built-in plugins' usual case, so
 * the shell's timing is the same as when their code was inline); the first
 * that returns a promise makes the rest wait for it. A throw or a rejection
 * ends the call with a PluginFailure: one line naming the plugin and topic.
 */
import { readBoundedFile } from '../../lib/read-bounded';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { isBuiltin } from 'node:module';
import { isShellPlugin, ShellError, type ShellPlugin } from './plugin-api';
import type { StackEntry } from './plugins';
import { sysErrorText } from './sys-error';

/** the largest plugin file loaded by path */
export const MAX_PLUGIN_FILE = 1 << 20;

/** A callback failed: `message` is the job's exception as it should read. */
export class PluginFailure extends Error {}

/** why a plugin's callback failed, in one line */
export function failureNote(plugin: string, topic: string, e: unknown, builtin: boolean): string {
  const msg = oneLine(e instanceof Error ? e.message : String(e));
  // a built-in's refusal is worded for the user already (it names its option)
  if (e instanceof ShellError && builtin) return msg;
  return `shell plugin ${plugin}: ${topic}: ${msg}`;
}

function oneLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 400 ? `${line.slice(0, 400)}...` : line;
}

/** One plugin's callbacks for this job. */
export interface Bound<C> {
  name: string;
  builtin: boolean;
  cbs: C;
}

type Cb = (arg?: unknown) => unknown;

/**
 * Call `topic` on each plugin in order with `arg`. Returns undefined when
 * every callback returned synchronously, else a promise of the end of the
 * chain. Either way a failure is a PluginFailure (thrown, or the rejection).
 */
export function callTopic<C extends object>(stack: ReadonlyArray<Bound<C>>, topic: keyof C & string, arg?: unknown, from = 0): Promise<void> | undefined {
  for (let i = from; i < stack.length; i++) {
    const b = stack[i]!;
    const fn = (b.cbs as Record<string, unknown>)[topic];
    if (typeof fn !== 'function') continue;
    let r: unknown;
    try {
      r = (fn as Cb).call(b.cbs, arg);
    } catch (e) {
      throw new PluginFailure(failureNote(b.name, topic, e, b.builtin));
    }
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      return Promise.resolve(r).then(
        () => callTopic(stack, topic, arg, i + 1),
        (e: unknown) => {
          throw new PluginFailure(failureNote(b.name, topic, e, b.builtin));
        },
      );
    }
  }
  return undefined;
}

/** callTopic, always as a promise (a sync throw becomes a rejection) */
export async function callTopicAsync<C extends object>(stack: ReadonlyArray<Bound<C>>, topic: keyof C & string, arg?: unknown): Promise<void> {
  await callTopic(stack, topic, arg);
}

/** Bind each plugin's side for one job: `side` returns its callbacks (or nothing). A throw is a PluginFailure. */
export function bindStack<C extends object>(
  plugins: readonly StackEntry[],
  side: (p: ShellPlugin) => C | undefined | void,
  sideName: string,
): Array<Bound<C>> {
  const out: Array<Bound<C>> = [];
  for (const { plugin, builtin } of plugins) {
    let cbs: C | undefined | void;
    try {
      cbs = side(plugin);
    } catch (e) {
      throw new PluginFailure(failureNote(plugin.name, sideName, e, builtin));
    }
    if (cbs) out.push({ name: plugin.name, builtin, cbs });
  }
  return out;
}

/**
 * The job's plugin stack: `registered` (the registry's, as the job started:
 * plugins.ts registeredStack), then `extra` (loaded by path), a later name
 * replacing an earlier one.
 */
export function pluginStack(registered: readonly StackEntry[], extra: readonly ShellPlugin[]): StackEntry[] {
  const out: StackEntry[] = [...registered];
  for (const plugin of extra) {
    const i = out.findIndex((x) => x.plugin.name === plugin.name);
    if (i >= 0) out.splice(i, 1);
    out.push({ plugin, builtin: false });
  }
  return out;
}

/** The plugin files a job asks for: shell option `plugin` (a path or a list of them). */
export function pluginOption(v: unknown): string[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const p of list) {
    if (typeof p !== 'string' || p === '') throw new ShellError(`plugin: expected a file name or a list of them, got ${JSON.stringify(v)}`);
  }
  return list as string[];
}

/**
 * Load a plugin file (CommonJS): read off the event loop (bounded), compiled
 * in this process. It may require Node's built-in modules and
 * 'flux-ts/shell-plugin' (plugin-api: defineShellPlugin, ShellError), nothing
 * else. Any failure is one line naming the file.
 */
export async function loadPluginFile(file: string, cwd: string): Promise<ShellPlugin> {
  const abs = path.resolve(cwd, file);
  let code: string;
  try {
    code = await readBoundedFile(abs, MAX_PLUGIN_FILE);
  } catch (e) {
    throw new ShellError(`plugin: cannot load ${file}: ${sysErrorText(e as NodeJS.ErrnoException)}`);
  }
  const mod: { exports: unknown } = { exports: {} };
  try {
    const fn = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: abs });
    fn(mod.exports, fencedRequire(file), mod, abs, path.dirname(abs));
  } catch (e) {
    throw new ShellError(`plugin: ${file}: ${e instanceof Error ? `${e.name}: ${oneLine(e.message)}` : String(e)}`);
  }
  const ex = mod.exports as { default?: unknown } | null;
  const p = isShellPlugin(ex?.default) ? ex?.default : ex;
  if (!isShellPlugin(p)) throw new ShellError(`plugin: ${file}: not a shell plugin (it must export a name and a shell or leader function)`);
  return p;
}

function fencedRequire(file: string): (id: string) => unknown {
  return (id: string) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (id === 'flux-ts/shell-plugin') return require('./plugin-api');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (isBuiltin(id)) return require(id);
    throw new Error(`${file}: require('${id}'): a shell plugin may require only Node's modules and 'flux-ts/shell-plugin'`);
  };
}
