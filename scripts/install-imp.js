#!/usr/bin/env node
// `npm run install-imp -- --owner=USER[,USER...] [--prefix=DIR] [--allow-root]
// [--allow-unsigned] [--munge-socket=PATH]`, as root: installs the IMP
// (docs/man8/flux-imp.md) setuid root as PREFIX/libexec/flux-ts/flux-imp, the
// program it runs as PREFIX/libexec/flux-ts/flux-task, and its configuration
// PREFIX/etc/flux-ts/imp.conf, all owned by root. The only step that makes
// anything of flux-ts privileged. PREFIX defaults to /usr/local.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function fail(msg) {
  process.stderr.write(`install-imp: ${msg}\n`);
  process.exit(1);
}

function parse(argv) {
  const o = { prefix: '/usr/local', owner: '', allowRoot: false, allowUnsigned: false, mungeSocket: '' };
  for (const a of argv) {
    const [k, v] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (k === '--prefix' && v) o.prefix = v;
    else if (k === '--owner' && v) o.owner = v;
    else if (k === '--munge-socket' && v) o.mungeSocket = v;
    else if (k === '--allow-root' && v === undefined) o.allowRoot = true;
    else if (k === '--allow-unsigned' && v === undefined) o.allowUnsigned = true;
    else fail(`unknown or incomplete option '${a}'`);
  }
  if (!o.owner) fail('--owner=USER is required: the instance owner(s) allowed to call the IMP');
  if (!/^[A-Za-z0-9_.,-]+$/.test(o.owner)) fail(`--owner: not a list of user names or uids: '${o.owner}'`);
  if (!path.isAbsolute(o.prefix)) fail(`--prefix: an absolute path is required: '${o.prefix}'`);
  if (o.mungeSocket && !path.isAbsolute(o.mungeSocket)) fail(`--munge-socket: an absolute path is required: '${o.mungeSocket}'`);
  return o;
}

/** a directory owned by root, mode 0755 (made so if it is there already) */
function rootDir(dir) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chownSync(dir, 0, 0);
  fs.chmodSync(dir, 0o755);
}

/** copy to a temporary name, set owner and mode, then rename: never a moment writable or half-written */
function install(from, to, mode) {
  const tmp = `${to}.tmp-${process.pid}`;
  fs.copyFileSync(from, tmp);
  fs.chownSync(tmp, 0, 0);
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, to);
}

function main() {
  const o = parse(process.argv.slice(2));
  if (process.getuid() !== 0) fail('must run as root (it installs a setuid-root program)');
  const built = path.join(root, 'dist', 'native');
  for (const f of ['flux-imp', 'flux-task']) {
    if (!fs.existsSync(path.join(built, f))) fail(`${path.join(built, f)} is not built (npm run build; flux-imp needs libmunge-dev)`);
  }
  const libexec = path.join(o.prefix, 'libexec', 'flux-ts');
  const etc = path.join(o.prefix, 'etc', 'flux-ts');
  for (const d of [path.join(o.prefix, 'libexec'), libexec, path.join(o.prefix, 'etc'), etc]) rootDir(d);
  install(path.join(built, 'flux-task'), path.join(libexec, 'flux-task'), 0o755);
  install(path.join(built, 'flux-imp'), path.join(libexec, 'flux-imp'), 0o4755);
  const conf = [
    '# flux-imp(8) configuration, written by npm run install-imp',
    `allowed-users = ${o.owner}`,
    `allowed-shell = ${path.join(libexec, 'flux-task')}`,
    `allow-root = ${o.allowRoot}`,
    `allow-unsigned = ${o.allowUnsigned}`,
    ...(o.mungeSocket ? [`munge-socket = ${o.mungeSocket}`] : []),
    '',
  ].join('\n');
  const confPath = path.join(etc, 'imp.conf');
  const tmp = `${confPath}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, conf, { mode: 0o644 });
  fs.chownSync(tmp, 0, 0);
  fs.chmodSync(tmp, 0o644);
  fs.renameSync(tmp, confPath);
  process.stdout.write(`installed ${path.join(libexec, 'flux-imp')} (setuid root) and ${confPath}\nin the instance's config: [exec] imp = "${path.join(libexec, 'flux-imp')}"\n`);
}

main();
