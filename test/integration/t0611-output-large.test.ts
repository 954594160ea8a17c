/**
 * Output held in bounded memory (issue 9): a job's output goes to its output
 * log on disk, and `flux run` / `flux job attach` replay all of it byte for
 * byte however large (beyond the 16 MiB frame limit), from one rank or
 * several, long lines and multibyte characters included; the broker sends it
 * in bounded chunks (`job-exec.output-read`); the kvs copy that
 * `flux job eventlog -p output` reads is whole for small outputs and cut with
 * a warning for big ones; purge removes the job's output log.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '../../cli/api/client';
import { run, startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance | undefined;
const tmp = tmpdir('flux-t0611-');

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
/** run a shell pipeline against the instance (stdout to files, not through the test's pipes) */
const sh = (script: string, i: Instance = inst!) => run('sh', ['-c', script], { env: i.env, cwd: tmp.dir, timeoutMs: 240_000 });
const file = (name: string) => path.join(tmp.dir, name);

test.before(async () => {
  inst = await startInstance();
});

test.after(async () => {
  if (inst) await inst.stop();
  tmp.cleanup();
});

/** ~22 MB of lines: beyond a 16 MiB frame */
const BIG = 'seq 1 3000000';
let bigId = '';

test('flux run of a job printing 22 MB gets every byte', () => {
  const r = sh(`${BIG} > expect.out; flux run ${BIG} > run.out; echo $?; flux job last`);
  const [rc, id] = r.stdout.trim().split('\n');
  assert.is(rc, '0', r.stderr);
  bigId = id!;
  assert.is(fs.statSync(file('run.out')).size, fs.statSync(file('expect.out')).size);
  assert.is(sha(file('run.out')), sha(file('expect.out')));
});

test('flux job attach afterwards replays all of it, byte-exact', () => {
  const r = sh(`flux job attach ${bigId} > attach.out`);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.is(sha(file('attach.out')), sha(file('expect.out')));
});

test('the broker sends the output log in chunks of at most 1 MiB, all of it', async () => {
  const h = await Client.connect(inst!.uri);
  try {
    const id = Number(inst!.flux(['job', 'id', '--to=dec', bigId]).stdout.trim());
    const out = fs.openSync(file('chunks.out'), 'w');
    let offset = 0;
    let chunks = 0;
    for (;;) {
      const r = await h.rpc<{ log: string; offset: number; eof: boolean }>('job-exec.output-read', { id, offset });
      assert.ok(Buffer.byteLength(r.log) <= 1024 * 1024, `chunk of ${Buffer.byteLength(r.log)} bytes`);
      for (const line of r.log.split('\n')) {
        if (!line) continue;
        const e = JSON.parse(line) as { name: string; context: { stream?: string; data?: string } };
        if (e.name === 'data' && e.context.stream === 'stdout' && e.context.data) fs.writeSync(out, e.context.data);
      }
      chunks++;
      offset = r.offset;
      if (r.eof) break;
    }
    fs.closeSync(out);
    assert.ok(chunks > 20, `${chunks} chunks`);
    assert.is(sha(file('chunks.out')), sha(file('expect.out')));
  } finally {
    h.close();
  }
});

test('flux job eventlog -p output: whole for a small job, cut with a warning for a big one', () => {
  const small = inst!.flux(['submit', 'echo', 'small']).stdout.trim();
  inst!.flux(['job', 'wait-event', small, 'clean']);
  const s = inst!.flux(['job', 'eventlog', '-p', 'output', small]);
  assert.is(s.code, 0, s.stderr);
  assert.match(s.stdout, /data stream="stdout" rank="0" data="small\\n"/);
  assert.match(s.stdout, /data stream="stdout" rank="0" eof=true/);
  const b = sh(`flux job eventlog -p output ${bigId} > big-eventlog.out`);
  assert.is(b.code, 0, b.stderr);
  const text = fs.readFileSync(file('big-eventlog.out'), 'utf8');
  assert.ok(text.length < 4 * 1024 * 1024, `${text.length} bytes`);
  assert.match(text, /stdout will be truncated in the kvs, 1M limit exceeded \(flux job attach shows all of it\)/);
  assert.match(text, /data stream="stdout" rank="0" eof=true/);
});

test('a line longer than the shell holds back, and multibyte characters, arrive intact', () => {
  const gen = `head -c 3000000 /dev/zero | tr '\\0' x; echo; yes 'é€𝄞' | head -c 700000; echo`;
  const r = sh(`(${gen}) > long.expect; flux run sh -c "${gen.replace(/"/g, '\\"')}" > long.out`);
  assert.is(r.code, 0, r.stderr);
  assert.is(sha(file('long.out')), sha(file('long.expect')));
});

test('30 MB of stdin reaches the task byte for byte (a chunk at a time)', () => {
  const r = sh(`seq 1 4000000 > stdin.expect; flux run cat < stdin.expect > stdin.out`);
  assert.is(r.code, 0, r.stderr);
  assert.is(sha(file('stdin.out')), sha(file('stdin.expect')));
});

test('purge removes the output log; attach then says No such job', async () => {
  // a small job's log is its kvs copy (no file): the purge removes it with the job's kvs directory
  const small = inst!.flux(['submit', 'echo', 'hi']).stdout.trim();
  inst!.flux(['job', 'wait-event', small, 'clean']);
  assert.is(inst!.flux(['job', 'attach', small]).stdout, 'hi\n');
  assert.is(inst!.flux(['job', 'purge', '--force', small]).code, 0);
  const gone = inst!.flux(['job', 'attach', small]);
  assert.is(gone.code, 1);
  assert.match(gone.stderr, /No such job/);
  // past the hold (16 KiB), the log has a file
  const id = inst!.flux(['submit', 'seq', '1', '5000']).stdout.trim();
  inst!.flux(['job', 'wait-event', id, 'clean']);
  const dec = inst!.flux(['job', 'id', '--to=dec', id]).stdout.trim();
  // the output logs live in the statedir (a temporary one here), issue 16
  const log = path.join(inst!.flux(['getattr', 'statedir']).stdout.trim(), 'job-output', `${dec}.eventlog`);
  assert.ok(fs.existsSync(log), log);
  assert.is(inst!.flux(['job', 'purge', '--force', id]).code, 0);
  const end = Date.now() + 10_000;
  while (fs.existsSync(log) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  assert.not.ok(fs.existsSync(log), 'output log still there');
  const a = inst!.flux(['job', 'attach', id]);
  assert.is(a.code, 1);
  assert.match(a.stderr, /No such job/);
});

test('output from two ranks (flow control across brokers) arrives whole', async () => {
  const two = await startInstance(['--test-size=2']);
  try {
    const r = sh(`flux run -N2 -n2 sh -c 'seq $FLUX_TASK_RANK 2 1999999' > two.out && sort -n two.out > two.sorted && seq 0 1999999 > two.expect`, two);
    assert.is(r.code, 0, r.stderr);
    assert.is(sha(file('two.sorted')), sha(file('two.expect')));
  } finally {
    await two.stop().catch(() => two.kill());
  }
});

test('the output logs go with the instance (its temporary statedir)', async () => {
  const other = await startInstance();
  const statedir = other.flux(['getattr', 'statedir']).stdout.trim();
  other.flux(['run', 'echo', 'x']);
  assert.ok(fs.existsSync(path.join(statedir, 'job-output')));
  await other.stop();
  assert.not.ok(fs.existsSync(path.join(statedir, 'job-output')));
});

test.run();
