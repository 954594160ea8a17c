/**
 * The output log of a small job in a temporary statedir is held in memory
 * while the job runs (modules/job-exec/output-log.ts: no file operation on
 * the broker's loop until its end) and served from there; once the job ends
 * its kvs copy, all of it byte for byte, is the log (no file is written).
 * Output past the hold goes to the file at once. With a persistent statedir
 * the kvs copy is in the store while the job runs, and a restart serves it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '../../cli/api/client';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

const tmp = tmpdir('flux-t0613-');
const started: Instance[] = [];

test.after(async () => {
  for (const i of started) await i.stop().catch(() => i.kill());
  tmp.cleanup();
});

interface Chunk {
  log: string;
  offset: number;
  eof: boolean;
  path?: string;
}

/** a job that prints `first` (or what `print` prints), then waits for the file `go` before it prints `second` */
function submitWaiting(inst: Instance, go: string, print = 'echo first'): { id: string; dec: number; log: string } {
  const id = inst.flux(['submit', 'sh', '-c', `${print}; while [ ! -e ${go} ]; do sleep 0.05; done; echo second`]).stdout.trim();
  const dec = Number(inst.flux(['job', 'id', '--to=dec', id]).stdout.trim());
  const log = path.join(inst.flux(['getattr', 'statedir']).stdout.trim(), 'job-output', `${dec}.eventlog`);
  return { id, dec, log };
}

async function read(inst: Instance, dec: number, direct: boolean): Promise<Chunk> {
  const h = await Client.connect(inst.uri);
  try {
    return await h.rpc<Chunk>('job-exec.output-read', { id: dec, offset: 0, wait: false, direct });
  } finally {
    h.close();
  }
}

test('a small job`s output is served from memory while it runs, and in its file once it ends', async () => {
  const inst = await startInstance();
  started.push(inst);
  const go = path.join(tmp.dir, 'go-small');
  const { id, dec, log } = submitWaiting(inst, go);
  // what a reader gets while the job runs: its first line, with no file yet (a direct reader gets the lines too)
  const first = await waitUntil(async () => ((await read(inst, dec, false)).log.includes('"data":"first\\n"') ? true : undefined), { what: 'first line' });
  assert.ok(first);
  const direct = await read(inst, dec, true);
  assert.match(direct.log, /"data":"first\\n"/);
  assert.is(direct.path, undefined);
  assert.not.ok(fs.existsSync(log), 'the file is written at the job`s end');
  fs.writeFileSync(go, '');
  const a = inst.flux(['job', 'attach', id]);
  assert.is(a.code, 0, a.stderr);
  assert.is(a.stdout, 'first\nsecond\n');
  inst.flux(['job', 'wait-event', id, 'clean']);
  // its kvs copy is all of it, byte for byte: that is the log, and no file is written
  assert.not.ok(fs.existsSync(log), 'no file: the kvs copy is the log');
  const key = `${inst.flux(['job', 'id', '--to=kvs', id]).stdout.trim()}.guest.output`;
  const h = await Client.connect(inst.uri);
  const copy = await h.rpc<{ value: string }>('kvs.get', { key }).finally(() => h.close());
  const lines = copy.value.trim().split('\n');
  assert.is(JSON.parse(lines[0]!).name, 'header');
  assert.equal(
    lines.filter((l) => l.includes('"data":"')).map((l) => (JSON.parse(l) as { context: { data: string } }).context.data),
    ['first\n', 'second\n'],
  );
  // a later attach is served that copy, from the start and from any line's end
  assert.is(inst.flux(['job', 'attach', id]).stdout, 'first\nsecond\n');
  const after = await read(inst, dec, true);
  assert.is(after.path, undefined);
  assert.is(after.log, copy.value);
  assert.ok(after.eof);
  const h2 = await Client.connect(inst.uri);
  const offset = Buffer.byteLength(lines[0]! + '\n');
  const rest = await h2.rpc<Chunk>('job-exec.output-read', { id: dec, offset, wait: true }).finally(() => h2.close());
  assert.is(rest.log, copy.value.slice(lines[0]!.length + 1));
  assert.is(rest.offset, Buffer.byteLength(copy.value));
});

test('output past the hold goes to the file while the job runs', async () => {
  const inst = started[0]!;
  const go = path.join(tmp.dir, 'go-big');
  const { id, log } = submitWaiting(inst, go, 'seq 1 6000');
  await waitUntil(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('"data":"'), { what: 'the output log file' });
  fs.writeFileSync(go, '');
  const a = inst.flux(['job', 'attach', id]);
  assert.is(a.code, 0, a.stderr);
  const out = a.stdout.split('\n');
  assert.is(out[0], '1');
  assert.is(out[5999], '6000');
  assert.is(out[6000], 'second');
});

test('a log whose file cannot be written: the job`s exception names it; a small one needs no file', () => {
  const inst = started[0]!;
  const dir = path.join(inst.flux(['getattr', 'statedir']).stdout.trim(), 'job-output');
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    // held and all in its kvs copy: no file is needed, nothing fails
    const small = inst.flux(['run', 'echo', 'kept']);
    assert.is(small.code, 0, small.stderr);
    assert.is(small.stdout, 'kept\n');
    assert.is(inst.flux(['job', 'attach', inst.flux(['job', 'last']).stdout.trim()]).stdout, 'kept\n');
    // past the hold, the log goes to its file, which cannot be opened
    const r = inst.flux(['run', 'seq', '1', '5000']);
    // 1: seq had ended when the exception came; 143: it was still writing and got the job's SIGTERM (CI once)
    assert.ok(r.code === 1 || r.code === 143, `exit code ${r.code}: ${r.stderr}`);
    const id = inst.flux(['job', 'last']).stdout.trim();
    const dec = inst.flux(['job', 'id', '--to=dec', id]).stdout.trim();
    assert.match(r.stderr, `error opening output log '${dir}/${dec}.eventlog': No such file or directory`);
  } finally {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
});

test('with a persistent statedir a small job`s log is its kvs copy: served while it runs, no file, and after a restart', async () => {
  const state = path.join(tmp.dir, 'state');
  fs.mkdirSync(state, { mode: 0o700 });
  const inst = await startInstance(['--test-size=1', `-Sstatedir=${state}`]);
  started.push(inst);
  const go = path.join(tmp.dir, 'go-persistent');
  const { id, dec, log } = submitWaiting(inst, go);
  await waitUntil(async () => ((await read(inst, dec, false)).log.includes('"data":"first\\n"') ? true : undefined), { what: 'first line' });
  // the kvs copy has it while the job runs (the store commits it within milliseconds: what a crash keeps)
  const key = `${inst.flux(['job', 'id', '--to=kvs', id]).stdout.trim()}.guest.output`;
  assert.match(inst.flux(['kvs', 'get', key]).stdout, /"data":"first\\n"/);
  fs.writeFileSync(go, '');
  assert.is(inst.flux(['job', 'attach', id]).stdout, 'first\nsecond\n');
  assert.is(inst.flux(['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
  assert.not.ok(fs.existsSync(log), 'no file: the kvs copy is the log');
  // a restart on the same statedir serves it from the store
  await inst.stop();
  const again = await startInstance(['--test-size=1', `-Sstatedir=${state}`]);
  started.push(again);
  const a = again.flux(['job', 'attach', id]);
  assert.is(a.code, 0, a.stderr);
  assert.is(a.stdout, 'first\nsecond\n');
});

test('with a persistent statedir, 200 short jobs each keep their whole output log', async () => {
  const state = path.join(tmp.dir, 'state-many');
  fs.mkdirSync(state, { mode: 0o700 });
  const inst = await startInstance(['--test-size=1', `-Sstatedir=${state}`]);
  started.push(inst);
  const r = inst.flux(['submit', '--cc=1-200', '--wait', 'sh', '-c', 'echo out {cc}; echo err {cc} >&2'], { timeoutMs: 120_000 });
  assert.is(r.code, 0, r.stderr);
  const ids = r.stdout.trim().split('\n');
  assert.is(ids.length, 200);
  // each in the store, in order: the header, a line on stdout and one on stderr, the eof of each
  const h = await Client.connect(inst.uri);
  try {
    for (const [k, id] of ids.entries()) {
      const key = `${inst.flux(['job', 'id', '--to=kvs', id]).stdout.trim()}.guest.output`;
      const text = (await h.rpc<{ value: string }>('kvs.get', { key })).value;
      const events = text.trim().split('\n').map((l) => JSON.parse(l) as { name: string; context?: { data?: string; eof?: boolean; stream?: string } });
      assert.is(events[0]!.name, 'header', id);
      const data = events.filter((e) => e.name === 'data' && e.context?.data !== undefined).map((e) => `${e.context?.stream}: ${e.context?.data}`).sort();
      assert.equal(data, [`stderr: err ${k + 1}\n`, `stdout: out ${k + 1}\n`], id);
      assert.is(events.filter((e) => e.name === 'data' && e.context?.eof === true).length, 2, id);
    }
  } finally {
    h.close();
  }
  assert.is(inst.flux(['job', 'attach', ids[199]!]).stdout, 'out 200\n');
});

test.run();
