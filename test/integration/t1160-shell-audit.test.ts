/**
 * Job shell behaviour as in Flux, through the real `flux` command in a
 * size-1 instance: stderr is sent as the task writes it (stdout a line at a
 * time), unless -o output.stderr.buffer.type=line; a plain `-o pty` puts
 * every task on a terminal (pty.ranks=all), an object only the ranks named;
 * a bad exit-timeout or output.mode is refused at submit (it was ignored);
 * --input=RANKS beyond the job's tasks is adjusted with Flux's warning.
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

test('-o exit-timeout: a value that is not an FSD (or none) is refused at submit; NONE is none', () => {
  for (const [v, shown] of [['abc', '"abc"'], ['-1', '-1'], ['[1]', '[1]']]) {
    const r = inst!.flux(['run', '-n2', '-o', `exit-timeout=${v}`, 'true'], { cwd: tmp.dir });
    assert.is(r.code, 1, r.stderr);
    assert.is(r.stderr, `flux-run: ERROR: shell option exit-timeout: ${shown} is not a valid Flux Standard Duration (or none)\n`);
  }
  // the first task exits at once, the other 1.5 s later: NONE (any case) keeps the job from being ended
  const early = 'test $FLUX_TASK_RANK = 1 && exit 0; sleep 1.5; echo done';
  const none = inst!.flux(['run', '-n2', '-o', 'exit-timeout=NONE', 'sh', '-c', early], { cwd: tmp.dir, timeoutMs: 60_000 });
  assert.is(none.code, 0, none.stderr);
  assert.is(none.stdout, 'done\n');
  const short = inst!.flux(['run', '-n2', '-o', 'exit-timeout=0.2s', 'sh', '-c', early], { cwd: tmp.dir, timeoutMs: 60_000 });
  assert.is(short.code, 143, short.stderr);
  assert.match(short.stderr, /type=exec severity=0 doom: first task \(rank 1 on host \S+\) exited 0\.200s ago/);
});

test('-o output.mode: only truncate or append', () => {
  const r = inst!.flux(['run', '--output=out', '-o', 'output.mode=bogus', 'echo', 'hi'], { cwd: tmp.dir });
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stderr, 'flux-run: ERROR: shell option output.mode: invalid value "bogus" (truncate or append)\n');
  assert.not.ok(fs.existsSync(path.join(tmp.dir, 'out')));
  ok(['run', '--output=out', '-o', 'output.mode=append', 'echo', 'one']);
  ok(['run', '--output=out', '-o', 'output.mode=append', 'echo', 'two']);
  assert.is(fs.readFileSync(path.join(tmp.dir, 'out'), 'utf8'), 'one\ntwo\n');
});

test('--input=RANKS naming tasks the job lacks: Flux\'s warning, and the input reaches those it has', () => {
  const r = inst!.flux(['run', '-n2', '--input=1-5', '--label-io', 'cat'], { cwd: tmp.dir, input: 'hi\n', timeoutMs: 60_000 });
  assert.equal([r.code, r.stdout, r.stderr], [0, '1: hi\n', 'flux-job: warning: adjusting --stdin-ranks from 1-5 to 1\n']);
  const none = inst!.flux(['run', '-n2', '--input=5', 'cat'], { cwd: tmp.dir, input: 'hi\n', timeoutMs: 60_000 });
  assert.equal([none.code, none.stdout, none.stderr], [0, '', 'flux-job: warning: --stdin-ranks 5 names no task of the job: its input is not sent\n']);
  const fine = inst!.flux(['run', '-n2', '--input=1', '--label-io', 'cat'], { cwd: tmp.dir, input: 'hi\n', timeoutMs: 60_000 });
  assert.equal([fine.code, fine.stdout, fine.stderr], [0, '1: hi\n', '']);
});

test.run();
