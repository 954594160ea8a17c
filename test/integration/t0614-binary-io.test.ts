/**
 * Binary (not UTF-8) job I/O passes byte for byte (RFC 24's base64
 * encoding): a task's stdout and stderr through `flux run`, `flux job
 * attach` of a finished job (its log in a file, or only in the kvs),
 * `flux submit --watch`, `--output` files and `--label-io`; stdin from the
 * front end to the task; and UTF-8 text cut between two chunks (a line
 * longer than the shell holds back, unbuffered output) stays text, whole.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isUtf8 } from 'node:buffer';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance | undefined;
const tmp = tmpdir('flux-t0614-');
const file = (name: string) => path.join(tmp.dir, name);
/** a shell pipeline against the instance, its output to files (bytes, not through the test's pipes) */
const sh = (script: string) => run('sh', ['-c', script], { env: inst!.env, cwd: tmp.dir, timeoutMs: 120_000 });
const read = (name: string) => fs.readFileSync(file(name));

/** bytes from a fixed seed (the same every run): 200 kB with every byte value, invalid UTF-8 included */
function seeded(n: number): Buffer {
  const out: Buffer[] = [];
  let have = 0;
  for (let i = 0; have < n; i++) {
    const b = crypto.createHash('sha256').update(`t0614-${i}`).digest();
    out.push(b);
    have += b.length;
  }
  return Buffer.concat(out).subarray(0, n);
}

const RND = seeded(200_000);
const SMALL = seeded(1000);
/** 300000 'é' (two bytes each) without a newline: the shell sends it in pieces, some cut inside an 'é' */
const ACUTE = Buffer.from('é'.repeat(300_000), 'utf8');

/** bytes equal, else where they first differ */
function same(got: Buffer, want: Buffer, what: string): void {
  if (got.equals(want)) return;
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  assert.unreachable(`${what}: ${got.length} bytes, want ${want.length}; first difference at byte ${i}`);
}

test.before(async () => {
  fs.writeFileSync(file('rnd'), RND);
  fs.writeFileSync(file('small'), SMALL);
  fs.writeFileSync(file('acute'), ACUTE);
  assert.not.ok(isUtf8(RND), 'the random bytes must not be UTF-8');
  inst = await startInstance();
});

test.after(async () => {
  if (inst) await inst.stop();
  tmp.cleanup();
});

test('flux run: binary stdout, byte for byte', () => {
  const r = sh('flux run cat rnd > run.out');
  assert.is(r.code, 0, r.stderr);
  same(read('run.out'), RND, 'stdout');
});

test('flux run: binary stderr, byte for byte', () => {
  const r = sh("flux run sh -c 'cat rnd >&2' > err.stdout 2> err.out");
  assert.is(r.code, 0, r.stderr);
  same(read('err.out'), RND, 'stderr');
  assert.is(read('err.stdout').length, 0);
});

test('binary stdin reaches the task byte for byte', () => {
  const r = sh('flux run cat < rnd > stdin.out');
  assert.is(r.code, 0, r.stderr);
  same(read('stdin.out'), RND, 'stdin');
  const od = sh("printf '\\377\\376\\000abc\\n' | flux run od -An -c > od.out");
  assert.is(od.code, 0, od.stderr);
  assert.is(read('od.out').toString().replace(/\s+/g, ' ').trim(), '377 376 \\0 a b c \\n');
});

test('--output=FILE gets the bytes', () => {
  const r = sh('flux run --output=bin.out cat rnd');
  assert.is(r.code, 0, r.stderr);
  same(read('bin.out'), RND, '--output file');
});

test('the output log carries what is not UTF-8 as base64, text as text', () => {
  const r = sh('id=$(flux submit cat small) && flux job wait-event $id clean && flux job eventlog -p guest.output $id > small.log');
  assert.is(r.code, 0, r.stderr);
  assert.match(read('small.log').toString(), /data stream="stdout" rank="0" data="[A-Za-z0-9+/=]+" encoding="base64"/);
  const t = sh('id=$(flux submit echo hello) && flux job wait-event $id clean && flux job eventlog -p guest.output $id > text.log');
  assert.is(t.code, 0, t.stderr);
  assert.match(read('text.log').toString(), /data stream="stdout" rank="0" data="hello\\n"\n/);
});

test('flux job attach of a finished job: from its log file and from the kvs', () => {
  for (const name of ['rnd', 'small']) {
    const r = sh(`id=$(flux submit cat ${name}) && flux job wait-event $id clean && flux job attach $id > attach-${name}.out`);
    assert.is(r.code, 0, r.stderr);
    same(read(`attach-${name}.out`), name === 'rnd' ? RND : SMALL, `attach (${name})`);
  }
});

test('flux submit --watch: the bytes after the job id', () => {
  const r = sh('flux submit --watch cat rnd > watch.out');
  assert.is(r.code, 0, r.stderr);
  const out = read('watch.out');
  const nl = out.indexOf(0x0a);
  assert.match(out.subarray(0, nl).toString(), /^ƒ\S+$/);
  same(out.subarray(nl + 1), RND, 'submit --watch');
});

test('--label-io: a label on each line of the bytes, nothing else changed', () => {
  // the last line ends too: else rank 1's first label would follow rank 0's last line on the same line
  const lines = Buffer.concat([RND, Buffer.from('\n')]);
  fs.writeFileSync(file('rnd-lines'), lines);
  const r = sh('flux run -n2 --label-io cat rnd-lines > label.out');
  assert.is(r.code, 0, r.stderr);
  // each line of each rank, in order (the ranks' lines interleave)
  const byRank = new Map<string, Buffer[]>();
  const out = read('label.out');
  let start = 0;
  while (start < out.length) {
    const nl = out.indexOf(0x0a, start);
    const line = out.subarray(start, nl < 0 ? out.length : nl + 1);
    const m = /^(\d+): /.exec(line.subarray(0, 8).toString('latin1'));
    assert.ok(m, `an unlabelled line at byte ${start}`);
    const rank = m![1]!;
    byRank.set(rank, [...(byRank.get(rank) ?? []), line.subarray(m![0].length)]);
    start += line.length;
  }
  assert.equal([...byRank.keys()].sort(), ['0', '1']);
  for (const [rank, got] of byRank) same(Buffer.concat(got), lines, `rank ${rank}`);
});

test('UTF-8 cut between chunks stays whole, and stays text in the log', () => {
  for (const opt of ['', '-u']) {
    const r = sh(`flux run ${opt} cat acute > acute.out && flux job eventlog -p guest.output $(flux job last) > acute.log`);
    assert.is(r.code, 0, r.stderr);
    same(read('acute.out'), ACUTE, `'é' x 300000 ${opt}`);
    const log = read('acute.log').toString();
    assert.ok(/data stream="stdout" rank="0" data="é/.test(log), 'no text data in the log');
    assert.not.ok(log.includes('base64'), `text went as base64 ${opt}`);
  }
  const s = sh('flux run cat < acute > acute-stdin.out');
  assert.is(s.code, 0, s.stderr);
  same(read('acute-stdin.out'), ACUTE, "'é' x 300000 on stdin");
});

test.run();
