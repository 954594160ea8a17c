/**
 * The broker's log ring is bounded by bytes (log-ring-bytes, and at most half of
 * connector.client-outbuf) as well as by entries (log-ring-size): many huge log
 * lines push out the oldest, the broker does not grow, and `flux dmesg` can
 * always read the whole ring. A line longer than the ring is kept cut, marked `+`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance | undefined;

const tmp = tmpdir();

test.after.each(async () => {
  await inst?.stop();
  inst = undefined;
});
test.after(() => tmp.cleanup());

/** `flux dmesg` into a file (its output is megabytes): exit code, stderr, output */
const dmesg = (i: Instance) => {
  const out = path.join(tmp.dir, 'dmesg.out');
  const r = run('sh', ['-c', 'flux dmesg >"$0"', out], { env: i.env });
  return { ...r, stdout: fs.readFileSync(out, 'utf8') };
};

const stats = (i: Instance) => {
  const r = i.flux(['module', 'stats', 'log']);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { entries: number; bytes: number; max_bytes: number };
};

test('many 120 KB lines: the ring keeps the newest within its bytes; flux dmesg reads it all', async () => {
  // a small client buffer: the whole backlog (12 MB) sent at once would overflow it
  inst = await startInstance(['-Sconnector.client-outbuf=4M']);
  const i = inst;
  const r = run('sh', ['-c', 'M=$(head -c 120000 /dev/zero | tr "\\0" L); for n in $(seq 100); do flux logger "msg-$n $M" || exit 1; done'], { env: i.env, timeoutMs: 240_000 });
  assert.is(r.code, 0, r.stderr);
  const d = dmesg(i);
  assert.is(d.code, 0, d.stderr);
  const s = stats(i);
  assert.is(s.max_bytes, 2 << 20, 'half of connector.client-outbuf');
  assert.ok(s.bytes <= s.max_bytes, `${s.bytes} bytes held`);
  assert.ok(s.entries > 5 && s.entries < 100, `${s.entries} entries`);
  const lines = d.stdout.trimEnd().split('\n').filter((l) => l.includes('logger.notice'));
  assert.is(lines.length, s.entries);
  // the oldest went first: the newest is last, whole
  assert.match(lines[lines.length - 1]!, / msg-100 L{120000}$/);
  assert.not.match(d.stdout, / msg-1 /);
});

test('a line longer than log-ring-bytes (Flux 0.88 keeps long lines whole) is kept cut, marked +; the bound is an attribute', async () => {
  inst = await startInstance(['-Slog-ring-bytes=64K']);
  const i = inst;
  assert.equal(i.flux(['getattr', 'log-ring-bytes']).stdout, '64K\n');
  // one argument can be at most 128 KiB (MAX_ARG_STRLEN)
  let r = i.flux(['logger', 'y'.repeat(130000)]);
  assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
  let d = dmesg(i);
  assert.is(d.code, 0, d.stderr);
  const y = d.stdout.trimEnd().split('\n').pop()!;
  assert.match(y, /logger\.notice\[0\]: y+\+$/);
  assert.ok(y.length < 64 * 1024, `${y.length} bytes`);
  assert.ok(stats(i).bytes <= 64 * 1024);
  // the next line pushes the cut one out
  r = i.flux(['logger', 'x'.repeat(30000)]);
  assert.is(r.code, 0, r.stderr);
  d = dmesg(i);
  assert.match(d.stdout, / x{30000}\n$/);
  assert.not.match(d.stdout, /yyy/);
  r = i.flux(['setattr', 'log-ring-bytes', '1K']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /log-ring-bytes/);
});

test.run();
