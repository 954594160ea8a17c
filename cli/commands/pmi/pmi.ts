/**
 * flux pmi [-v] [--method=URI] barrier|exchange|get: a standalone PMI client,
 * as Flux's flux-pmi(1), to test the PMI service a job shell (or a launcher
 * such as mpiexec.hydra or Slurm) offers: initialize, a subcommand's pattern of
 * PMI operations, finalize. Rank 0 prints what completed and how long it took.
 */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { GetoptError, getopt, last, type OptSpec, type Parsed } from '../../getopt';
import { decodeSet } from '../../../kernel/api/formats/idset';
import { UpmiError, upmiCreate, type Upmi, type UpmiInfo } from './upmi';

export const PMI_USAGE =
  'Usage: flux-pmi [OPTIONS] COMMAND ...\n' +
  'Simple PMI test client\n' +
  '  -h, --help             Display this message.\n' +
  '      --method=URI       Specify PMI method to use\n' +
  '      --libpmi-noflux    Fail if libpmi method finds the Flux libpmi.so\n' +
  '      --libpmi2-cray     Force-enable libpmi2 cray workarounds for testing\n' +
  '  -v, --verbose=[LEVEL]  Trace PMI operations\n' +
  '\n' +
  'Common commands from flux-pmi:\n' +
  '   barrier         Execute PMI barrier\n' +
  '   get             Get PMI KVS key\n' +
  '   exchange        Perform an allgather style exchange';

interface Sub {
  usage: string;
  specs: OptSpec[];
  /** takes positional arguments (keys) */
  rest: boolean;
}

const SUBS: Record<string, Sub> = {
  barrier: {
    usage:
      'Usage: flux-pmi barrier [OPTIONS]\n' +
      'Execute PMI barrier\n' +
      '  -h, --help             Display this message.\n' +
      '      --test-timing      Time a barrier entered by all ranks at once (rank 0 prints it)\n' +
      '      --test-count=N     For testing, execute N barrier operations (default 1)\n' +
      '      --test-abort=RANK  For testing, RANK calls abort instead of barrier',
    specs: [{ long: 'test-timing' }, { long: 'test-count', arg: true }, { long: 'test-abort', arg: true }],
    rest: false,
  },
  get: {
    usage:
      'Usage: flux-pmi get [OPTIONS] KEY...\n' +
      'Get PMI KVS key\n' +
      '  -h, --help             Display this message.\n' +
      '      --ranks={IDSET|all} Print value on specified ranks (default: 0)',
    specs: [{ long: 'ranks', arg: true }],
    rest: true,
  },
  exchange: {
    usage:
      'Usage: flux-pmi exchange [OPTIONS]\n' +
      'Perform an allgather style exchange\n' +
      '  -h, --help             Display this message.\n' +
      '      --count=N          Execute N exchange operations (default 1)',
    specs: [{ long: 'count', arg: true }],
    rest: false,
  },
};

const GENERAL: OptSpec[] = [
  { long: 'method', arg: true },
  { long: 'libpmi-noflux' },
  { long: 'libpmi2-cray' },
  { long: 'verbose', short: 'v', optarg: true },
];

/** seconds since t0, as Flux prints them */
const since = (t0: bigint) => (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(3);

/** -v, -vv, -v2, --verbose=2: the level */
function verbosity(p: Parsed): number {
  let n = 0;
  for (const v of p.opts.get('verbose') ?? []) n = v === '' ? n + 1 : Number(v);
  return n;
}

export class PmiCommand extends FluxCommand {
  static override paths = [['pmi']];
  static override prog = 'flux-pmi';
  static override usageLine = PMI_USAGE;
  static override usage = Command.Usage({ description: 'Simple PMI test client' });
  argv = Option.Proxy();

  private parse(argv: readonly string[], specs: OptSpec[], posix: boolean): Parsed {
    try {
      return getopt(argv, specs, posix);
    } catch (e) {
      if (!(e instanceof GetoptError)) throw e;
      throw new CommandExit(1, `flux-pmi: ${e.message}\nTry \`flux-pmi --help' for more information.`);
    }
  }

  /** a non-negative integer option, or exit 1 naming it */
  private count(p: Parsed, name: string, dflt: number): number {
    const v = last(p, name);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) this.fail(`--${name}=${v}: must be an integer >= 0`);
    return Number(v);
  }

  async run(): Promise<number> {
    const top = this.parse(this.argv, GENERAL, true);
    const [word, ...rest] = top.positionals;
    if (word === undefined) throw new CommandExit(1, PMI_USAGE);
    const sub = SUBS[word];
    if (!sub) throw new CommandExit(1, `flux-pmi: unknown command '${word}'\n${PMI_USAGE}`);
    if (rest.includes('-h') || rest.includes('--help')) {
      process.stdout.write(sub.usage + '\n');
      return 0;
    }
    const p = this.parse(rest, sub.specs, false);
    if (!sub.rest && p.positionals.length > 0) throw new CommandExit(1, sub.usage);
    if (top.opts.has('libpmi2-cray')) this.fail('--libpmi2-cray: the libpmi2 method is not available in flux-ts');
    const level = verbosity(top);
    const trace = level > 0 ? (line: string) => process.stderr.write(line + '\n') : undefined;
    // checked before PMI starts, as Flux does
    let ranks: Set<number> | 'all' = new Set([0]);
    if (word === 'get') {
      const r = last(p, 'ranks') ?? '0';
      try {
        ranks = r === 'all' ? 'all' : decodeSet(r);
      } catch {
        this.fail('could not decode --ranks argument');
      }
    }
    const count = word === 'barrier' ? this.count(p, 'test-count', 1) : word === 'exchange' ? this.count(p, 'count', 1) : 0;
    const abortRank = word === 'barrier' && p.opts.has('test-abort') ? this.count(p, 'test-abort', 0) : undefined;

    let upmi: Upmi;
    try {
      upmi = upmiCreate({ method: last(top, 'method'), trace, wire: level > 1 ? trace : undefined });
    } catch (e) {
      if (e instanceof UpmiError) this.fail(e.message);
      throw e;
    }
    const info = await this.step('', () => upmi.initialize());
    const label = process.env['FLUX_JOB_CC'] ?? process.env['FLUX_JOB_ID'] ?? '0';
    switch (word) {
      case 'barrier': {
        // don't let task launch stragglers skew the timing
        if (p.opts.has('test-timing')) await this.step('barrier', () => upmi.barrier());
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
          for (const key of p.positionals) process.stdout.write((await this.step(`get ${key}`, () => upmi.get(key))) + '\n');
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
