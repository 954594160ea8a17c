/**
 * Writing a job's output to our stdout and stderr (flux job attach, flux run).
 *
 * A write never blocks or fails here: what the reader has not taken yet waits
 * in this process, and the command's end (cli/exit.ts) waits for it. A caller
 * that receives output faster than the reader takes it can pace itself with
 * outputWritable(): it resolves once both streams are back under their
 * high-water mark, so at most about that much waits in memory.
 */
import { isEnding } from './exit';

export type OutputStream = 'stdout' | 'stderr';

function streamOf(name: OutputStream): NodeJS.WriteStream {
  return name === 'stderr' ? process.stderr : process.stdout;
}

/** Write `data` to our stdout or stderr; false once that stream holds more than its high-water mark. */
export function writeOutput(name: OutputStream, data: string | Uint8Array): boolean {
  return streamOf(name).write(data);
}

/**
 * Resolves when both streams can take more (at once if they can), or when the
 * command is ending (a closed reader: nothing more will be taken).
 */
export function outputWritable(): Promise<void> {
  const waits = (['stdout', 'stderr'] as const).map(streamOf).filter((s) => s.writableNeedDrain && !s.destroyed);
  if (waits.length === 0 || isEnding()) return Promise.resolve();
  return Promise.all(
    waits.map(
      (s) =>
        new Promise<void>((resolve) => {
          const done = () => {
            s.off('drain', done);
            s.off('close', done);
            s.off('error', done);
            resolve();
          };
          s.on('drain', done);
          s.on('close', done);
          s.on('error', done);
        }),
    ),
  ).then(() => undefined);
}
