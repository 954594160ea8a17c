/** flux R append: the union of the R sets on stdin, which must be disjoint. */
import { RCommand, rFilesSpec } from '../../R/r-command';
import { appendAll } from '../../R/rset';

export class RAppendCommand extends RCommand {
  static override spec = rFilesSpec('append', 'Append multiple R objects on stdin. Emits an error if resource sets are not disjoint.');

  async run(): Promise<number> {
    const sets = this.readSets();
    this.print(this.attempt(() => appendAll(sets)));
    return 0;
  }
}
