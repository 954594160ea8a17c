/**
 * process.stdin/stdout/stderr of a warm client, made afresh for each command
 * (docs/guide/cli-pool.md). Node makes them once per process, on first use,
 * for what fds 0-2 are then, and keeps them; a client that serves several
 * commands gets a tty, then a pipe, then a file on the same numbers. So the
 * client defines the three itself: each is made on first use as Node makes it
 * (the same classes, as lib/internal/bootstrap/switches/is_main_thread.js of
 * Node 20 does), and closeStdio() ends them when the command is over
 * (until openStdio(), what is written goes nowhere). libuv
 * never closes fds 0-2 when a handle on them closes; a tty's handle is on a
 * descriptor of its own, which it closes.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tty from 'node:tty';
import { Readable, Writable } from 'node:stream';

export type StdioKind = 'tty' | 'pipe' | 'file' | 'other';

/** What libuv's uv_guess_handle() would say of fd, in Node's words. */
export function stdioKind(fd: number): StdioKind {
  if (tty.isatty(fd)) return 'tty';
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch {
    return 'other';
  }
  if (st.isFIFO() || st.isSocket()) return 'pipe';
  if (st.isFile() || st.isCharacterDevice()) return 'file';
  return 'other';
}

/** Node's SyncWriteStream (internal/fs/sync_write_stream), without closing the fd. */
class SyncFileStream extends Writable {
  constructor(public fd: number | null) {
    super({ autoDestroy: true });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    try {
      fs.writeSync(this.fd!, chunk, 0, chunk.length);
    } catch (e) {
      cb(e as Error);
      return;
    }
    cb();
  }
  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.fd = null;
    cb(err);
  }
}

/** The streams' own fields that Node sets and code reads (`_type`, `fd`, `_isStdio`). */
type Stdio = (Writable | Readable) & { fd?: number | null; _type?: string; _isStdio?: boolean };

function writable(fd: number): Stdio {
  let s: Stdio;
  try {
    switch (stdioKind(fd)) {
      case 'tty':
        s = new tty.WriteStream(fd);
        s._type = 'tty';
        break;
      case 'file':
        s = new SyncFileStream(fd);
        s._type = 'fs';
        break;
      case 'pipe':
        s = new net.Socket({ fd, readable: false, writable: true });
        s._type = 'pipe';
        break;
      default:
        s = blackHole();
    }
  } catch {
    s = blackHole();
  }
  s.fd = fd;
  s._isStdio = true;
  return s;
}

function blackHole(): Writable {
  return new Writable({
    write(_b, _e, cb) {
      cb();
    },
  });
}

function readable(fd: number): Stdio {
  let s: Stdio;
  try {
    switch (stdioKind(fd)) {
      case 'tty':
        s = new tty.ReadStream(fd);
        break;
      case 'file':
        s = fs.createReadStream('', { fd, autoClose: false });
        break;
      case 'pipe': {
        const sock = new net.Socket({ fd, readable: true, writable: false, manualStart: true } as net.SocketConstructorOpts);
        // as Node's: it cannot be end()ed
        (sock as unknown as { _writableState: { ended: boolean } })._writableState.ended = true;
        s = sock;
        break;
      }
      default:
        s = emptyInput();
    }
  } catch {
    s = emptyInput();
  }
  s.fd = fd;
  pauseAsNodeDoes(s as Readable);
  return s;
}

function emptyInput(): Readable {
  const r = new Readable({ read() {} });
  r.push(null);
  return r;
}

/** Node's handle fields that stdin's reading state lives in (internal, as Node's own getStdin uses them). */
interface ReadHandle {
  reading: boolean;
  readStop(): void;
}
type WithHandle = Readable & { _handle?: ReadHandle | null; _readableState: { reading: boolean } };

/**
 * stdin starts paused: not reading until the command reads, and it stops
 * reading when the command pauses it (Node's getStdin).
 */
function pauseAsNodeDoes(r: Readable): void {
  const s = r as WithHandle;
  if (s._handle && typeof s._handle.readStop === 'function') {
    s._handle.reading = false;
    s._readableState.reading = false;
    s._handle.readStop();
  }
  s.on('pause', () =>
    process.nextTick(() => {
      if (!s._handle) return;
      if (s._handle.reading && !s.readableFlowing) {
        s._readableState.reading = false;
        s._handle.reading = false;
        s._handle.readStop();
      }
    }),
  );
}

const NAMES = ['stdin', 'stdout', 'stderr'] as const;
type Name = (typeof NAMES)[number];

interface Made {
  stream: Stdio;
  /** the stream's own _destroy, put back for closeStdio() */
  destroy?: Writable['_destroy'];
  winch?: () => void;
}

const made = new Map<Name, Made>();
/**
 * Between the end of one command and the start of the next: what the last
 * command's leftover callbacks write goes nowhere (as after its end was
 * decided, cli/exit.ts), and nothing is made on fds 0-2, which are still the
 * launcher's until release or /dev/null after.
 */
let between = false;
const nowhere = { stdin: emptyInput(), stdout: blackHole(), stderr: blackHole() };

function make(name: Name): Stdio {
  if (name === 'stdin') return readable(0);
  const s = writable(name === 'stdout' ? 1 : 2) as Writable & { destroySoon?: () => void; _refreshSize?: () => void };
  const m: Made = { stream: s, destroy: s._destroy };
  s.destroySoon = s.destroy;
  // as Node's: destroying stdout or stderr never closes it
  s._destroy = function dummyDestroy(this: Writable & { _undestroy(): void; _writableState: { emitClose: boolean } }, err, cb) {
    cb(err);
    this._undestroy();
    if (!this._writableState.emitClose) process.nextTick(() => this.emit('close'));
  };
  if ((s as tty.WriteStream).isTTY) {
    m.winch = () => s._refreshSize?.();
    process.on('SIGWINCH', m.winch);
  }
  made.set(name, m);
  return s;
}

/**
 * From now on process.stdin/stdout/stderr are this module's: made on first
 * use for what fds 0-2 are then.
 */
export function installStdio(): void {
  for (const name of NAMES) {
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: true,
      get: () => {
        if (between) return nowhere[name];
        const m = made.get(name);
        if (m) return m.stream;
        const s = make(name);
        if (name === 'stdin') made.set(name, { stream: s });
        return s;
      },
    });
  }
}

/** While `load` runs, the three are undefined: nothing made for fds 0-2 as they are now. */
export function withoutStdio<T>(load: () => T): T {
  const saved = NAMES.map((n) => [n, Object.getOwnPropertyDescriptor(process, n)!] as const);
  for (const n of NAMES) Object.defineProperty(process, n, { configurable: true, enumerable: true, get: () => undefined });
  try {
    return load();
  } finally {
    for (const [n, d] of saved) Object.defineProperty(process, n, d);
  }
}

/** The kind of each stream the command made (for the debug line and the tests). */
export function madeKinds(): string {
  return NAMES.map((n) => `${n}=${made.has(n) ? stdioKind(n === 'stdin' ? 0 : n === 'stdout' ? 1 : 2) : '-'}`).join(' ');
}

/**
 * End the streams the command made: a terminal leaves raw mode, handles
 * close. Resolves once every one has closed; the next command makes new ones.
 */
export async function closeStdio(): Promise<void> {
  between = true;
  const waits: Promise<void>[] = [];
  for (const [name, m] of made) {
    const s = m.stream;
    if (name === 'stdin' && (s as tty.ReadStream).isRaw) (s as tty.ReadStream).setRawMode(false);
    if (m.winch) process.removeListener('SIGWINCH', m.winch);
    if (m.destroy) (s as Writable)._destroy = m.destroy;
    if (!s.closed) waits.push(new Promise<void>((resolve) => s.once('close', () => resolve())));
    s.on('error', () => undefined);
    s.destroy();
  }
  made.clear();
  await Promise.all(waits);
  // console binds process.stdout/stderr on first use and keeps them
  const c = console as unknown as { _stdout: unknown; _stderr: unknown };
  c._stdout = undefined;
  c._stderr = undefined;
}

/** A command starts: the three are made for what fds 0-2 are now. */
export function openStdio(): void {
  between = false;
}
