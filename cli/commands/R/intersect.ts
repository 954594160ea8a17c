/** flux R intersect: the resources every R set on stdin has. */
import { RCommand, rFilesSpec } from '../../R/r-command';
import { intersect } from '../../R/rset';

export class RIntersectCommand extends RCommand {
  static override spec = rFilesSpec('intersect', 'Return the intersection of all R objects on stdin');

  async run(): Promise<number> {
    this.print(this.fold('intersect', 2, intersect));
    return 0;
  }
}
