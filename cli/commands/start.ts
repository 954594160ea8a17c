/**
 * flux start: run a Flux instance. Without --test-size this process becomes the
 * broker (Flux execs it); an external launcher that provides PMI makes several
 * of them an instance. With --test-size=N it starts N brokers here and serves
 * them PMI (cli/start/test-mode.ts).
 */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';

export class StartCommand extends FluxCommand {
  static override paths = [['start']];
  static override prog = 'flux-start';
  static override usage = Command.Usage({
    description: 'Bootstrap a local Flux instance',
    details: `
      Start a Flux instance and run the initial program in it (an interactive shell if none is given).
      Without --test-size, this process becomes the broker and bootstraps through PMI from an external
      launcher (srun, mpiexec.hydra, flux run), static configuration, or as a singleton.
    `,
    examples: [
      ['Run a script in a singleton instance', 'flux start ./workload.sh'],
      ['Run a script in a 3-broker test instance', 'flux start --test-size=3 ./workload.sh'],
    ],
  });

  setattr = Option.Array('-S,--setattr', { description: 'Set broker attribute ATTR=VAL' });
  configPath = Option.String('-c,--config-path', { description: 'Set broker config from PATH' });
  conf = Option.Array('--conf', { description: 'Set broker config KEY=VAL or from a file' });
  brokerOpts = Option.Array('-o,--broker-opts', { description: 'Add comma-separated broker options' });
  verbose = Option.Counter('-v,--verbose', 0, { description: 'Be annoyingly informative' });
  noexec = Option.Boolean('-X,--noexec', false, { description: "Don't execute (useful with -v)" });
  testSize = Option.String('-s,--test-size', { description: 'Start a test instance of N brokers' });
  testHosts = Option.String('--test-hosts', { description: 'Set hostnames of the test brokers' });
  testExitTimeout = Option.String('--test-exit-timeout', { description: 'After a broker exits, kill the others after FSD' });
  killerTimeout = Option.String('--killer-timeout', { hidden: true });
  testExitMode = Option.String('--test-exit-mode', { description: 'Trigger for the exit timeout: any or leader' });
  testStartMode = Option.String('--test-start-mode', { description: 'Start all brokers or only the leader' });
  testRundir = Option.String('--test-rundir', { description: 'Use DIR as the brokers’ rundir' });
  testRundirCleanup = Option.Boolean('--test-rundir-cleanup', false, { description: 'Remove --test-rundir at exit' });
  testPmiClique = Option.String('--test-pmi-clique', { description: 'PMI_process_mapping: single, per-broker, none' });
  wrap = Option.String('--wrap', { description: 'Comma-separated words inserted before the broker' });
  program = Option.Proxy();

  /** broker argv: -S..., broker opts, -c, --conf, then the program */
  brokerArgs(): string[] {
    const out: string[] = [];
    for (const s of this.setattr ?? []) for (const part of s.split(',')) if (part) out.push(`-S${part}`);
    for (const o of this.brokerOpts ?? []) for (const part of o.split(',')) if (part) out.push(part);
    if (this.configPath !== undefined) out.push(`-c${this.configPath}`);
    for (const c of this.conf ?? []) out.push(`--conf=${c}`);
    if (this.verbose > 0 && this.testSize === undefined) out.push(...Array<string>(0));
    return out;
  }

  async run(): Promise<number> {
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
    if (!/^-?\d+$/.test(this.testSize)) {
      throw new CommandExit(1, "flux-start: flux-start: Option 'test-size' requires an integer argument");
    }
    const n = Number(this.testSize);
    if (n <= 0) throw new CommandExit(1, 'flux-start: --test-size argument must be > 0');
    let testMode: { runTestInstance(cmd: StartCommand, n: number): Promise<number> };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      testMode = require('../start/test-mode') as typeof testMode;
    } catch {
      if (n === 1) return this.normalMode();
      throw new CommandExit(1, 'flux-start: --test-size > 1 is not available in this build');
    }
    return testMode.runTestInstance(this, n);
  }

  private async normalMode(): Promise<number> {
    const argv = [...this.brokerArgs(), ...(this.program.length > 0 && this.program[0] !== '--' ? this.program : this.program.slice(1))];
    if (this.verbose > 0) process.stderr.write(`flux-start: flux-broker ${argv.join(' ')}\n`);
    if (this.noexec) return 0;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { brokerMain } = require('../../kernel/main') as typeof import('../../kernel/main');
    let treeFactory;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      treeFactory = (require('../../kernel/overlay/factory') as { treeFactory: import('../../kernel/broker').TreeFactory }).treeFactory;
    } catch {
      treeFactory = undefined;
    }
    return brokerMain(argv, { treeFactory });
  }
}
