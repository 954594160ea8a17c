#!/usr/bin/env node
// Builds native/ (the `flux` launcher and the warm client pool's addon) into
// dist/native/ with the system C compiler. Both are optional: without them
// `flux` runs every command in a fresh Node process, as it did before
// (docs/guide/cli-pool.md). A machine without a compiler or Node's headers
// gets a warning, not a failed build.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const src = path.join(root, 'native');
const out = path.join(root, 'dist', 'native');
// dist/bin/flux: the launcher under the command's own name, which the front end puts first on PATH
const binOut = path.join(root, 'dist', 'bin');

function nodeHeaders() {
  const dirs = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.join(path.dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
  ].filter(Boolean);
  return dirs.find((d) => fs.existsSync(path.join(d, 'node_api.h')));
}

function cc(args, quiet = false) {
  const r = spawnSync(process.env.CC || 'cc', ['-O2', '-Wall', '-Wextra', '-std=gnu11', ...args], { encoding: 'utf8' });
  if (r.error) return r.error.message;
  if (r.status !== 0) return (r.stderr || '').trim() || `exit ${r.status}`;
  if (quiet) return undefined;
  if (r.stderr && r.stderr.trim()) process.stderr.write(r.stderr);
  return undefined;
}

/**
 * native/low-memory.cc compiled to an object file for the addon, or undefined
 * (with a warning) where it does not compile: the broker then reduces its
 * memory when idle with a plain full collection (lib/idle-reduce.ts).
 */
function lowMemoryObject(headers) {
  const obj = path.join(out, 'low-memory.o');
  const args = ['-O2', '-fPIC', '-std=c++17', '-fno-exceptions', '-fno-rtti', `-I${headers}`, '-c', '-o', obj, path.join(src, 'low-memory.cc')];
  const r = spawnSync(process.env.CXX || 'c++', args, { encoding: 'utf8' });
  if (r.error === undefined && r.status === 0) return obj;
  const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n')[0] || `exit ${r.status}`;
  process.stderr.write(`build-native: native/low-memory.cc: ${why}\nbuild-native: no lowMemory(): an idle broker reduces its memory with a full collection only\n`);
  return undefined;
}

/**
 * flux-task linked with its own runtime (native/flux-task-rt.c) instead of
 * the C library, on x86_64 only; kept only if it runs a task as it must
 * (records F, P and X 0 for /bin/true on its status descriptor). False: the
 * caller links the C library.
 */
function freestandingTask() {
  if (process.arch !== 'x64' || process.platform !== 'linux') return false;
  const bin = path.join(out, 'flux-task');
  const flags = ['-static', '-nostdlib', '-fno-stack-protector', '-ffreestanding', '-fno-builtin', '-fno-tree-loop-distribute-patterns', '-fno-asynchronous-unwind-tables', '-U_FORTIFY_SOURCE'];
  if (cc([...flags, '-o', bin, path.join(src, 'flux-task.c'), path.join(src, 'flux-task-rt.c')], true) !== undefined) return false;
  const r = spawnSync(bin, ['3', '-', '-', '-', '/bin/true'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], timeout: 10_000 });
  const recs = r.output && r.output[3] ? r.output[3] : Buffer.alloc(0);
  const kinds = [];
  for (let i = 0; i + 8 <= recs.length; i += 8) kinds.push(`${String.fromCharCode(recs.readUInt32LE(i))}${recs.readInt32LE(i + 4)}`);
  const ok = r.status === 0 && kinds.length === 3 && kinds[0].startsWith('F') && kinds[1].startsWith('P') && kinds[2] === 'X0';
  if (!ok) fs.rmSync(bin, { force: true });
  return ok;
}

function main() {
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(binOut, { recursive: true, force: true });
  if (process.env.FLUX_NO_NATIVE === '1') return;
  fs.mkdirSync(out, { recursive: true });
  const headers = nodeHeaders();
  if (headers === undefined) {
    process.stderr.write("build-native: Node's headers (node_api.h) not found: no warm client pool\n");
    fs.rmSync(out, { recursive: true, force: true });
    return;
  }
  // the addon first: a launcher without it would only ever fall back to Node;
  // with V8's lowMemory() when the C++ part compiles (a C++ compiler and v8.h)
  const lowMem = lowMemoryObject(headers);
  const errA = cc([
    '-shared',
    '-fPIC',
    `-I${headers}`,
    '-DNODE_GYP_MODULE_NAME=flux_ts',
    ...(lowMem !== undefined ? ['-DFLUX_LOW_MEMORY'] : []),
    '-o',
    path.join(out, 'flux-ts.node'),
    path.join(src, 'addon.c'),
    ...(lowMem !== undefined ? [lowMem] : []),
  ]);
  if (lowMem !== undefined) fs.rmSync(lowMem, { force: true });
  const errL = errA ?? cc(['-o', path.join(out, 'flux-launch'), path.join(src, 'flux-launch.c')]);
  // the parent of every job task (the addon spawns tasks through it, never as the broker's children):
  // on x86_64 without the C library (native/flux-task-rt.c: no glibc start-up and its CPUID traps,
  // ~0.5 ms of CPU a task on a VM), else static where the C library allows it (no dynamic loader), else dynamic
  const task = ['-o', path.join(out, 'flux-task'), path.join(src, 'flux-task.c')];
  const errT = errL ?? (freestandingTask() || cc(['-static', ...task], true) === undefined ? undefined : cc(task));
  if (errA !== undefined || errL !== undefined || errT !== undefined) {
    process.stderr.write(`build-native: ${errA ?? errL ?? errT}\nbuild-native: no warm client pool, tasks run as children of the broker: flux runs every command in a fresh Node process\n`);
    fs.rmSync(out, { recursive: true, force: true });
    return;
  }
  // the commands an instance starts run the launcher directly, not bin/flux's shell first
  fs.mkdirSync(binOut, { recursive: true });
  fs.copyFileSync(path.join(out, 'flux-launch'), path.join(binOut, 'flux'));
  fs.chmodSync(path.join(binOut, 'flux'), 0o755);
  // the reaper: without it, what a broker started may outlive a broker killed with SIGKILL
  const errR = cc(['-o', path.join(out, 'flux-reaper'), path.join(src, 'flux-reaper.c')]);
  if (errR !== undefined) process.stderr.write(`build-native: ${errR}\nbuild-native: no flux-reaper: processes may outlive a broker killed with SIGKILL\n`);
  // the IMP (docs/man8/flux-imp.md): built unprivileged; only `npm run install-imp` makes it setuid root
  const errI = cc(['-o', path.join(out, 'flux-imp'), path.join(src, 'flux-imp.c'), '-lmunge'], true);
  if (errI !== undefined) process.stderr.write(`build-native: no flux-imp (needs libmunge-dev): jobs of guests cannot run as their submitter\n`);
}

main();
