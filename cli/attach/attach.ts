/**
 * Attach to a job (flux job attach, and flux run after submitting): watch the
 * job eventlog, read the job's output once it is allocated (output-stream.ts:
 * bounded chunks from job-exec's output log, as fast as our stdout takes them),
 * print output, shell log lines and exceptions, forward stdin and signals, and
 * return the job's exit code (jobs.md §11).
 */
import { Errno } from '../../lib/errno';
import type { FluxError } from '../../lib/errors';
import { encodeF58, encodeKvs } from '../../lib/formats';
import type { Client } from '../api/client';
import { resultOf } from './exit-code';
import { entryData, readOutput, type OutputEntry } from './output-stream';
import { SignalForwarder } from './signals';
import { outputWritable, writeOutput } from '../output';
import { encodeData, labelLines, Utf8Chunker } from '../../lib/io-data';
import { watchPending } from './pending';
import { OutputTail } from './tail';
import { StatusLine } from './status-line';
import { whenForeground } from '../foreground';

export interface AttachOptions {
  /** prefix output lines with `<rank>: ` */
  labelIo?: boolean;
  /** forward stdin to these task ranks (idset or 'all'); undefined = all */
  stdinRanks?: string;
  /** do not forward stdin (the job reads a file) */
  noStdin?: boolean;
  /** do not read stdin or capture signals */
  readOnly?: boolean;
  /** print every job event on stderr (-E) */
  showEvents?: boolean;
  /** print every exec event on stderr (-X) */
  showExec?: boolean;
  /** suppress warnings such as redirect notices (-q) */
  quiet?: boolean;
  /** the id as the user typed it (error messages) */
  typed?: string;
  /**
   * task 0 runs on a pty (`-o pty.interactive`) and our stdin is a terminal:
   * raw mode, keystrokes and window size to task 0, restored at the end
   */
  interactive?: boolean;
  /** --tail=NUM: of the output written before we attached, only the last NUM lines */
  tail?: number;
  /** --show-status: a status line on stderr while the job waits */
  showStatus?: boolean;
  /** -w NAME: stop following the job eventlog after event NAME (its exit code is then not ours) */
  waitEvent?: string;
  /** -v: shell log lines name the file and line they come from, when known */
  verbose?: boolean;
  /** the command submitted the job (flux run, flux alloc): a SIGTERM before it starts cancels it */
  ownsJob?: boolean;
}

interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

/** the job shell's log levels as attach prints them (a notice, 5, has no tag: `flux-shell[0]: signal: ...`) */
const LEVELS = ['FATAL', 'FATAL', 'FATAL', 'ERROR', ' WARN', '', 'DEBUG', 'TRACE'];

/** `flux-job: Failed to attach ...` and friends */
export class AttachError extends Error {}

export async function attach(client: Client, id: number, opts: AttachOptions = {}): Promise<number> {
  const dir = encodeKvs(id);
  const f58 = encodeF58(id);
  const status = opts.showStatus ? new StatusLine(f58, (s) => process.stderr.write(s)) : undefined;
  const err = (s: string) => {
    status?.clear();
    process.stderr.write(s + '\n');
  };
  /** -w: the job eventlog is no longer followed (only the output's start is taken from it) */
  let detached = false;
  let tail = opts.tail !== undefined ? new OutputTail(opts.tail) : undefined;
  /** --tail: where the output ended when we attached, and where the chunk being handled began */
  let tailCut = Infinity;
  let chunkStart = 0;
  let t0: number | undefined;
  let started = false;
  let finishStatus: number | undefined;
  let fatal = false;
  let ntasks: number | undefined;
  const eofs = new Set<string>();
  /** the output is being read (the job was allocated) */
  let outputStarted = false;
  /** a prolog runs (perilog.so): the output is read from the job's start */
  let inProlog = false;
  let outputDone = false;
  /** reading the output failed: the command must not exit 0 */
  let outputLost = false;
  /** the job eventlog says clean, or ended */
  let mainDone = false;
  let finishResolve!: () => void;
  const finished = new Promise<void>((r) => (finishResolve = r));
  let sawEntry = false;
  // never below zero: the shells of other brokers stamp with their own sub-millisecond clock
  const rel = (ts: number) => `${Math.max(0, ts - (t0 ?? ts)).toFixed(3)}s`;
  const signals = opts.readOnly ? undefined : new SignalForwarder(client, id, f58, opts.ownsJob === true);
  let terminal: (() => void) | undefined;

  /** -X: the exec eventlog is being watched, and that watch has ended */
  let execStarted = false;
  let execDone = false;
  // done once the job is (finish or clean) and its output is all out (and with -X its exec eventlog)
  const checkDone = () => {
    const outputOver = !outputStarted || outputDone || (ntasks !== undefined && eofs.size >= 2 * ntasks);
    const execOver = !execStarted || execDone;
    if ((finishStatus !== undefined || mainDone) && outputOver && execOver) finishResolve();
  };
  /**
   * -X: from the job's start (job-exec has created the exec eventlog by then)
   * to the log's end (job-exec closes it at `done`, before the job is inactive)
   */
  const watchExec = () => {
    if (!opts.showExec || execStarted) return;
    execStarted = true;
    const end = () => {
      execDone = true;
      checkDone();
    };
    client
      .rpcStream('kvs.watch', { key: `${dir}.guest.exec.eventlog`, waitcreate: false }, (p) => {
        for (const e of entriesOf(p)) {
          t0 ??= e.timestamp;
          const c = e.context ?? {};
          err(`${rel(e.timestamp)}: exec.${e.name}${Object.keys(c).length > 0 ? ' ' + JSON.stringify(c) : ''}`);
        }
      })
      .then(end, end);
  };

  const onMain = (e: Entry) => {
    t0 ??= e.timestamp;
    const c = e.context ?? {};
    if (detached) {
      // after -w's event: only what starts the output and stdin still counts
      if (e.name === 'alloc' || e.name === 'prolog-start' || e.name === 'start') onJobEvent(e, c);
      return;
    }
    status?.event(e.name, e.timestamp, c);
    onJobEvent(e, c);
    if (opts.waitEvent !== undefined && e.name === opts.waitEvent && e.name !== 'finish') {
      detached = true;
      mainDone = true;
      checkDone();
    }
  };

  const onJobEvent = (e: Entry, c: Record<string, unknown>) => {
    if (opts.showEvents && e.name !== 'exception') {
      err(`${rel(e.timestamp)}: job.${e.name}${e.context && Object.keys(c).length > 0 ? ' ' + JSON.stringify(c) : ''}`);
    }
    switch (e.name) {
      case 'alloc':
        // after this batch of events (a prolog-start comes in the same one): a job in its prolog is not with job-exec yet
        queueMicrotask(() => {
          if (!inProlog) startOutput();
        });
        break;
      case 'prolog-start':
        inProlog = true;
        break;
      case 'start':
        watchExec();
        signals?.started();
        startOutput();
        if (!started) {
          started = true;
          if (!opts.readOnly && !opts.noStdin) {
            if (opts.interactive) terminal = forwardTerminal(client, id);
            // after this batch of replayed events: a job that has already
            // finished reads nothing, and our stdin is left alone
            else setImmediate(() => finishStatus === undefined && !mainDone && whenForeground(() => forwardStdin(client, id, opts.stdinRanks)));
          }
        }
        break;
      case 'exception': {
        const sev = Number(c['severity'] ?? 0);
        afterOutputSoFar(`${rel(e.timestamp)}: job.exception ${f58} type=${String(c['type'])} severity=${sev} ${String(c['note'] ?? '')}`);
        if (sev === 0) fatal = true;
        break;
      }
      case 'finish':
        finishStatus = Number(c['status'] ?? 0);
        checkDone();
        break;
      case 'clean':
        mainDone = true;
        checkDone();
        break;
    }
  };

  /** text, or bytes (an entry in base64): written as they are */
  const write = (stream: string, rank: string, data: string | Buffer) => {
    const out = stream === 'stderr' ? 'stderr' : 'stdout';
    writeOutput(out, opts.labelIo ? labelLines(data, `${rank}: `) : data);
  };

  const onOutput = (e: OutputEntry, beforeCut: boolean) => {
    const c = e.context ?? {};
    switch (e.name) {
      case 'header': {
        const count = c['count'] as { stdout?: number } | undefined;
        ntasks = Number(count?.stdout ?? 0);
        checkDone();
        break;
      }
      case 'data':
        if (c['eof']) {
          eofs.add(`${String(c['stream'])}:${String(c['rank'])}`);
          checkDone();
        } else if (typeof c['data'] === 'string') {
          // output means tasks run, even if the start event is still on its way: a signal now is theirs
          signals?.started();
          const data = entryData(c);
          if (beforeCut && tail) tail.add(String(c['stream']), String(c['rank']), data);
          else write(String(c['stream']), String(c['rank']), data);
        }
        break;
      case 'redirect':
        if (!opts.quiet) err(`${String(c['rank'])}: ${String(c['stream'])} redirected to ${String(c['path'])}`);
        break;
      case 'log': {
        const lvl = Number(c['level'] ?? 3);
        const tag = LEVELS[lvl] ?? 'ERROR';
        const where = opts.verbose && typeof c['file'] === 'string' ? `${c['file']}${typeof c['line'] === 'number' && c['line'] > 0 ? `:${c['line']}` : ''}` : '';
        // `ERROR: file:line: message`; a notice has no tag
        const head = [tag, where].filter((x) => x !== '').map((x) => `${x}: `).join('');
        err(`${rel(e.timestamp)}: flux-shell[${String(c['rank'] ?? 0)}]: ${head}${String(c['message'] ?? '')}`);
        break;
      }
    }
  };

  const entriesOf = (p: unknown): Entry[] => ((p as { entries?: Entry[] })?.entries ?? []);
  /**
   * Lines that wait for the output written before them (an exception comes
   * after the shell's FATAL log line, as in Flux): printed once the output read
   * so far reaches the log's size when they came.
   */
  let outputOffset = 0;
  const waiting: Array<{ line: string; at: number }> = [];
  const printWaiting = () => {
    while (waiting.length > 0 && (outputDone || waiting[0]!.at <= outputOffset)) err(waiting.shift()!.line);
  };
  function afterOutputSoFar(line: string): void {
    if (!outputStarted || outputDone) {
      err(line);
      return;
    }
    const entry = { line, at: Infinity };
    waiting.push(entry);
    client.rpc<{ size?: number }>('job-exec.output-size', { id }).then(
      (r) => {
        entry.at = r.size ?? 0;
        printWaiting();
      },
      () => {
        entry.at = 0;
        printWaiting();
      },
    );
  }
  /** --tail: print the lines kept from before the cut, once */
  function flushTail(): void {
    if (!tail) return;
    for (const p of tail.drain()) write(p.stream, p.rank, p.text);
    tail = undefined;
  }
  // the output is read once the job is allocated (job-exec has it from then on)
  function startOutput(): void {
    if (outputStarted) return;
    outputStarted = true;
    // --tail: the cut is where the output log ends now (all of it for a job job-exec no longer knows)
    const cut = tail
      ? client.rpc<{ size?: number }>('job-exec.output-size', { id }).then(
          (r) => void (tailCut = typeof r.size === 'number' ? r.size : Infinity),
          () => undefined,
        )
      : Promise.resolve();
    cut.then(() => readOutput(client, id, (entries, offset) => {
      const beforeCut = tail !== undefined && chunkStart < tailCut;
      if (tail && !beforeCut) flushTail();
      for (const e of entries) onOutput(e, beforeCut);
      chunkStart = offset;
      outputOffset = offset;
      // everything written before we attached is in: show its tail now, not when the job next writes
      if (tail && offset >= tailCut) flushTail();
      printWaiting();
      return outputWritable();
    })).then(
      () => {
        flushTail();
        outputDone = true;
        printWaiting();
        checkDone();
      },
      (e: FluxError) => {
        flushTail();
        err(`flux-job: ${f58}: error reading output: ${e.message}`);
        outputLost = true;
        outputDone = true;
        printWaiting();
        checkDone();
      },
    );
  }
  const main = client.rpcStream('kvs.watch', { key: `${dir}.eventlog`, waitcreate: false }, (p) => {
    for (const e of entriesOf(p)) {
      sawEntry = true;
      onMain(e);
    }
  });
  const mainEnded = main.then(
    () => {
      // eventlog closed: nothing more will come but the rest of the output
      mainDone = true;
      checkDone();
    },
    (e: unknown) => {
      if (!sawEntry) {
        const fe = e as FluxError;
        // a guest (flux-config-access(5)) reads the eventlogs of its own jobs only
        const why =
          fe.errno === Errno.ENOENT
            ? 'No such job'
            : fe.errno === Errno.EPERM
              ? 'Operation not permitted (guests can only follow their own jobs)'
              : fe.message;
        throw new AttachError(`Failed to attach to ${opts.typed ?? f58}: ${why}`);
      }
      mainDone = true;
      checkDone();
    },
  );
  signals?.install();
  watchPending(client, id, f58);
  try {
    await Promise.race([finished, mainEnded.then(() => finished)]);
    flushTail();
    status?.end();
    // the output is over (every stream's eof may come before the log's end):
    // exception lines still waiting for their place in it go out now
    for (const w of waiting.splice(0)) err(w.line);
  } finally {
    status?.end();
    signals?.uninstall();
    if (terminal) {
      terminal();
      err('[detached: session exiting]');
    }
  }
  let code = 0;
  if (finishStatus !== undefined) {
    const r = resultOf(finishStatus);
    if (r.line) err(`flux-job: ${r.line}`);
    code = r.code;
  }
  if ((fatal || outputLost) && code === 0) code = 1;
  // canceled by our signal before it ran: exit as that signal would have made us
  if (signals?.canceledBy !== undefined && !started) code = 128 + signals.canceledBy;
  return code;
}

/**
 * Send our stdin to the job's tasks (job-exec.stdin), then EOF. One chunk at a
 * time: job-exec answers once the tasks' pipes took it, so a task that does
 * not read its stdin stops our reading instead of filling the broker.
 */
function forwardStdin(client: Client, id: number, ranks: string | undefined): void {
  const stdin = process.stdin;
  // bytes, never decoded: text as text, anything else as base64 (RFC 24); a character split between reads goes whole
  const chunker = new Utf8Chunker();
  const send = (data: Buffer | undefined, eof: boolean) =>
    client.rpc('job-exec.stdin', { id, ...(data && data.length > 0 ? encodeData(data) : {}), eof, ranks }).catch(() => {});
  if (ranks !== undefined && ranks !== 'all') {
    // the job says which of ranks it has: a warning if some are beyond its tasks, as Flux's attach
    void client.rpc<{ ranks?: string | null }>('job-exec.stdin', { id, eof: false, ranks }).then(
      (r) => {
        if (typeof r?.ranks !== 'string') return;
        process.stderr.write(
          r.ranks === ''
            ? `flux-job: warning: --stdin-ranks ${ranks} names no task of the job: its input is not sent\n`
            : `flux-job: warning: adjusting --stdin-ranks from ${ranks} to ${r.ranks}\n`,
        );
      },
      () => {},
    );
  }
  stdin.on('data', (d: Buffer) => {
    const piece = chunker.write(d);
    if (piece.length === 0) return;
    stdin.pause();
    void send(piece, false).then(() => stdin.resume());
  });
  stdin.on('end', () => void send(chunker.end(), true));
  stdin.on('error', () => void send(chunker.end(), true));
}

/**
 * An interactive session: our terminal in raw mode (^C, ^D, ^Z are keystrokes
 * for the remote side), its size sent now and on every resize. Returns what
 * puts the terminal back.
 */
function forwardTerminal(client: Client, id: number): () => void {
  const stdin = process.stdin;
  const send = (payload: Record<string, unknown>) => client.rpc('job-exec.stdin', { id, ranks: '0', ...payload }).catch(() => {});
  const size = () => void send({ winsize: { cols: process.stdout.columns || 80, rows: process.stdout.rows || 25 } });
  size();
  process.stdout.on('resize', size);
  stdin.setRawMode(true);
  // keystrokes as bytes: text as text, anything else as base64
  stdin.on('data', (d: Buffer) => void send({ ...encodeData(d) }));
  return () => {
    process.stdout.off('resize', size);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
