/**
 * flux lptest [LENGTH] [COUNT]: the line printer "ripple" test pattern. COUNT
 * lines (default 200) of LENGTH characters (default 79); line i starts at the
 * i-th printable character after '!' and runs on through the 94 characters
 * from '!' to '~', wrapping around.
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { outputWritable, writeOutput } from '../output';

const FIRST = 0x21;
const PRINTABLE = 94;
/** write this many bytes at a time, waiting for the reader between chunks */
const CHUNK = 64 * 1024;

export class LptestCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['lptest'],
    grammar: 'getopt',
    prog: 'flux-lptest',
    summary: 'generate a line printer test pattern',
    usage: '[length] [count]',
    options: [],
    operands: [
      { name: 'LENGTH', nargs: '?', description: 'characters per line (default 79)' },
      { name: 'COUNT', nargs: '?', description: 'number of lines (default 200)' },
    ],
  };

  async run(): Promise<number> {
    const [len, cnt] = this.args.operands;
    const length = this.number(len, 79, 'length');
    const count = this.number(cnt, 200, 'count');
    let ring = '';
    for (let i = 0; i < PRINTABLE; i++) ring += String.fromCharCode(FIRST + i);
    // any run of the pattern, of at most CHUNK characters, is a slice of this
    const big = ring.repeat(Math.ceil(CHUNK / PRINTABLE) + 1);
    let buf = '';
    const put = async (s: string): Promise<void> => {
      buf += s;
      if (buf.length < CHUNK) return;
      const more = writeOutput('stdout', buf);
      buf = '';
      if (!more) await outputWritable();
    };
    for (let i = 0; i < count; i++) {
      for (let pos = 0; pos < length; pos += CHUNK) {
        const start = (i + pos) % PRINTABLE;
        await put(big.slice(start, start + Math.min(CHUNK, length - pos)));
      }
      await put('\n');
    }
    if (buf !== '') writeOutput('stdout', buf);
    return 0;
  }

  private number(s: string | undefined, dflt: number, what: string): number {
    if (s === undefined) return dflt;
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) this.fail(`invalid ${what}: '${s}'`);
    return Number(s);
  }
}
