/**
 * flux R verify: of the two R sets on stdin, does every rank of the second
 * have at least the resources (and the hostname) the first gives it? A
 * shortfall is one line and exit 1; extra resources are one line and exit 0.
 */
import { RCommand, rFilesSpec } from '../../R/r-command';
import { verify } from '../../R/rset';

export class RVerifyCommand extends RCommand {
  static override spec = rFilesSpec(
    'verify',
    'Takes 2 R objects on stdin and verifies that the resources in each rank present in R2 has at least resources present for the same rank in R1.',
  );

  async run(): Promise<number> {
    const sets = this.readSets();
    if (sets.length !== 2) this.fail('verify requires exactly 2 R objects on stdin');
    const v = verify(sets[0]!, sets[1]!);
    if (v.message !== undefined) process.stderr.write(this.errorLine(v.message) + '\n');
    return v.result === 'fail' ? 1 : 0;
  }
}
