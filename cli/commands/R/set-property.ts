/** flux R set-property NAME:RANKS...: the union of the R sets on stdin with properties assigned. */
import { propertyProblem } from '../../../lib/resource/config-schema';
import { RCommand, rSpec } from '../../R/r-command';
import { setProperty } from '../../R/rset';

export class RSetPropertyCommand extends RCommand {
  static override spec = rSpec(
    'set-property',
    'Set properties on R object on stdin, emitting the result on stdout',
    [],
    'PROPERTY:RANKS [PROPERTY:RANKS]...',
    [{ name: 'PROPERTY:RANKS', nargs: '*' }],
  );

  async run(): Promise<number> {
    let s = this.unionAll();
    for (const spec of this.args.operands) s = this.attempt(() => setProperty(s, spec, propertyProblem));
    this.print(s);
    return 0;
  }
}
