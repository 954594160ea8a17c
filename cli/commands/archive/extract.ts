/**
 * flux archive extract [-n NAME] [-C DIR] [--overwrite] [--waitcreate[=FSD]]
 * [-t] [PATTERN]: an archive's files written under DIR, from any rank
 * (flux-archive(1); cli/filemap/extract.ts says what is refused).
 */
import type { CommandSpec } from '../../options';
import { FluxError } from '../../../lib/errors';
import { strerror } from '../../../lib/errno';
import { fsd } from '../../../lib/formats';
import { prettyLine } from '../../../lib/filemap/fileref';
import { checkArchive, extract } from '../../filemap/extract';
import { FilemapError } from '../../filemap/errors';
import { ArchiveCommand, NAME, NO_FORCE_PRIMARY, matching } from './archive-command';

/** Flux's line buffer for -t: a longer line is cut, ending in `+` */
const LINE_WIDTH = 80;

export class ArchiveExtractCommand extends ArchiveCommand {
  static override spec: CommandSpec = {
    path: ['archive', 'extract'],
    grammar: 'getopt',
    prog: 'flux-archive extract',
    summary: 'Extract KVS file archive contents',
    docLine: true,
    usage: '[-n NAME] [--overwrite] [-C DIR] [PATTERN]',
    options: [
      { ...NAME, description: 'Read from archive NAME (default main)' },
      { name: 'verbose', short: 'v', arg: '[LEVEL]', optionalArg: true, description: 'Show filenames on stderr' },
      { name: 'directory', short: 'C', arg: 'DIR', description: 'Change to DIR before extracting' },
      { name: 'overwrite', description: 'Overwrite existing files when extracting' },
      { name: 'waitcreate', arg: '[FSD]', optionalArg: true, description: 'Wait for KVS archive key to appear (timeout optional)' },
      NO_FORCE_PRIMARY,
      { name: 'list-only', short: 't', description: 'List table of contents without extracting' },
    ],
    operands: [{ name: 'PATTERN', nargs: '?' }],
    freeOperands: true,
  };

  protected async main(): Promise<number> {
    if (this.args.operands.length > 1) this.usage();
    let timeout = -1;
    const wait = this.args.str('waitcreate');
    if (wait !== undefined && wait !== '') {
      const t = fsd.tryParse(wait);
      if (t === undefined) this.fail('could not parse --waitcreate timeout: Invalid argument');
      timeout = t;
    }
    this.enterDirectory();
    await this.open();
    const entries = matching(await this.lookupArchive(this.args.has('waitcreate'), timeout), this.args.operands[0]);
    const verbose = this.args.has('verbose');
    if (this.args.has('list-only')) {
      process.stdout.write(entries.map((e) => `${prettyLine(e, verbose, LINE_WIDTH)}\n`).join(''));
      return 0;
    }
    const level = verbose ? Number(this.args.str('verbose') || '1') : 0;
    try {
      await extract(checkArchive(entries), {
        overwrite: this.args.has('overwrite'),
        trace: level > 0 ? (p) => process.stderr.write(`${p}\n`) : undefined,
        loadBlob: async (blobref, what) => {
          try {
            const v = (await this.kvs<{ value: unknown }>('get', { key: `${this.blobsKey}.${blobref}` })).value;
            if (typeof v !== 'string') throw new FilemapError(`${what}: not a blob`);
            return Buffer.from(v, 'base64');
          } catch (e) {
            if (e instanceof FluxError) throw new FilemapError(`${what}: ${strerror(e.errno)}`);
            throw e;
          }
        },
      });
    } catch (e) {
      if (e instanceof FilemapError) this.fail(e.message);
      throw e;
    }
    return 0;
  }
}
