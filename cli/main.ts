/**
 * The `flux` front end: finds the sub-command in the generated command index
 * (loading only that command's files, for start-up speed), falls back to a
 * `flux-CMD` executable on FLUX_EXEC_PATH as Flux does, parses the command line
 * with the command's option spec (cli/options) and renders its --help and usage
 * errors in the command's own style.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCommandClass, type CommandClass } from './base-command';
import { endCommand, guardStdio } from './exit';
import { suggest } from './suggest';
import { frontEndFlags } from './front-end-options';
import { FLUX_ONLY_COMMANDS } from './flux-only-commands';
import { HelpRequest, UsageError, parse, renderHelp, renderUsageError, type GroupSpec, type Rendered } from './options';
import { groupHelp, groupUsageError, isGroupSpec } from './group';
import { frontEndUsage } from './help/usage';
import { exportManPath } from './help/manpath';

const here = __dirname;

function loadIndex(): Record<string, string[]> {
  return JSON.parse(fs.readFileSync(path.join(here, 'command-index.json'), 'utf8')) as Record<string, string[]>;
}

interface Loaded {
  classes: CommandClass[];
  group?: GroupSpec;
}

function loadCommands(files: readonly string[]): Loaded {
  const out: Loaded = { classes: [] };
  for (const f of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(here, f)) as Record<string, unknown>;
    for (const v of Object.values(mod)) {
      if (isCommandClass(v)) out.classes.push(v);
      else if (isGroupSpec(v)) out.group = v;
    }
  }
  return out;
}

/** Run `flux-CMD` from FLUX_EXEC_PATH; undefined if there is none. */
function execExternal(cmd: string, args: readonly string[]): number | undefined {
  const dirs = (process.env['FLUX_EXEC_PATH'] ?? '').split(':').filter((d) => d.length > 0);
  for (const d of dirs) {
    const p = path.join(d, `flux-${cmd}`);
    try {
      fs.accessSync(p, fs.constants.X_OK);
    } catch {
      continue;
    }
    // loaded here: child_process is not needed by the built-in commands' start-up
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runForeground } = require('./run-command') as typeof import('./run-command');
    const r = runForeground([p, ...args]);
    if ('error' in r) {
      process.stderr.write(`flux: execvp (${p}): ${r.error}\n`);
      return 1;
    }
    return r.status;
  }
  return undefined;
}

function emit(r: Rendered): number {
  (r.stream === 'stdout' ? process.stdout : process.stderr).write(r.text);
  return r.code;
}

/**
 * The directory of this build's `flux`: dist/bin, where the build puts the
 * native launcher itself (no shell script before it: ~1 ms less a command),
 * else the repository's bin/ (the script that runs Node).
 */
const ownBin = fs.existsSync(path.join(here, '..', 'bin', 'flux')) ? path.resolve(here, '..', 'bin') : path.resolve(here, '..', '..', 'bin');

/**
 * Like Flux's front end, make sure what we start (initial programs, job tasks,
 * `flux exec`) finds this same `flux`: put its bin/ directory first on PATH.
 */
function exportOwnPath(): void {
  const bin = ownBin;
  const cur = (process.env['PATH'] ?? '').split(':');
  if (cur[0] !== bin) process.env['PATH'] = [bin, ...cur.filter((d) => d !== bin && d.length > 0)].join(':');
}

export async function main(argv: readonly string[]): Promise<number> {
  exportOwnPath();
  exportManPath();
  const args = [...argv];
  let verbose = false;
  // front-end options (getopt: bundled flags, unique prefixes, `--` ends them)
  while (args.length > 0 && args[0]!.startsWith('-') && args[0] !== '-') {
    const a = args.shift()!;
    const flags = frontEndFlags(a);
    if ('error' in flags) {
      process.stderr.write(`flux: ${flags.error}\nTry \`flux --help' for more information.\n`);
      return 1;
    }
    if (flags.includes('h')) {
      process.stderr.write(frontEndUsage(new Set(Object.keys(loadIndex()))));
      return 0;
    }
    for (const f of flags) {
      if (f === 'v') verbose = true;
      else if (f === 'p' || f === 'r') await switchToParent(f === 'r');
    }
    if (flags.includes('V')) {
      args.unshift('version');
      break;
    }
    if (a === '--') break;
  }
  const index = loadIndex();
  if (args.length === 0) {
    process.stderr.write(frontEndUsage(new Set(Object.keys(index))));
    return 1;
  }
  const word = args[0]!;
  if (word === 'broker') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { brokerMain } = require('../kernel/main') as typeof import('../kernel/main');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { postUriMemo } = require('./start/uri-memo') as typeof import('./start/uri-memo');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { connectInstance } = require('./start/connect-instance') as typeof import('./start/connect-instance');
    return brokerMain(args.slice(1), { treeFactory: loadTreeFactory(), onRun: postUriMemo, connectInstance });
  }
  const files = index[word];
  if (!files) {
    const ext = execExternal(word, args.slice(1));
    if (ext !== undefined) return ext;
    process.stderr.write(`flux: \`${word}' is not a flux command.  See 'flux --help'\n`);
    const instead = Object.hasOwn(FLUX_ONLY_COMMANDS, word) ? FLUX_ONLY_COMMANDS[word] : undefined;
    if (instead !== undefined) {
      process.stderr.write(`flux: ${word} is Flux's, not flux-ts's: ${instead}\n`);
      return 1;
    }
    const near = suggest(word, Object.keys(index));
    if (near.length > 0) {
      process.stderr.write(`flux: The most similar command${near.length > 1 ? 's are' : ' is'}\n`);
      for (const n of near) process.stderr.write(`flux: \t${n}\n`);
    }
    return 1;
  }
  if (verbose) process.stderr.write(`flux: using built-in ${word}\n`);
  const { classes, group } = loadCommands(files);
  // the command whose path is the longest prefix of the words given
  let best: CommandClass | undefined;
  for (const c of classes) {
    const p = c.spec.path;
    if (p.every((w, i) => args[i] === w) && p.length > (best?.spec.path.length ?? 0)) best = c;
  }
  if (!best) {
    const subs = classes.filter((c) => c.spec.path.length > 1 && c.spec.path[0] === word).map((c) => c.spec);
    if (args[1] === '-h' || args[1] === '--help') return emit(groupHelp(word, group, subs));
    return emit(groupUsageError(word, group, subs, args[1]));
  }
  const spec = best.spec;
  const words = args.slice(spec.path.length);
  let parsed;
  try {
    parsed = parse(spec, words);
  } catch (e) {
    if (e instanceof HelpRequest) return emit(renderHelp(spec, e.topic));
    if (e instanceof UsageError) return emit(renderUsageError(spec, e));
    throw e;
  }
  return new best().execute(parsed, words);
}

/** flux --parent / --root: point FLUX_URI at the enclosing instance. */
async function switchToParent(root: boolean): Promise<void> {
  const { Client } = await import('./api/client');
  for (let i = 0; i < 64; i++) {
    let c;
    try {
      c = await Client.connect();
    } catch {
      return;
    }
    let parent: string | undefined;
    try {
      parent = await c.getattr('parent-uri');
    } catch {
      parent = undefined;
    }
    let ns: string | undefined;
    try {
      ns = await c.getattr('parent-kvs-namespace');
    } catch {
      ns = undefined;
    }
    c.close();
    if (!parent) return;
    process.env['FLUX_URI'] = parent;
    if (ns) process.env['FLUX_KVS_NAMESPACE'] = ns;
    else delete process.env['FLUX_KVS_NAMESPACE'];
    if (!root) return;
  }
}

/** The overlay's tree factory, if the overlay is built (it lives in overlay/). */
function loadTreeFactory(): import('../kernel/broker').TreeFactory | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../overlay/factory') as { treeFactory: import('../kernel/broker').TreeFactory }).treeFactory;
  } catch {
    return undefined;
  }
}

/**
 * Run the front end as this process's command and exit with its status, once
 * its output has been taken by the kernel (cli/exit.ts). onReturn runs when
 * main() returned a status (not when it threw).
 */
export function runMain(argv: readonly string[], onReturn?: () => void): void {
  guardStdio();
  main(argv).then(
    (rc) => {
      // the command returned (a warm client may serve another only then, cli/pool/recycle.ts)
      onReturn?.();
      endCommand(rc);
    },
    (e) => {
      process.stderr.write(`flux: ${(e as Error).stack ?? String(e)}\n`);
      endCommand(1);
    },
  );
}
