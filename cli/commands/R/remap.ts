/** flux R remap: the union of the R sets on stdin, ranks renumbered from 0. */
import { RCommand, rFilesSpec } from '../../R/r-command';
import { remap } from '../../R/rset';

export class RRemapCommand extends RCommand {
  static override spec = rFilesSpec('remap', 'Return the union of all R objects on stdin with ranks re-numbered starting from index 0.');

  async run(): Promise<number> {
    this.print(remap(this.unionAll()));
    return 0;
  }
}
