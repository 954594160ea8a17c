/**
 * A warm client of the cli-pool module (docs/guide/cli-pool.md): a `flux`
 * front end started ahead of time by the broker, with its code loaded, that
 * waits for one command from the launcher (native/flux-launch.c), takes on the
 * launcher's stdio, working directory, environment, umask and command line, runs
 * the command as the front end would, reports its exit status and exits.
 *
 * Descriptors from the broker: 3 = the pool's listening socket, 4 = a pipe on
 * which it says "r" (ready: loaded, waiting) and "b" (taken: the broker then
 * starts the next warm client). The addon's serve() writes the "b" and closes
 * both: the launcher's own descriptors may take those numbers (PMI_FD=3 in a
 * job, `3<file`).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { distDir } from '../bundle-loader';
import { setOriginPid } from './origin';

interface Request {
  conn: number;
  pid: number;
  cwdOk: boolean;
  strings: string[];
}

interface PoolAddon {
  serve(listenFd: number, stateFd: number): Request;
  pending(fd: number): boolean;
  parentDeath(sig: number): void;
}

const LISTEN_FD = 3;
const STATE_FD = 4;
/** commands loaded first */
const HOT = ['run', 'submit', 'jobs', 'job', 'cancel'];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const addon = require(path.join(distDir, 'native', 'flux-ts.node')) as PoolAddon;

// An idle client dies with its broker; one that runs a command no longer does.
addon.parentDeath(15);
if (String(process.ppid) !== process.env['FLUX_CLI_POOL_PARENT']) process.exit(0);

/**
 * Node makes process.stdin/stdout/stderr on first use, for what fds 0-2 are
 * then; here that must be the launcher's (a tty, a pipe, a file), not the
 * /dev/null this process starts with. Code that reads them as it loads
 * gets nothing until the command is taken.
 */
function withoutStdio<T>(load: () => T): T {
  const names = ['stdin', 'stdout', 'stderr'] as const;
  const saved = names.map((n) => [n, Object.getOwnPropertyDescriptor(process, n)!] as const);
  for (const n of names) Object.defineProperty(process, n, { configurable: true, enumerable: true, get: () => undefined });
  try {
    return load();
  } finally {
    for (const [n, d] of saved) Object.defineProperty(process, n, d);
  }
}

// The front end now; then every command, the common ones first, until a
// launcher is waiting: one that comes while this client is still loading is
// served at once, and the command loads what it needs itself.
const front = withoutStdio(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(distDir, 'cli', 'main.js')) as typeof import('../main');
});
fs.writeSync(STATE_FD, 'r');
withoutStdio(() => {
  const index = JSON.parse(fs.readFileSync(path.join(distDir, 'cli', 'command-index.json'), 'utf8')) as Record<string, string[]>;
  const words = [...HOT, ...Object.keys(index).filter((w) => !HOT.includes(w))];
  for (const f of new Set(words.flatMap((w) => index[w] ?? []))) {
    if (addon.pending(LISTEN_FD)) break;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(distDir, 'cli', f));
  }
});

const req = addon.serve(LISTEN_FD, STATE_FD);
addon.parentDeath(0);

const [mask = '22', argc = '0', ...rest] = req.strings;
const nargs = Number(argc);
const args = rest.slice(0, nargs);
for (const k of Object.keys(process.env)) delete process.env[k];
for (const kv of rest.slice(nargs)) {
  const eq = kv.indexOf('=');
  if (eq > 0) process.env[kv.slice(0, eq)] = kv.slice(eq + 1);
}
process.umask(parseInt(mask, 8));
// the addon changed directory with fchdir(); this drops Node's cached cwd
if (req.cwdOk) process.chdir('.');
setOriginPid(req.pid);
process.argv = [process.argv[0]!, path.join(distDir, 'cli', 'entry.js'), ...args];
process.title = 'flux';
process.prependListener('exit', (code) => {
  try {
    fs.writeSync(req.conn, `x${code & 0xff}\n`);
  } catch {
    /* the launcher is gone: nobody to tell */
  }
});
// The launcher is the command's process for the shell: when it is gone (killed
// with SIGKILL, which it cannot pass on), so is the command.
const launcher = new net.Socket({ fd: req.conn, readable: true, writable: false });
launcher.on('data', () => undefined);
launcher.on('error', () => undefined);
launcher.on('close', () => process.kill(process.pid, 'SIGKILL'));
launcher.unref();
front.runMain(args);
