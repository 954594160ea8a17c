/** flux R diff: the first R set on stdin minus the others, (R1 - R2) - R3 ... */
import { RCommand, rFilesSpec } from '../../R/r-command';
import { diff } from '../../R/rset';

export class RDiffCommand extends RCommand {
  static override spec = rFilesSpec('diff', 'Return the set difference of multiple R objects on stdin. (i.e. (R1 - R2) - R3 ...)');

  async run(): Promise<number> {
    this.print(this.fold('diff', 2, diff));
    return 0;
  }
}
