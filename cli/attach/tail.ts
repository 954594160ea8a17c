/**
 * `flux job attach --tail[=NUM]`: of the output the job had written when we
 * attached, only the last NUM lines are printed (stdout and stderr together,
 * in the order they were written); what comes after is printed as it comes.
 * Memory stays bounded by NUM lines, however long the output already is.
 */
import { endsWithNewline, splitLines } from '../../lib/io-data';

/** one piece of a data entry: a whole line, or the unfinished end of one */
interface Piece {
  stream: string;
  rank: string;
  /** text, or bytes */
  text: string | Buffer;
}

export class OutputTail {
  private readonly pieces: Piece[] = [];
  private complete = 0;

  constructor(private readonly lines: number) {}

  /** keep data written before the cut (split at newlines; older lines dropped past NUM) */
  add(stream: string, rank: string, data: string | Buffer): void {
    for (const piece of splitLines(data)) {
      if (piece.length === 0) continue;
      // a Buffer's lines are views of it: what is kept is copied (the rest is freed)
      const text = typeof piece === 'string' ? piece : Buffer.from(piece);
      this.pieces.push({ stream, rank, text });
      if (endsWithNewline(text)) this.complete++;
    }
    while (this.complete > this.lines && this.pieces.length > 0) {
      const p = this.pieces.shift()!;
      if (endsWithNewline(p.text)) this.complete--;
    }
  }

  /** what is kept, in order; the tail is empty afterwards */
  drain(): Piece[] {
    this.complete = 0;
    return this.pieces.splice(0);
  }
}

/** the NUM of `--tail[=NUM]`: 10 when no value is given; undefined when the option is absent */
export function tailLines(value: string | undefined, given: boolean): number | undefined {
  if (!given) return undefined;
  if (value === undefined || value === '') return 10;
  if (!/^\d+$/.test(value)) throw new Error(`--tail: invalid value '${value}'`);
  return Number(value);
}
