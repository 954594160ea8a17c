/** FileSink: writes in order, flushed(), one error line for open/write errors, FIFOs opened without blocking. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileSink } from '../../../modules/job-exec/file-sink';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-file-sink-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('writes land in order; flushed() waits for them; close() closes', async () => {
  const file = path.join(dir, 'out');
  const k = new FileSink(file, { what: 'output file' });
  assert.ok(await k.open());
  for (let i = 0; i < 1000; i++) k.write(`line ${i} é\n`);
  assert.ok(k.pending > 0);
  await k.flushed();
  assert.is(k.pending, 0);
  await k.close();
  const want = Array.from({ length: 1000 }, (_, i) => `line ${i} é\n`).join('');
  assert.is(fs.readFileSync(file, 'utf8'), want);
  assert.is(k.bytesWritten, Buffer.byteLength(want));
});

test('/dev/full: one error line, the data counts as settled, later writes are dropped', async () => {
  const k = new FileSink('/dev/full', { what: 'output file' });
  const notes: string[] = [];
  k.onError((n) => notes.push(n));
  assert.ok(await k.open());
  k.write('hi\n');
  await k.flushed();
  k.write('more\n');
  await k.flushed();
  assert.equal(notes, ["error writing output file '/dev/full': No space left on device"]);
  assert.is(k.pending, 0);
});

test('a missing directory: open() is false with the open error', async () => {
  const k = new FileSink('/nonexistent/dir/x', { what: 'output file', display: 'x' });
  let note = '';
  k.onError((n) => (note = n));
  assert.is(await k.open(), false);
  assert.is(note, "error opening output file 'x': No such file or directory");
});

test('a FIFO without a reader: open() waits (the loop runs), then opens when a reader comes', async () => {
  const f = path.join(dir, 'fifo');
  spawnSync('mkfifo', [f]);
  const k = new FileSink(f, { what: 'output file' });
  let opened: boolean | undefined;
  void k.open().then((ok) => (opened = ok));
  k.write('through the fifo\n');
  await new Promise((r) => setTimeout(r, 100));
  assert.is(opened, undefined);
  const rd = fs.openSync(f, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    await k.flushed();
    assert.is(opened, true);
    const buf = Buffer.alloc(100);
    const n = fs.readSync(rd, buf, 0, 100, null);
    assert.is(buf.toString('utf8', 0, n), 'through the fifo\n');
  } finally {
    await k.close();
    fs.closeSync(rd);
  }
});

test('abort() gives up waiting for a FIFO reader', async () => {
  const f = path.join(dir, 'fifo2');
  spawnSync('mkfifo', [f]);
  const k = new FileSink(f, { what: 'output file' });
  const p = k.open();
  k.write('never\n');
  k.abort();
  assert.is(await p, false);
  await k.flushed();
  assert.is(k.pending, 0);
});

test.run();
