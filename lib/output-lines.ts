/**
 * A command's stdout and stderr, arriving in chunks (rexec's base64 `output`
 * responses), cut into lines for the broker log: UTF-8 decoded across chunk
 * boundaries, and a line without an end is given out in pieces of at most
 * MAX_LINE characters, so a command printing without newlines cannot grow the
 * broker's memory. Used by the cron module and job-manager's housekeeping.
 */
import { StringDecoder } from 'node:string_decoder';

export type OutputStream = 'stdout' | 'stderr';

/** the longest partial line kept before it is given out as it is */
const MAX_LINE = 4096;

export class OutputLines {
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly partial = { stdout: '', stderr: '' };

  constructor(private readonly line: (stream: OutputStream, text: string) => void) {}

  /** one chunk of base64 data from `stream` */
  push(stream: OutputStream, base64: string): void {
    const lines = (this.partial[stream] + this.decoders[stream].write(Buffer.from(base64, 'base64'))).split('\n');
    let rest = lines.pop() ?? '';
    for (const l of lines) this.line(stream, l);
    while (rest.length > MAX_LINE) {
      this.line(stream, rest.slice(0, MAX_LINE));
      rest = rest.slice(MAX_LINE);
    }
    this.partial[stream] = rest;
  }

  /** the command ended: what is left of each stream, as a last line */
  flush(): void {
    for (const s of ['stdout', 'stderr'] as const) {
      const rest = this.partial[s] + this.decoders[s].end();
      this.partial[s] = '';
      if (rest !== '') this.line(s, rest);
    }
  }
}
