/**
 * The `flux` front end: finds the sub-command in the generated command index
 * (loading only that command's files, for start-up speed), falls back to a
 * `flux-CMD` executable on FLUX_EXEC_PATH as Flux does, and renders usage errors
 * in the sub-command's own style.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cli, Command, UsageError } from 'clipanion';
import { FluxCommand } from './base-command';
import { endCommand, guardStdio } from './exit';
import { suggest } from './suggest';

type CommandClass = typeof FluxCommand & (new () => FluxCommand);

const here = __dirname;
const VERSION = '0.88.0';

function loadIndex(): Record<string, string[]> {
  return JSON.parse(fs.readFileSync(path.join(here, 'command-index.json'), 'utf8')) as Record<string, string[]>;
}

function loadCommands(files: readonly string[]): CommandClass[] {
  const out: CommandClass[] = [];
  for (const f of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(here, f)) as Record<string, unknown>;
    for (const v of Object.values(mod)) {
      if (typeof v === 'function' && v.prototype instanceof Command) out.push(v as CommandClass);
    }
  }
  return out;
}

function frontEndUsage(index: Record<string, string[]>): string {
  const lines = [
    'Usage: flux [OPTIONS] COMMAND ARGS',
    '  -h, --help             Display this message',
    '  -v, --verbose          Be verbose about environment and command search',
    '  -V, --version          Display command and component versions',
    '  -p, --parent           Set environment of parent instead of current instance',
    '  -r, --root             Set environment of root instance instead of current',
    '',
    'Commands (run `flux COMMAND --help` for details):',
  ];
  for (const word of Object.keys(index).sort()) {
    let desc = '';
    try {
      const cls = loadCommands(index[word]!).find((c) => (c.paths?.[0]?.[0] ?? '') === word);
      desc = cls?.usage?.description ?? '';
    } catch {
      /* ignore */
    }
    lines.push(`  ${word.padEnd(18)} ${desc}`);
  }
  return lines.join('\n') + '\n';
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

/**
 * Does the option region of argv ask for help? POSIX commands stop at the first
 * word that is not an option (`flux exec ls --help` runs `ls --help`); a word right
 * after a bare option (`-N 3`) is taken as that option's value.
 */
function wantsHelp(args: readonly string[], words: number): boolean {
  for (let i = words; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return false;
    if (a === '-h' || a === '--help') return true;
    if (!a.startsWith('-')) {
      const prev = i > words ? args[i - 1]! : '';
      const takesValue = /^-[A-Za-z]$/.test(prev) || /^--[a-z][a-z-]*$/.test(prev);
      if (!takesValue) return false;
    }
  }
  return false;
}

function renderUsageError(cls: CommandClass | undefined, err: Error, cmdWords: string[]): number {
  const style = cls?.fluxStyle ?? 'c';
  const prog = cls?.prog ?? `flux-${cmdWords[0] ?? ''}`;
  const m = /Unsupported option name \("(.+?)"\)/.exec(err.message) ?? /Unknown Syntax Error.*?"(--?[^"]+)"/s.exec(err.message);
  const opt = m?.[1];
  if (style === 'py') {
    const usage = cls?.usage?.description ? `usage: flux ${cmdWords.join(' ')} [OPTIONS...]` : `usage: flux ${cmdWords.join(' ')}`;
    const detail = opt ? `unrecognized arguments: ${opt}` : err.message.split('\n')[0]!;
    process.stderr.write(`${usage}\n${prog.replace(/^flux-(run|submit|bulksubmit|batch|alloc)$/, 'flux $1')}: error: ${detail}\n`);
    return 2;
  }
  if (opt) {
    process.stderr.write(`${prog}: unrecognized option '${opt}'\nTry \`${prog} --help' for more information.\n`);
  } else if (cls?.usageLine) {
    process.stderr.write(cls.usageLine.endsWith('\n') ? cls.usageLine : cls.usageLine + '\n');
  } else {
    process.stderr.write(`${prog}: ${err.message.split('\n')[0]}\n`);
  }
  return 1;
}

/**
 * Like Flux's front end, make sure what we start (initial programs, job tasks,
 * `flux exec`) finds this same `flux`: put its bin/ directory first on PATH.
 */
function exportOwnPath(): void {
  const bin = path.resolve(here, '..', '..', 'bin');
  const cur = (process.env['PATH'] ?? '').split(':');
  if (cur[0] !== bin) process.env['PATH'] = [bin, ...cur.filter((d) => d !== bin && d.length > 0)].join(':');
}

export async function main(argv: readonly string[]): Promise<number> {
  exportOwnPath();
  const args = [...argv];
  let verbose = false;
  // front-end options
  while (args.length > 0 && args[0]!.startsWith('-')) {
    const a = args.shift()!;
    if (a === '-h' || a === '--help') {
      process.stderr.write(frontEndUsage(loadIndex()));
      return 0;
    } else if (a === '-V' || a === '--version') {
      args.unshift('version');
      break;
    } else if (a === '-v' || a === '--verbose') {
      verbose = true;
    } else if (a === '-p' || a === '--parent' || a === '-r' || a === '--root') {
      await switchToParent(a === '-r' || a === '--root');
    } else {
      process.stderr.write(`flux: unrecognized option '${a}'\nTry \`flux --help' for more information.\n`);
      return 1;
    }
  }
  const index = loadIndex();
  if (args.length === 0) {
    process.stderr.write(frontEndUsage(index));
    return 1;
  }
  const word = args[0]!;
  if (word === 'broker') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { brokerMain } = require('../kernel/main') as typeof import('../kernel/main');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { postUriMemo } = require('./start/uri-memo') as typeof import('./start/uri-memo');
    return brokerMain(args.slice(1), { treeFactory: loadTreeFactory(), onRun: postUriMemo });
  }
  const files = index[word];
  if (!files) {
    const ext = execExternal(word, args.slice(1));
    if (ext !== undefined) return ext;
    process.stderr.write(`flux: \`${word}' is not a flux command.  See 'flux --help'\n`);
    const near = suggest(word, Object.keys(index));
    if (near.length > 0) {
      process.stderr.write(`flux: The most similar command${near.length > 1 ? 's are' : ' is'}\n`);
      for (const n of near) process.stderr.write(`flux: \t${n}\n`);
    }
    return 1;
  }
  if (verbose) process.stderr.write(`flux: using built-in ${word}\n`);
  const classes = loadCommands(files);
  const cli = new Cli({ binaryLabel: 'flux', binaryName: 'flux', binaryVersion: VERSION, enableColors: false });
  for (const c of classes) cli.register(c);
  // Which class matches the longest path prefix (for help and error rendering)?
  let best: CommandClass | undefined;
  let bestLen = -1;
  for (const c of classes) {
    for (const p of c.paths ?? []) {
      if (p.length > bestLen && p.every((w, i) => args[i] === w)) {
        best = c;
        bestLen = p.length;
      }
    }
  }
  if (best && wantsHelp(args, bestLen)) {
    const text = best.usageLine ? best.usageLine + '\n' : cli.usage(best, { detailed: true });
    (best.fluxStyle === 'py' ? process.stdout : process.stderr).write(text.endsWith('\n') ? text : text + '\n');
    return 0;
  }
  if (!best && (args[1] === '-h' || args[1] === '--help')) {
    process.stdout.write(subcommandHelp(word, classes));
    return 0;
  }
  let command: Command;
  try {
    command = cli.process(args);
  } catch (e) {
    if (e instanceof UsageError || (e as Error).name === 'UnknownSyntaxError' || (e as Error).name === 'AmbiguousSyntaxError') {
      if (!best && classes.length > 0 && args.length > 1) {
        const sub = classes.find((c) => (c.paths?.[0]?.length ?? 0) > 1);
        if (sub) {
          process.stderr.write(`${sub.prog}: Unknown subcommand: ${args[1]}\n`);
          return 1;
        }
      }
      if (!best && args.length === 1 && classes.some((c) => (c.paths?.[0]?.length ?? 0) > 1)) {
        const sub = classes[0]!;
        process.stderr.write(`${sub.prog}: missing subcommand\n`);
        return 1;
      }
      return renderUsageError(best, e as Error, bestLen > 0 ? args.slice(0, bestLen) : [word]);
    }
    throw e;
  }
  command.context = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, colorDepth: 1 } as typeof command.context;
  command.cli = cli as unknown as typeof command.cli;
  try {
    const rc = await command.validateAndExecute();
    return typeof rc === 'number' ? rc : 0;
  } catch (e) {
    if (e instanceof UsageError) return renderUsageError(best, e, args.slice(0, Math.max(bestLen, 1)));
    throw e;
  }
}

/** `flux WORD --help` for a command made of sub-commands: list them. */
function subcommandHelp(word: string, classes: readonly CommandClass[]): string {
  const rows = classes
    .flatMap((c) => (c.paths ?? []).filter((p) => p.length > 1 && p[0] === word).map((p) => [p.slice(1).join(' '), c.usage?.description ?? ''] as const))
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const width = Math.max(...rows.map((r) => r[0].length), 8);
  return (
    `Usage: flux ${word} SUBCOMMAND [OPTIONS]\n\nSubcommands:\n` +
    rows.map(([n, d]) => `  ${n.padEnd(width)}  ${d}`).join('\n') +
    `\n\nRun \`flux ${word} SUBCOMMAND --help\` for the options of one.\n`
  );
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

/** The overlay's tree factory, if the overlay is built (it lives in kernel/overlay). */
function loadTreeFactory(): import('../kernel/broker').TreeFactory | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../kernel/overlay/factory') as { treeFactory: import('../kernel/broker').TreeFactory }).treeFactory;
  } catch {
    return undefined;
  }
}

/**
 * Run the front end as this process's command and exit with its status, once
 * its output has been taken by the kernel (cli/exit.ts).
 */
export function runMain(argv: readonly string[]): void {
  guardStdio();
  main(argv).then(
    (rc) => endCommand(rc),
    (e) => {
      process.stderr.write(`flux: ${(e as Error).stack ?? String(e)}\n`);
      endCommand(1);
    },
  );
}
