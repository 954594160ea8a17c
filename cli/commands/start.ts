/**
 * flux start: run a Flux instance. Without --test-size this process becomes the
 * broker (Flux execs it); an external launcher that provides PMI makes several
 * of them an instance. With --test-size=N it starts N brokers here and serves
 * them PMI (cli/start/test-mode.ts). Options are parsed POSIX style (getopt_long
 * like flux-start.c): parsing stops at the first word that is not an option,
 * which begins the initial program.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import { GetoptError, getopt, last, type OptSpec } from '../getopt';
import { postUriMemo } from '../start/uri-memo';

export const START_USAGE = `Usage: flux-start [OPTIONS] command ...
Start a Flux instance
  -S, --setattr=ATTR=VAL          Set broker attribute
  -c, --config-path=PATH          Set broker config from PATH (default: none)
      --conf=KEY=VAL|FILE|JSON    Set broker config key, or load config from
                                  a TOML or JSON file or string
  -o, --broker-opts=OPTS          Add comma-separated broker options, e.g.
                                  "-o,-v"
  -v, --verbose=[LEVEL]           Be annoyingly informative by degrees
  -X, --noexec                    Don't execute (useful with -v, --verbose)
      --wrap=ARGS,...             Wrap broker execution in comma-separated
                                  arguments
  -s, --test-size=N               Start a test instance by launching N brokers
                                  locally
      --test-hosts=HOSTLIST       Set FLUX_FAKE_HOSTNAME in environment of each
                                  broker
      --test-exit-timeout=FSD     After a broker exits, kill the other brokers
                                  after a timeout (default 20s)
      --test-exit-mode=any|leader Trigger for the exit timeout (default any)
      --test-start-mode=all|leader
                                  Start all brokers immediately, or just rank
                                  0 (default all)
      --test-rundir=DIR           Use DIR as broker run directory
      --test-rundir-cleanup       Recursively remove DIR when --test-rundir is
                                  used
      --test-pmi-clique=single|per-broker|none
                                  Set PMI_process_mapping mode (default
                                  single)
  -h, --help                      Display this message.`;

const OPTS: OptSpec[] = [
  { long: 'setattr', short: 'S', arg: true },
  { long: 'config-path', short: 'c', arg: true },
  { long: 'conf', arg: true },
  { long: 'broker-opts', short: 'o', arg: true },
  { long: 'verbose', short: 'v', optarg: true },
  { long: 'noexec', short: 'X' },
  { long: 'wrap', arg: true },
  { long: 'test-size', short: 's', arg: true },
  { long: 'test-hosts', arg: true },
  { long: 'test-exit-timeout', arg: true },
  { long: 'killer-timeout', arg: true },
  { long: 'test-exit-mode', arg: true },
  { long: 'test-start-mode', arg: true },
  { long: 'test-rundir', arg: true },
  { long: 'test-rundir-cleanup' },
  { long: 'test-pmi-clique', arg: true },
  { long: 'help', short: 'h' },
];

const usageError = (msg: string): CommandExit =>
  new CommandExit(1, `flux-start: ${msg}\nTry \`flux-start --help' for more information.`);

export class StartCommand extends FluxCommand {
  static override paths = [['start']];
  static override prog = 'flux-start';
  static override usageLine = START_USAGE;
  static override usage = Command.Usage({
    description: 'Bootstrap a local Flux instance',
    details: `
      Start a Flux instance and run the initial program in it (an interactive shell if none is given).
      Without --test-size, this process becomes the broker and bootstraps through PMI from an external
      launcher (srun, mpiexec.hydra, flux run), static configuration, or as a singleton.
    `,
  });

  /** everything after `start`; parsed by parseArgv() (clipanion's proxy keeps POSIX order) */
  argv = Option.Proxy();

  setattr: string[] = [];
  configPath: string | undefined;
  conf: string[] = [];
  brokerOpts: string[] = [];
  verbose = 0;
  noexec = false;
  testSize: string | undefined;
  testHosts: string | undefined;
  testExitTimeout: string | undefined;
  killerTimeout: string | undefined;
  testExitMode: string | undefined;
  testStartMode: string | undefined;
  testRundir: string | undefined;
  testRundirCleanup = false;
  testPmiClique: string | undefined;
  wrap: string | undefined;
  wantHelp = false;
  program: string[] = [];

  /** getopt_long with "+" (stop at the first non-option); throws CommandExit on errors. */
  parseArgv(argv: readonly string[]): void {
    let p;
    try {
      p = getopt(argv, OPTS, true);
    } catch (e) {
      if (!(e instanceof GetoptError)) throw e;
      throw usageError(e.badShort !== undefined ? `invalid option -- '${e.badShort}'` : e.message);
    }
    const all = (long: string) => p.opts.get(long) ?? [];
    this.setattr = all('setattr');
    this.conf = all('conf');
    this.brokerOpts = all('broker-opts');
    for (const v of all('verbose')) {
      if (v === '') this.verbose++;
      else if (/^\d+$/.test(v)) this.verbose = Number(v);
      else throw new CommandExit(1, `flux-start: flux-start: Option 'verbose' requires an integer argument`);
    }
    this.configPath = last(p, 'config-path');
    this.noexec = p.opts.has('noexec');
    this.wrap = last(p, 'wrap');
    this.testSize = last(p, 'test-size');
    this.testHosts = last(p, 'test-hosts');
    this.testExitTimeout = last(p, 'test-exit-timeout');
    this.killerTimeout = last(p, 'killer-timeout');
    this.testExitMode = last(p, 'test-exit-mode');
    this.testStartMode = last(p, 'test-start-mode');
    this.testRundir = last(p, 'test-rundir');
    this.testRundirCleanup = p.opts.has('test-rundir-cleanup');
    this.testPmiClique = last(p, 'test-pmi-clique');
    this.wantHelp = p.opts.has('help');
    this.program = p.positionals;
  }

  /** broker argv: -S..., broker opts, -c, --conf (the program comes after) */
  brokerArgs(): string[] {
    const out: string[] = [];
    for (const s of this.setattr) for (const part of s.split(',')) if (part) out.push(`-S${part}`);
    for (const o of this.brokerOpts) for (const part of o.split(',')) if (part) out.push(part);
    if (this.configPath !== undefined) out.push(`-c${this.configPath}`);
    for (const c of this.conf) out.push(`--conf=${c}`);
    return out;
  }

  /** the initial program's words */
  programWords(): string[] {
    return [...this.program];
  }

  async run(): Promise<number> {
    this.parseArgv(this.argv);
    if (this.wantHelp) {
      process.stderr.write(START_USAGE + '\n');
      return 0;
    }
    const testOpts: Array<[string, unknown]> = [
      ['--test-hosts', this.testHosts],
      ['--test-exit-timeout', this.testExitTimeout ?? this.killerTimeout],
      ['--test-exit-mode', this.testExitMode],
      ['--test-start-mode', this.testStartMode],
      ['--test-rundir', this.testRundir],
      ['--test-pmi-clique', this.testPmiClique],
    ];
    if (this.testSize === undefined) {
      for (const [name, v] of testOpts) if (v !== undefined) throw new CommandExit(1, `flux-start: ${name} only works with --test-size`);
      if (this.testRundirCleanup) throw new CommandExit(1, 'flux-start: --test-rundir-cleanup only works with --test-size');
      return this.normalMode();
    }
    if (!/^\s*[-+]?\d+$/.test(this.testSize)) {
      throw new CommandExit(1, "flux-start: flux-start: Option 'test-size' requires an integer argument");
    }
    const n = Number(this.testSize);
    if (n <= 0) throw new CommandExit(1, 'flux-start: --test-size argument must be > 0');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const testMode = require('../start/test-mode') as typeof import('../start/test-mode');
    return testMode.runTestInstance(this, n);
  }

  private async normalMode(): Promise<number> {
    const argv = [...this.brokerArgs(), ...this.programWords()];
    const wrap = (this.wrap ?? '').split(',').filter((w) => w.length > 0);
    if (this.verbose > 0) process.stderr.write(`flux-start: ${[...wrap, 'flux-broker', ...argv].join(' ')}\n`);
    if (this.noexec) return 0;
    if (wrap.length > 0) return runWrapped([...wrap, process.execPath, path.join(__dirname, '..', 'entry.js'), 'broker', ...argv]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { brokerMain } = require('../../kernel/main') as typeof import('../../kernel/main');
    let treeFactory;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      treeFactory = (require('../../kernel/overlay/factory') as { treeFactory: import('../../kernel/broker').TreeFactory }).treeFactory;
    } catch {
      treeFactory = undefined;
    }
    return brokerMain(argv, { treeFactory, onRun: postUriMemo });
  }
}

/** Normal mode with --wrap: run the wrapped broker and pass its status on. */
function runWrapped(argv: string[]): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    p.on('error', (e) => {
      process.stderr.write(`flux-start: ${argv[0]}: ${e.message}\n`);
      resolve(127);
    });
    p.on('exit', (code, sig) => resolve(code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0)));
  });
}
