/**
 * flux R encode: generate R from ranks, cores, GPUs, hosts and properties
 * given on the command line, or (--local) from this machine's resources as
 * the resource module discovers them.
 */
import * as os from 'node:os';
import { hostlist, idset, type RankResources } from '../../../lib/formats';
import { discover } from '../../../lib/resource/discover';
import { propertyProblem } from '../../../lib/resource/config-schema';
import { RCommand, rSpec } from '../../R/r-command';
import { setProperty, type RSet } from '../../R/rset';

export class REncodeCommand extends RCommand {
  static override spec = rSpec(
    'encode',
    'Encode RFC 20 R objects for testing.',
    [
      {
        name: 'ranks',
        short: 'r',
        arg: 'IDSET',
        description:
          'Generate an R with ranks in IDSET. If not provided then either match the number of nodes given in --hosts option, or emit a single rank: "0"',
      },
      { name: 'cores', short: 'c', arg: 'IDS', description: 'Assign cores with IDS to each rank in R. Default is to assign a single core "0" to each rank.' },
      { name: 'gpus', short: 'g', arg: 'IDS', description: 'Assign gpu resources with IDS to each rank in R. Default is to assign no gpu resources.' },
      {
        name: 'hosts',
        short: 'H',
        arg: 'HOSTS',
        description: 'Generate R with nodelist set to HOSTS. By default, duplicate the local hostname to match the number of ranks given in --ranks.',
      },
      {
        name: 'property',
        short: 'p',
        arg: 'NAME[:RANKS]',
        repeatable: true,
        description:
          'Assign property NAME to target ranks RANKS. If RANKS is not specified then the property applies to all defined ranks. This option may be specified multiple times for each property',
      },
      { name: 'local', short: 'l', description: 'Generate child resources from local system' },
      { name: 'xml', short: 'f', arg: 'FILE', description: 'Generate child resources from hwloc XML (not supported: flux-ts has no hwloc)' },
    ],
    '[OPTIONS]...',
  );

  async run(): Promise<number> {
    const p = this.args;
    let cores = p.str('cores') ?? '';
    const gpus = p.str('gpus') ?? '';
    if (cores === '' && gpus === '') cores = '0';
    else if (p.has('local') || p.has('xml')) this.fail('do not specify --cores or --gpus with --local or --xml');
    if (p.has('xml')) this.fail('--xml: hwloc XML is not supported by flux-ts (use --local, or --cores and --gpus)');
    const { ranks, hosts } = this.ranksAndHosts();
    let coreIds = this.ids('cores', cores);
    let gpuIds = this.ids('gpus', gpus);
    if (p.has('local')) {
      const local = discover(0);
      coreIds = [...Array(local.ncores).keys()];
      gpuIds = [...Array(local.gpus).keys()];
    }
    const rs: RankResources[] = ranks.map((rank, i) => ({ rank, hostname: hosts[i]!, cores: [...coreIds], gpus: [...gpuIds] }));
    let s: RSet = { ranks: rs, starttime: 0, expiration: 0 };
    for (const spec of p.values('property')) s = this.attempt(() => setProperty(s, spec, propertyProblem));
    this.print(s);
    return 0;
  }

  /** Ranks from --ranks (else one per host of --hosts, else rank 0); hosts from --hosts (else the local hostname for each rank). */
  private ranksAndHosts(): { ranks: number[]; hosts: string[] } {
    const p = this.args;
    const hostsOpt = p.str('hosts');
    const rankOpt = p.str('ranks');
    if (rankOpt === undefined) {
      const hosts = hostsOpt === undefined ? [os.hostname()] : this.hostlist(hostsOpt, 0);
      return { ranks: hosts.map((_, i) => i), hosts };
    }
    const ranks = this.ids('ranks', rankOpt);
    const hosts = hostsOpt === undefined ? ranks.map(() => os.hostname()) : this.hostlist(hostsOpt, ranks.length);
    return { ranks, hosts };
  }

  private hostlist(s: string, expected: number): string[] {
    let hosts: string[];
    try {
      hosts = hostlist.expand(s);
    } catch {
      this.fail(`invalid hostlist '${s}'`);
    }
    if (expected > 0 && hosts.length !== expected) this.fail(`hostname count in '${s}' does not match nranks (${expected})`);
    return hosts;
  }

  private ids(name: string, s: string): number[] {
    try {
      return idset.decode(s);
    } catch {
      this.fail(`Failed to decode ${name}='${s}' as idset`);
    }
  }
}
