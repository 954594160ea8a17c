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
import { FluxCommand, CommandExit } from '../base-command';
import type { CommandSpec } from '../options';
import { postUriMemo } from '../start/uri-memo';
import { connectInstance } from '../start/connect-instance';
import { SYSTEM_CONFDIR, recoveryAttrs } from '../start/recovery';
import { parkForNode } from '../../lib/node-env';

export class StartCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['start'],
    grammar: 'getopt',
    prog: 'flux-start',
    summary: 'Bootstrap a local Flux instance',
    docLine: true,
    usage: '[OPTIONS] command ...',
    optionWidth: 34,
    options: [
      { name: 'setattr', short: 'S', arg: 'ATTR=VAL', repeatable: true, description: 'Set broker attribute' },
      { name: 'config-path', short: 'c', arg: 'PATH', description: 'Set broker config from PATH (default: none)' },
      { name: 'conf', arg: 'KEY=VAL|FILE|JSON', repeatable: true, description: 'Set broker config key, or load config from a TOML or JSON file or string' },
      { name: 'broker-opts', short: 'o', arg: 'OPTS', repeatable: true, description: 'Add comma-separated broker options, e.g. "-o,-v"' },
      { name: 'verbose', short: 'v', arg: '[LEVEL]', optionalArg: true, description: 'Be annoyingly informative by degrees' },
      { name: 'noexec', short: 'X', description: "Don't execute (useful with -v, --verbose)" },
      { name: 'recovery', short: 'r', arg: '[TARGET]', optionalArg: true, description: 'Start instance in recovery mode with dump file or statedir' },
      { name: 'sysconfig', description: `Use the system instance's config (${SYSTEM_CONFDIR}) as -c` },
      { name: 'wrap', arg: 'ARGS,...', description: 'Wrap broker execution in comma-separated arguments' },
      { name: 'test-size', short: 's', arg: 'N', description: 'Start a test instance by launching N brokers locally' },
      { name: 'test-hosts', arg: 'HOSTLIST', description: 'Set FLUX_FAKE_HOSTNAME in environment of each broker' },
      { name: 'test-exit-timeout', arg: 'FSD', description: 'After a broker exits, kill the other brokers after a timeout (default 20s)' },
      { name: 'killer-timeout', arg: 'FSD', hidden: true, description: 'Old name of --test-exit-timeout' },
      { name: 'test-exit-mode', arg: 'any|leader', description: 'Trigger for the exit timeout (default any)' },
      { name: 'test-start-mode', arg: 'all|leader', description: 'Start all brokers immediately, or just rank 0 (default all)' },
      { name: 'test-rundir', arg: 'DIR', description: 'Use DIR as broker run directory' },
      { name: 'test-rundir-cleanup', description: 'Recursively remove DIR when --test-rundir is used' },
      { name: 'test-pmi-clique', arg: 'single|per-broker|none', description: 'Set PMI_process_mapping mode (default single)' },
      { name: 'test-in-process', description: 'Run the --test-size brokers in this one process (in-process overlay)' },
    ],
    // options end at the initial program
    operands: [{ name: 'command', nargs: '*' }],
  };

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
  testInProcess = false;
  wrap: string | undefined;
  program: string[] = [];
  /** -S settings --recovery adds (cli/start/recovery.ts) */
  recoveryAttrs: string[] = [];

  /** Take the parsed options into the fields test mode reads. */
  readArgs(): void {
    const p = this.args;
    this.setattr = p.values('setattr');
    this.conf = p.values('conf');
    this.brokerOpts = p.values('broker-opts');
    for (const v of p.values('verbose')) {
      if (v === '') this.verbose++;
      else if (/^\d+$/.test(v)) this.verbose = Number(v);
      else throw new CommandExit(1, `flux-start: flux-start: Option 'verbose' requires an integer argument`);
    }
    this.configPath = p.str('config-path');
    this.noexec = p.has('noexec');
    this.wrap = p.str('wrap');
    this.testSize = p.str('test-size');
    this.testHosts = p.str('test-hosts');
    this.testExitTimeout = p.str('test-exit-timeout');
    this.killerTimeout = p.str('killer-timeout');
    this.testExitMode = p.str('test-exit-mode');
    this.testStartMode = p.str('test-start-mode');
    this.testRundir = p.str('test-rundir');
    this.testRundirCleanup = p.has('test-rundir-cleanup');
    this.testPmiClique = p.str('test-pmi-clique');
    this.testInProcess = p.has('test-in-process');
    this.program = p.operands;
    // the system instance's config: --sysconfig, or a recovery of the system instance (no TARGET); -c wins, saying so
    if (p.has('sysconfig') || (p.has('recovery') && (p.str('recovery') ?? '') === '')) {
      if (this.configPath !== undefined) process.stderr.write(`flux-start: Warning: overriding recovery/--sysconfig path with ${this.configPath}\n`);
      else this.configPath = SYSTEM_CONFDIR;
    }
    if (p.has('recovery')) {
      const size = this.testSize === undefined ? 1 : Number(this.testSize);
      if (size !== 1) throw new CommandExit(1, 'flux-start: --recovery starts a size-1 instance: --test-size must be 1');
      this.recoveryAttrs = recoveryAttrs(p.str('recovery') ?? '');
    }
  }

  /** broker argv: -S..., broker opts, -c, --conf (the program comes after) */
  brokerArgs(): string[] {
    const out: string[] = this.recoveryAttrs.map((a) => `-S${a}`);
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
    this.readArgs();
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
      if (this.testInProcess) throw new CommandExit(1, 'flux-start: --test-in-process only works with --test-size');
      return this.normalMode();
    }
    if (!/^\s*[-+]?\d+$/.test(this.testSize)) {
      throw new CommandExit(1, "flux-start: flux-start: Option 'test-size' requires an integer argument");
    }
    const n = Number(this.testSize);
    if (n <= 0) throw new CommandExit(1, 'flux-start: --test-size argument must be > 0');
    if (this.testInProcess) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const inProcess = require('../start/in-process') as typeof import('../start/in-process');
      return inProcess.runInProcess(this, n);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const testMode = require('../start/test-mode') as typeof import('../start/test-mode');
    return testMode.runTestInstance(this, n);
  }

  private async normalMode(): Promise<number> {
    const argv = [...this.brokerArgs(), ...this.programWords()];
    const wrap = (this.wrap ?? '').split(',').filter((w) => w.length > 0);
    if (this.verbose > 0) process.stderr.write(`flux-start: ${[...wrap, 'flux-broker', ...argv].join(' ')}\n`);
    if (this.noexec) return 0;
    if (wrap.length > 0) return runWrapped([...wrap, process.execPath, '--', path.join(__dirname, '..', 'entry.js'), 'broker', ...argv]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { brokerMain } = require('../../kernel/main') as typeof import('../../kernel/main');
    let treeFactory;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      treeFactory = (require('../../overlay/factory') as { treeFactory: import('../../kernel/broker').TreeFactory }).treeFactory;
    } catch {
      treeFactory = undefined;
    }
    return brokerMain(argv, { treeFactory, onRun: postUriMemo, connectInstance });
  }
}

/** Normal mode with --wrap: run the wrapped broker and pass its status on. */
function runWrapped(argv: string[]): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env: parkForNode(process.env) });
    p.on('error', (e) => {
      process.stderr.write(`flux-start: ${argv[0]}: ${e.message}\n`);
      resolve(127);
    });
    p.on('exit', (code, sig) => resolve(code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0)));
  });
}
