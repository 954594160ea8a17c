/**
 * The job shell's small file operations (its tmpdir made and removed, its cwd
 * checked, a held output log written whole), gathered over a loop turn and
 * handed to Node's pool in one trip (the addon's fileOps, native/file-ops.h).
 *
 * Why: on this kind of machine each hand-off to a pool thread costs the event
 * loop 40-120 us, and a job made four or five of them (docs/notes/throughput.md).
 * The operations of a turn are flushed from setImmediate, after the turn's I/O
 * callbacks, and run in the order they were asked for. Without the addon the
 * functions return undefined and callers use fs.
 */
import { addonFileOps, errnoError, type FileOpsFn } from './native-spawn';

const MKDIR = 0;
const ISDIR = 1;
const WRITE = 2;
const RMDIR = 3;
/** a write's result has this bit when it failed after the open (native/file-ops.h) */
const WRITING_FLAG = 0x10000;

interface Batch {
  ops: Array<string | number | null>;
  done: Array<(result: number) => void>;
}

let fileOps: FileOpsFn | null | undefined;
let batch: Batch | undefined;

function addon(): FileOpsFn | undefined {
  if (fileOps === undefined) fileOps = addonFileOps() ?? null;
  return fileOps ?? undefined;
}

function flush(): void {
  const b = batch;
  batch = undefined;
  if (!b) return;
  addon()!(b.ops, (results) => {
    for (let i = 0; i < b.done.length; i++) b.done[i]!(results[i] ?? 0);
  });
}

/** one operation in this turn's trip: its result (0 or the errno) */
function queue(kind: number, path: string, text: string | null, mode: number): Promise<number> {
  return new Promise((resolve) => {
    if (!batch) {
      batch = { ops: [], done: [] };
      setImmediate(flush);
    }
    batch.ops.push(kind, path, text, mode);
    batch.done.push(resolve);
  });
}

/**
 * A job shell's checks before its tasks: mkdir(tmpdir, 0700) and whether cwd
 * is a directory. Undefined without the addon (the caller uses fs).
 */
export function jobDirs(tmpdir: string | undefined, cwd: string | undefined): Promise<{ made: boolean; cwdError?: NodeJS.ErrnoException }> | undefined {
  if (!addon()) return undefined;
  const made = tmpdir === undefined ? Promise.resolve(false) : queue(MKDIR, tmpdir, null, 0o700).then((e) => e === 0);
  const checked = cwd === undefined ? Promise.resolve(0) : queue(ISDIR, cwd, null, 0);
  return Promise.all([made, checked]).then(([m, c]) => ({ made: m, cwdError: c === 0 ? undefined : errnoError(c, cwd ?? '') }));
}

/**
 * A small file of the broker's own written whole (open, write, close):
 * undefined when written, else the failed step and its error. Undefined
 * without the addon (the caller uses fs).
 */
export function writeWhole(file: string, text: string, mode: number): Promise<{ op: 'opening' | 'writing'; error: NodeJS.ErrnoException } | undefined> | undefined {
  if (!addon()) return undefined;
  return queue(WRITE, file, text, mode).then((r) => {
    if (r === 0) return undefined;
    const writing = (r & WRITING_FLAG) !== 0;
    return { op: writing ? 'writing' : 'opening', error: errnoError(r & ~WRITING_FLAG, file) };
  });
}

/** Whether writeWhole is there (the addon is) */
writeWhole.available = (): boolean => addon() !== undefined;

/** rmdir(dir): 0 or the errno (ENOTEMPTY: the caller removes what is in it). Undefined without the addon. */
export function removeDir(dir: string): Promise<number> | undefined {
  return addon() ? queue(RMDIR, dir, null, 0) : undefined;
}
