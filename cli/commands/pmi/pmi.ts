/**
 * flux pmi [-v] [--method=URI] barrier|exchange|get: a standalone PMI client,
 * as Flux's flux-pmi(1), to test the PMI service a job shell (or a launcher
 * such as mpiexec.hydra or Slurm) offers: initialize, a subcommand's pattern of
 * PMI operations, finalize. Rank 0 prints what completed and how long it took.
 */
import { FluxCommand, CommandExit } from '../../base-command';
import { HelpRequest, ParsedArgs, UsageError, optparseHelp, parse, type CommandSpec } from '../../options';
import { decodeSet } from '../../../lib/formats/idset';
import { UpmiError, upmiCreate, type Upmi, type UpmiInfo } from './upmi';

function subSpec(word: string, summary: string, usage: string, options: CommandSpec['options'], operands: CommandSpec['operands']): CommandSpec {
  return { path: ['pmi', word], grammar: 'getopt', prog: `flux-pmi ${word}`, errorName: 'flux-pmi', summary, docLine: true, usage, options, operands };
}

/** The sub-commands: each its own options, parsed after the general ones. */
export const PMI_SUBCOMMANDS: readonly CommandSpec[] = [
  subSpec(
    'barrier',
    'Execute PMI barrier',
    '[OPTIONS]',
    [
      { name: 'test-timing', description: 'Time a barrier entered by all ranks at once (rank 0 prints it)' },
      { name: 'test-count', arg: 'N', default: '1', description: 'For testing, execute N barrier operations (default 1)' },
      { name: 'test-abort', arg: 'RANK', description: 'For testing, RANK calls abort instead of barrier' },
    ],
    [],
  ),
  subSpec('get', 'Get PMI KVS key', '[OPTIONS] KEY...', [{ name: 'ranks', arg: '{IDSET|all}', default: '0', description: 'Print value on specified ranks (default: 0)' }], [
    { name: 'KEY', nargs: '*' },
  ]),
  subSpec('exchange', 'Perform an allgather style exchange', '[OPTIONS]', [{ name: 'count', arg: 'N', default: '1', description: 'Execute N exchange operations (default 1)' }], []),
];

/** seconds since t0, as Flux prints them */
const since = (t0: bigint) => (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(3);

/** -v, -vv, -v2, --verbose=2: the level */
function verbosity(p: ParsedArgs): number {
  let n = 0;
  for (const v of p.values('verbose')) n = v === '' ? n + 1 : Number(v);
  return n;
}

export class PmiCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['pmi'],
    grammar: 'getopt',
    prog: 'flux-pmi',
    errorName: 'flux-pmi',
    summary: 'Simple PMI test client',
    options: [
      { name: 'method', arg: 'URI', description: 'Specify PMI method to use' },
      { name: 'libpmi-noflux', description: 'Fail if libpmi method finds the Flux libpmi.so' },
      { name: 'libpmi2-cray', description: 'Force-enable libpmi2 cray workarounds for testing' },
      { name: 'verbose', short: 'v', arg: '[LEVEL]', optionalArg: true, description: 'Trace PMI operations' },
    ],
    subcommands: PMI_SUBCOMMANDS,
    // the sub-command and its own options
    freeOperands: true,
  };

  /** a non-negative integer option, or exit 1 naming it */
  private count(p: ParsedArgs, name: string, dflt: number): number {
    const v = p.str(name);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) this.fail(`--${name}=${v}: must be an integer >= 0`);
    return Number(v);
  }

  /** The sub-command's options, in Flux's words on a usage error or --help. */
  private parseSub(sub: CommandSpec, argv: readonly string[]): ParsedArgs {
    try {
      return parse(sub, argv);
    } catch (e) {
      if (e instanceof HelpRequest) {
        process.stderr.write(optparseHelp(sub));
        throw new CommandExit(0);
      }
      if (e instanceof UsageError) {
        if (e.operands) throw new CommandExit(1, optparseHelp(sub).trimEnd());
        throw new CommandExit(1, `${sub.prog}: ${e.message}\nTry \`${sub.prog} --help' for more information.`);
      }
      throw e;
    }
  }

  async run(): Promise<number> {
    const top = this.args;
    const [word, ...rest] = top.operands;
    const usage = optparseHelp(this.spec).trimEnd();
    // flux-pmi looks the sub-command up itself: the usage alone, or its own message first
    if (word === undefined) throw new CommandExit(1, usage);
    const sub = PMI_SUBCOMMANDS.find((s) => s.path[1] === word);
    if (!sub) throw new CommandExit(1, `${this.spec.prog}: unknown command '${word}'\n${usage}`);
    const p = this.parseSub(sub, rest);
    if (top.has('libpmi-noflux')) this.fail('--libpmi-noflux: the libpmi method is not available in flux-ts');
    if (top.has('libpmi2-cray')) this.fail('--libpmi2-cray: the libpmi2 method is not available in flux-ts');
    const level = verbosity(top);
    const trace = level > 0 ? (line: string) => process.stderr.write(line + '\n') : undefined;
    // checked before PMI starts, as Flux does
    let ranks: Set<number> | 'all' = new Set([0]);
    if (word === 'get') {
      const r = p.str('ranks', '0');
      try {
        ranks = r === 'all' ? 'all' : decodeSet(r);
      } catch {
        this.fail('could not decode --ranks argument');
      }
    }
    const count = word === 'barrier' ? this.count(p, 'test-count', 1) : word === 'exchange' ? this.count(p, 'count', 1) : 0;
    const abortRank = word === 'barrier' && p.has('test-abort') ? this.count(p, 'test-abort', 0) : undefined;

    let upmi: Upmi;
    try {
      upmi = upmiCreate({ method: top.str('method'), trace, wire: level > 1 ? trace : undefined });
    } catch (e) {
      if (e instanceof UpmiError) this.fail(e.message);
      throw e;
    }
    const info = await this.step('', () => upmi.initialize());
    const label = process.env['FLUX_JOB_CC'] ?? process.env['FLUX_JOB_ID'] ?? '0';
    switch (word) {
      case 'barrier': {
        // don't let task launch stragglers skew the timing
        if (p.has('test-timing')) await this.step('barrier', () => upmi.barrier());
        if (abortRank !== undefined && info.rank === abortRank) return this.abort(upmi, info);
        for (let i = 0; i < count; i++) {
          const t0 = process.hrtime.bigint();
          await this.step('barrier', () => upmi.barrier());
          if (info.rank === 0) process.stdout.write(`${label}: completed pmi barrier on ${info.size} tasks in ${since(t0)}s.\n`);
        }
        break;
      }
      case 'exchange':
        await this.step('barrier', () => upmi.barrier());
        for (let i = 0; i < count; i++) {
          const t0 = process.hrtime.bigint();
          await this.exchange(upmi, info);
          if (info.rank === 0) process.stdout.write(`${label}: completed pmi exchange on ${info.size} tasks in ${since(t0)}s.\n`);
        }
        break;
      case 'get':
        if (ranks === 'all' || ranks.has(info.rank)) {
          for (const key of p.operands) process.stdout.write((await this.step(`get ${key}`, () => upmi.get(key))) + '\n');
        }
        break;
    }
    await this.step('finalize', () => upmi.finalize());
    return 0;
  }

  /** put this rank's key, barrier, get and check everyone's, barrier */
  private async exchange(upmi: Upmi, info: UpmiInfo): Promise<void> {
    const value = (rank: number) => `${info.name}-${rank}-${info.size}`;
    await this.step(`put key.${info.rank}`, () => upmi.put(`key.${info.rank}`, value(info.rank)));
    await this.step('barrier', () => upmi.barrier());
    for (let rank = 0; rank < info.size; rank++) {
      const got = await this.step(`get key.${rank}`, () => upmi.get(`key.${rank}`));
      if (got !== value(rank)) this.fail(`get key.${rank}: returned unexpected value`);
    }
    // the time must include every rank's gets
    await this.step('barrier', () => upmi.barrier());
  }

  /**
   * --test-abort: this rank says so (first: the launcher may kill it as soon as
   * it asks), asks the launcher to end the job, and exits 1
   */
  private async abort(upmi: Upmi, info: UpmiInfo): Promise<number> {
    const msg = `flux-pmi: rank ${info.rank} is aborting`;
    process.stderr.write(msg + '\n');
    await this.step('abort', () => upmi.abort(msg));
    return 1;
  }

  /** one PMI operation; its failure is `flux-pmi: WHAT: ERROR` and exit 1 */
  private async step<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (e instanceof CommandExit) throw e;
      const text = (e as Error).message.replace(/^barrier: /, '');
      this.fail(what ? `${what}: ${text}` : text);
    }
  }
}
