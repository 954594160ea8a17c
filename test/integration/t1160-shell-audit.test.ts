/**
 * Job shell behaviour as in Flux, through the real `flux` command in a
 * size-1 instance: stderr is sent as the task writes it (stdout a line at a
 * time), unless -o output.stderr.buffer.type=line; a plain `-o pty` puts
 * every task on a terminal (pty.ranks=all), an object only the ranks named.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance | undefined;
const tmp = tmpdir('flux-ts-t1160-');

test.before(async () => {
  inst = await startInstance(['--test-size=1']);
});

test.after(async () => {
  await inst?.stop().catch(() => inst?.kill());
  tmp.cleanup();
});

const ok = (args: string[]) => {
  const r = inst!.flux(args, { cwd: tmp.dir, timeoutMs: 60_000 });
  assert.is(r.code, 0, `flux ${args.join(' ')}: ${r.stderr}`);
  return r;
};

/** the job's output eventlog as text (what `flux job attach` reads), at once even while it runs */
const output = (id: string) => ok(['job', 'eventlog', '-p', 'output', id]).stdout;

test('stderr goes out as the task writes it (an error without a newline is seen at once); stdout a line at a time', async () => {
  const stop = path.join(tmp.dir, 'stop');
  const script = 'printf out; printf error >&2; while [ ! -e stop ]; do sleep 0.1; done; echo " end"; echo " end" >&2';
  fs.rmSync(stop, { force: true });
  const id = ok(['submit', 'sh', '-c', script]).stdout.trim();
  ok(['job', 'wait-event', id, 'start']);
  await waitUntil(async () => output(id).includes('stream="stderr" rank="0" data="error"'), { what: "the task's partial stderr line", timeoutMs: 20_000 });
  // stdout's partial line is still held by the shell
  assert.not.match(output(id), 'stream="stdout" rank="0" data');
  fs.writeFileSync(stop, '');
  ok(['job', 'wait-event', id, 'clean']);
  const r = ok(['job', 'attach', id]);
  assert.is(r.stdout, 'out end\n');
  assert.is(r.stderr, 'error end\n');
});

test('-o output.stderr.buffer.type=line holds stderr to the newline', async () => {
  const stop = path.join(tmp.dir, 'stop');
  fs.rmSync(stop, { force: true });
  const id = ok(['submit', '-o', 'output.stderr.buffer.type=line', 'sh', '-c', 'printf error >&2; echo ready; while [ ! -e stop ]; do sleep 0.1; done; echo " end" >&2']).stdout.trim();
  await waitUntil(async () => output(id).includes('data="ready\\n"'), { what: 'the ready line', timeoutMs: 20_000 });
  // the task wrote its stderr before "ready": with line buffering it is not out yet
  assert.not.match(output(id), 'stream="stderr" rank="0" data');
  fs.writeFileSync(stop, '');
  ok(['job', 'wait-event', id, 'clean']);
  assert.is(ok(['job', 'attach', id]).stderr, 'error end\n');
});

test('-o pty: every task on a terminal; -o pty.ranks=1 only that one', () => {
  const tty = (args: string[]) => {
    const r = inst!.flux(['run', '-n2', '--label-io', ...args, 'sh', '-c', 'test -t 0 && test -t 1 && echo tty || echo none'], { cwd: tmp.dir, timeoutMs: 60_000 });
    return r.stdout.replace(/\r/g, '').trim().split('\n').sort().join(',');
  };
  assert.is(tty(['-o', 'pty']), '0: tty,1: tty');
  assert.is(tty(['-o', 'pty.ranks=1']), '0: none,1: tty');
  assert.is(tty(['-o', 'pty.ranks=all']), '0: tty,1: tty');
});

test.run();
