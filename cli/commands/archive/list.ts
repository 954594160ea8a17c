/** flux archive list [-n NAME] [-l] [--raw] [PATTERN]: an archive's paths (flux-archive(1)). */
import type { CommandSpec } from '../../options';
import { prettyLine } from '../../../lib/filemap/fileref';
import { ArchiveCommand, NAME, NO_FORCE_PRIMARY, matching } from './archive-command';

/** Flux's line buffer: a longer line is cut, ending in `+` */
const LINE_WIDTH = 120;

export class ArchiveListCommand extends ArchiveCommand {
  static override spec: CommandSpec = {
    path: ['archive', 'list'],
    grammar: 'getopt',
    prog: 'flux-archive list',
    summary: 'List KVS file archive contents',
    docLine: true,
    usage: '[-n NAME] [PATTERN]',
    options: [
      { ...NAME, description: 'Read from archive NAME (default main)' },
      NO_FORCE_PRIMARY,
      { name: 'long', short: 'l', description: 'Show file type, mode, size' },
      { name: 'raw', description: 'Show raw RFC 37 file system object without decoding' },
    ],
    operands: [{ name: 'PATTERN', nargs: '?' }],
    freeOperands: true,
  };

  protected async main(): Promise<number> {
    if (this.args.operands.length > 1) this.usage();
    await this.open();
    const entries = matching(await this.lookupArchive(), this.args.operands[0]);
    const lines = entries.map((e) => (this.args.has('raw') ? JSON.stringify(e) : prettyLine(e, this.args.has('long'), LINE_WIDTH)));
    process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    return 0;
  }
}
