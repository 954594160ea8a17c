/**
 * flux modprobe run FILE: Flux runs the tasks of a Python rc file. flux-ts has
 * no Python: the command is refused saying what to use instead.
 */
import { FluxCommand } from '../../base-command';
import { dryRun, modprobeSpec, showDeps, verbose } from './group';

export class ModprobeRunCommand extends FluxCommand {
  static override spec = modprobeSpec('run', 'Run commands defined in a Python rc file (not in flux-ts)', [showDeps, verbose, dryRun], [{ name: 'FILE', nargs: '1', description: 'Run commands defined in Python rc file FILE' }]);

  run(): Promise<number> {
    this.fail(
      `run ${this.args.operands[0]}: flux-ts has no Python rc files: put modules in a modprobe.d/*.toml on FLUX_MODPROBE_PATH, or other start-up work in broker.rc1_path or the initial program`,
    );
  }
}
