/** flux R rerank HOSTLIST: the union of the R sets on stdin, each rank renumbered by its host's index in HOSTLIST. */
import { RCommand, rSpec } from '../../R/r-command';
import { rerank } from '../../R/rset';

export class RRerankCommand extends RCommand {
  static override spec = {
    ...rSpec('rerank', 'Return the union of all R objects on stdin with ranks re-mapped based on their index in HOSTLIST.', [], 'HOSTLIST', [
      { name: 'HOSTLIST', nargs: '?' as const },
    ]),
    freeOperands: true,
  };

  async run(): Promise<number> {
    const ops = this.args.operands;
    if (ops.length === 0) this.fail('Must provide a hostlist for re-ranking');
    if (ops.length > 1) this.usage();
    const s = this.unionAll();
    this.print(this.attempt(() => rerank(s, ops[0]!)));
    return 0;
  }
}
