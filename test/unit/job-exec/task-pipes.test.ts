/**
 * A task's pipes without a net.Socket each (modules/job-exec/task-pipes.ts,
 * native/pipe-reader.h), through tasks spawned by native-spawn.ts: output is
 * read to its end, pause() holds it in the pipe, destroy() closes without an
 * end, and stdin is a pipe that works whether it is written or only closed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import { spawnTask, type NativeTask } from '../../../modules/job-exec/native-spawn';

const t = spawnTask.available() ? test : test.skip;
const ENV = { PATH: process.env['PATH'] };

function sh(script: string): NativeTask {
  return spawnTask(['sh', '-c', script], ENV, os.tmpdir(), { pmi: false })!;
}

function once(e: NodeJS.EventEmitter, name: string): Promise<unknown[]> {
  return new Promise((resolve) => e.once(name, (...a: unknown[]) => resolve(a)));
}

/** stdout as text, the task's exit code, and the order of stdout's events */
function collect(k: NativeTask): { text: () => string; events: string[]; done: Promise<number | null> } {
  let text = '';
  const events: string[] = [];
  k.stdout!.on('data', (b: Buffer) => {
    text += b.toString();
    if (events[events.length - 1] !== 'data') events.push('data');
  });
  k.stdout!.on('end', () => events.push('end'));
  k.stdout!.on('close', () => events.push('close'));
  const done = once(k, 'close').then(([code]) => code as number | null);
  return { text: () => text, events, done };
}

t('output is read to its end: data, end, then close; 200 KiB arrive whole', async () => {
  const k = sh('head -c 204800 /dev/zero | tr "\\0" x; printf END');
  const c = collect(k);
  assert.is(await c.done, 0);
  assert.is(c.text().length, 204800 + 3);
  assert.ok(c.text().endsWith('xEND'));
  assert.equal(c.events, ['data', 'end', 'close']);
  assert.ok(k.stdout!.readableEnded && k.stdout!.destroyed);
});

t('pause() holds the output in the pipe until resume()', async () => {
  // stdout is written, then stderr closes: what was written is in the pipe by then
  const k = sh('printf held; exec 2>&-; read x');
  const c = collect(k);
  k.stdout!.pause();
  assert.ok(k.stdout!.isPaused());
  await once(k.stderr!, 'end');
  // a turn of the loop with the pipe readable: still nothing read
  await new Promise((r) => setImmediate(r));
  assert.is(c.text(), '');
  k.stdout!.resume();
  k.stdin!.end('go\n');
  assert.is(await c.done, 0);
  assert.is(c.text(), 'held');
});

t('destroy() closes the pipe: close without end, and the task still ends', async () => {
  const k = sh('read x; printf late');
  const c = collect(k);
  k.stdout!.destroy();
  await once(k.stdout!, 'close');
  assert.equal(c.events, ['close']);
  k.stdin!.end('go\n');
  // printf to a closed pipe fails (EPIPE): the shell's status is not 0, the task ends all the same
  await c.done;
  assert.is(c.text(), '');
});

t('stdin written: the data reaches the task; stdin only ended: the task sees end of file', async () => {
  const a = spawnTask(['cat'], ENV, os.tmpdir(), { pmi: false })!;
  const ca = collect(a);
  a.stdin!.write('abc');
  a.stdin!.end('def');
  assert.is(await ca.done, 0);
  assert.is(ca.text(), 'abcdef');

  const b = spawnTask(['cat'], ENV, os.tmpdir(), { pmi: false })!;
  const cb = collect(b);
  b.stdin!.end();
  assert.is(await cb.done, 0);
  assert.is(cb.text(), '');
});

t('a task that closed its stdin: a write ends in an error on stdin, not a throw', async () => {
  const k = sh('exec 0<&-; printf ready; exec sleep 30');
  const c = collect(k);
  await once(k.stdout!, 'data');
  const err = once(k.stdin!, 'error');
  k.stdin!.write(Buffer.alloc(256 * 1024));
  const [e] = (await err) as [NodeJS.ErrnoException];
  assert.is(e.code, 'EPIPE');
  k.kill('SIGKILL');
  await c.done;
});

test.run();
