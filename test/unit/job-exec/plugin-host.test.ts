/**
 * The shell plugin host (modules/job-exec/plugin-host.ts): callbacks in plugin
 * order, synchronous while they return nothing, awaited when they return a
 * promise; one failure line naming plugin and topic; a later name replaces an
 * earlier one; plugin files loaded by path, and each way they fail to load.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ShellError, defineShellPlugin, type ShellCallbacks } from '../../../modules/job-exec/plugin-api';
import { bindStack, callTopic, loadPluginFile, pluginOption, pluginStack, PluginFailure, type Bound } from '../../../modules/job-exec/plugin-host';
import { builtinShellPlugins, provideBuiltinShellPlugins, registeredStack } from '../../../modules/job-exec/plugins';
import { Registry } from '../../../kernel/api';
import type { ShellPlugin } from '../../../modules/job-exec/plugin-api';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-shell-plugins-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const bound = (name: string, cbs: ShellCallbacks, builtin = false): Bound<ShellCallbacks> => ({ name, builtin, cbs });

test('callbacks run in order; all synchronous -> no promise', () => {
  const seen: string[] = [];
  const stack = [bound('a', { 'shell.init': () => void seen.push('a') }), bound('b', {}), bound('c', { 'shell.init': () => void seen.push('c') })];
  assert.is(callTopic(stack, 'shell.init'), undefined);
  assert.equal(seen, ['a', 'c']);
});

test('a promise makes the later plugins wait for it', async () => {
  const seen: string[] = [];
  const stack = [
    bound('a', { 'shell.init': () => void seen.push('a') }),
    bound('slow', { 'shell.init': () => new Promise<void>((r) => setTimeout(() => (seen.push('slow'), r()), 20)) }),
    bound('c', { 'shell.init': () => void seen.push('c') }),
  ];
  const p = callTopic(stack, 'shell.init');
  assert.ok(p instanceof Promise);
  assert.equal(seen, ['a']);
  await p;
  assert.equal(seen, ['a', 'slow', 'c']);
});

test('a throw or a rejection: one line naming plugin and topic; a built-in ShellError as it is', async () => {
  try {
    callTopic([bound('boom', { 'task.init': () => { throw new Error('kaboom\nsecond line'); } })], 'task.init');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, PluginFailure);
    assert.is((e as Error).message, 'shell plugin boom: task.init: kaboom');
  }
  const r = callTopic([bound('late', { 'shell.exit': async () => { throw new TypeError('nope'); } })], 'shell.exit');
  await r!.then(
    () => assert.unreachable(),
    (e: Error) => assert.is(e.message, 'shell plugin late: shell.exit: nope'),
  );
  assert.throws(() => callTopic([bound('taskmap', { 'shell.init': () => { throw new ShellError('taskmap: bad'); } }, true)], 'shell.init'), /^taskmap: bad$/);
  // a ShellError of a plugin loaded by path is still named
  assert.throws(() => callTopic([bound('mine', { 'shell.init': () => { throw new ShellError('no'); } })], 'shell.init'), /^shell plugin mine: shell.init: no$/);
  assert.throws(() => bindStack([{ plugin: defineShellPlugin({ name: 'x', shell: () => { throw new Error('at bind'); } }), builtin: false }], (p) => p.shell?.({} as never), 'shell'), /^shell plugin x: shell: at bind$/);
});

const BUILTINS = ['affinity', 'doom', 'input-file', 'output-file', 'pmi', 'pty', 'rlimit', 'signal', 'taskmap'];
const names = (stack: ReadonlyArray<{ plugin: ShellPlugin; builtin: boolean }>) => stack.map((x) => `${x.plugin.name}${x.builtin ? '' : '*'}`);

test('the built-ins are the registry\'s fallbacks, in folder order, provided once', () => {
  assert.equal(builtinShellPlugins().map((p) => p.name), BUILTINS);
  const reg = new Registry<ShellPlugin>();
  provideBuiltinShellPlugins(reg);
  provideBuiltinShellPlugins(reg); // a second job-exec on the broker (reload) adds nothing
  assert.equal(names(registeredStack(reg)), BUILTINS);
  assert.ok(BUILTINS.every((n) => reg.entry(n)?.fallback));
});

test('a module\'s plugin of a built-in\'s name replaces it until withdrawn; a started stack keeps what it had', () => {
  const reg = new Registry<ShellPlugin>();
  const site = defineShellPlugin({ name: 'pmi', shell: () => undefined });
  const owner = {};
  reg.provide('stamp', defineShellPlugin({ name: 'stamp', shell: () => undefined }), { owner });
  reg.provide('pmi', site, { owner });
  provideBuiltinShellPlugins(reg); // job-exec may load after the provider
  const started = registeredStack(reg);
  assert.equal(names(started), ['affinity', 'doom', 'input-file', 'output-file', 'pty', 'rlimit', 'signal', 'taskmap', 'stamp*', 'pmi*']);
  assert.is(started.find((x) => x.plugin.name === 'pmi')!.plugin, site);
  reg.withdraw(owner);
  assert.equal(names(registeredStack(reg)), BUILTINS);
  assert.is(started.find((x) => x.plugin.name === 'pmi')!.plugin, site);
});

test('what a module provides that is not a plugin fails the job naming it', () => {
  const reg = new Registry<ShellPlugin>();
  reg.provide('bogus', { name: 'bogus' } as unknown as ShellPlugin);
  const stack = registeredStack(reg);
  assert.throws(() => bindStack(stack, (p) => p.leader?.({} as never), 'leader'), /^shell plugin bogus: leader: what a module provided under this name is not a shell plugin$/);
});

test('a plugin file after the registry\'s: a later name replaces an earlier one, at the end', () => {
  const reg = new Registry<ShellPlugin>();
  provideBuiltinShellPlugins(reg);
  const mine = defineShellPlugin({ name: 'affinity', shell: () => undefined });
  const extra = defineShellPlugin({ name: 'extra', shell: () => undefined });
  const stack = pluginStack(registeredStack(reg), [mine, extra]);
  assert.equal(names(stack), ['doom', 'input-file', 'output-file', 'pmi', 'pty', 'rlimit', 'signal', 'taskmap', 'affinity*', 'extra*']);
});

test('-o plugin: a file or a list of files; anything else refused', () => {
  assert.equal(pluginOption(undefined), []);
  assert.equal(pluginOption('a.js'), ['a.js']);
  assert.equal(pluginOption(['a.js', 'b.js']), ['a.js', 'b.js']);
  assert.throws(() => pluginOption(1), /^plugin: expected a file name or a list of them, got 1$/);
  assert.throws(() => pluginOption(['a.js', '']), /^plugin: expected/);
});

test('loading by path: a plugin, and each way a file is not one', async () => {
  fs.writeFileSync(path.join(dir, 'ok.js'), "const { defineShellPlugin } = require('flux-ts/shell-plugin');\nmodule.exports = defineShellPlugin({ name: 'ok', shell: () => ({}) });\n");
  fs.writeFileSync(path.join(dir, 'plain.js'), "exports.default = { name: 'plain', leader() {} };\n");
  fs.writeFileSync(path.join(dir, 'empty.js'), 'module.exports = {};\n');
  fs.writeFileSync(path.join(dir, 'bad.js'), 'module.exports = {\n');
  fs.writeFileSync(path.join(dir, 'req.js'), "require('fs/promises'); require('./ok.js');\n");
  fs.writeFileSync(path.join(dir, 'big.js'), Buffer.alloc((1 << 20) + 1, 0x20));
  spawnSync('mkfifo', [path.join(dir, 'fifo.js')]);
  assert.is((await loadPluginFile('ok.js', dir)).name, 'ok');
  assert.is((await loadPluginFile(path.join(dir, 'plain.js'), '/')).name, 'plain');
  const err = async (file: string) => loadPluginFile(file, dir).then(() => 'loaded', (e: Error) => (assert.instance(e, ShellError), e.message));
  assert.is(await err('nosuch.js'), 'plugin: cannot load nosuch.js: No such file or directory');
  assert.is(await err('empty.js'), 'plugin: empty.js: not a shell plugin (it must export a name and a shell or leader function)');
  assert.match(await err('bad.js'), /^plugin: bad\.js: SyntaxError: /);
  assert.match(await err('req.js'), /^plugin: req\.js: Error: req\.js: require\('\.\/ok\.js'\): a shell plugin may require only Node's modules and 'flux-ts\/shell-plugin'$/);
  assert.is(await err('big.js'), `plugin: cannot load big.js: larger than ${1 << 20} bytes`);
  // a FIFO without a writer: refused at once, never waited on
  if (fs.existsSync(path.join(dir, 'fifo.js'))) assert.is(await err('fifo.js'), 'plugin: cannot load fifo.js: not a regular file');
  assert.is(await err('.'), 'plugin: cannot load .: not a regular file');
});

test.run();
