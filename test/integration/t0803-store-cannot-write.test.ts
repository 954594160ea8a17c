/**
 * A store that cannot write is never silent (issue 16). On a small tmpfs
 * filled up: new submissions fail with one line naming the store and the
 * error, a running job goes on, the broker stays up, nothing committed is
 * lost, and once there is room again submissions work. A statedir on a
 * read-only filesystem, and a damaged store file, stop `flux start` with one
 * clear line (no stack trace).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { testWhen } from '../helpers/skip';
import { until } from '../helpers/wait';

const isRoot = process.getuid?.() === 0;
const canMount = isRoot && run('sh', ['-c', 'command -v mount']).code === 0;
const noMount = canMount ? undefined : 'needs root and mount(8) for a small tmpfs';

const d = tmpdir('flux-t0803-');
const mnt = path.join(d.dir, 'mnt');
const started: Instance[] = [];
let mounted = false;

function mountTmpfs(opts: string): void {
  // an earlier test that failed before its umount left its tmpfs: not stacked under this one (never unmounted then)
  umount();
  fs.mkdirSync(mnt, { recursive: true });
  const r = run('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', mnt]);
  assert.is(r.code, 0, r.stderr);
  mounted = true;
}

function umount(): void {
  if (mounted) {
    const r = run('umount', ['-l', mnt]);
    if (r.code !== 0) console.error(`umount ${mnt}: ${r.stderr}`);
  }
  mounted = false;
}

test.after(() => {
  for (const i of started) i.kill();
  umount();
  try {
    d.cleanup();
  } catch (e) {
    console.error(`cleanup: ${(e as Error).message}`);
  }
});

/** fill the filesystem up (dd ends with ENOSPC) */
function fill(file: string): void {
  run('dd', ['if=/dev/zero', `of=${file}`, 'bs=64k']);
}

testWhen(test, 'a full filesystem: submissions fail with one line, running jobs go on, nothing committed is lost', noMount, async () => {
  mountTmpfs('size=8m');
  const statedir = path.join(mnt, 'state');
  const inst = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
  started.push(inst);
  const before = inst.flux(['submit', '--cc=1-3', '--wait', 'true']).stdout.split('\n').filter(Boolean);
  assert.is(before.length, 3);
  const running = inst.flux(['submit', 'sleep', '300']).stdout.trim();
  assert.is(inst.flux(['job', 'wait-event', '-t', '30', running, 'start']).code, 0);
  const filler = path.join(mnt, 'filler');
  fill(filler);

  // LMDB reuses the free pages its file already has: submit until the store must grow
  const acked: string[] = [];
  let failures: string[] = [];
  for (let i = 0; i < 100 && failures.length === 0; i++) {
    const r = inst.flux(['submit', '--cc=1-10', '--quiet', '--urgency=hold', 'true']);
    const ids = inst.flux(['jobs', '-n', '-o', '{id.f58}', '--filter=pending']).stdout;
    acked.splice(0, acked.length, ...ids.split('\n').filter(Boolean));
    failures = r.stderr.split('\n').filter(Boolean);
    if (failures.length > 0) assert.is(r.code, 1, r.stderr);
    else assert.is(r.code, 0, r.stderr);
  }
  assert.ok(failures.length > 0, 'a submission failed once the filesystem was full');
  // ENOSPC, or EIO when LMDB fails to extend its file
  const file = path.join(statedir, 'content.lmdb').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = new RegExp(`^(cc=\\d+: )?\\[Errno (28|5)\\] store ${file}: (No space left on device|Input/output error)$`);
  for (const f of failures) assert.ok(line.test(f), `unexpected: ${f}`);
  // the broker is up and the running job still runs
  assert.match(inst.flux(['jobs', '-n', '-o', '{id.f58} {status_abbrev}', running]).stdout, / R\n$/);
  // room again: submissions work
  fs.rmSync(filler);
  assert.is(inst.flux(['submit', '--wait', 'true']).code, 0);
  assert.is(inst.flux(['cancel', running]).code, 0);
  assert.is(await inst.stop(), 0);

  const again = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
  started.push(again);
  const listed = again.flux(['jobs', '-a', '-n', '-o', '{id.f58}']).stdout;
  for (const id of [...before, running, ...acked]) assert.ok(listed.includes(id + '\n'), `${id} kept`);
  assert.is(await again.stop(), 0);
  umount();
});

testWhen(test, 'the filesystem fills while submissions stream in: the broker stays up, one line per failure, nothing acked is lost', noMount, async () => {
  mountTmpfs('size=16m');
  const statedir = path.join(mnt, 'state');
  const inst = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
  started.push(inst);
  // a job writing output into the statedir's output logs as it fills
  const chatty = inst.flux(['submit', 'sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done; sleep 300']).stdout.trim();
  assert.is(inst.flux(['job', 'wait-event', '-t', '30', chatty, 'start']).code, 0);
  // all of its output in its file first: a write to that file failing once the filesystem is full
  // would be the job's exception (and CI once filled it first: the job ended, not R)
  const log = path.join(statedir, 'job-output', `${inst.flux(['job', 'id', '--to=dec', chatty]).stdout.trim()}.eventlog`);
  await until(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('line 2999\\n'), `${log} holds all the output`);
  const streams = [1, 2, 3, 4].map(() => inst.fluxAsync(['submit', '--cc=1-400', '--urgency=hold', 'true'], { timeoutMs: 120_000 }));
  fill(path.join(mnt, 'filler'));
  const results = await Promise.all(streams);
  const file = path.join(statedir, 'content.lmdb').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = new RegExp(`^(cc=\\d+: )?\\[Errno (28|5)\\] store ${file}: (No space left on device|Input/output error)$`);
  const acked: string[] = [];
  let failed = 0;
  for (const r of results) {
    acked.push(...r.stdout.split('\n').filter(Boolean));
    for (const f of r.stderr.split('\n').filter(Boolean)) {
      failed++;
      assert.ok(line.test(f), `unexpected: ${f}`);
    }
  }
  assert.ok(failed > 0, 'some submissions failed once the filesystem was full');
  // the broker is up (no "lost connection"), the job goes on, no stack trace on its stderr
  assert.is(inst.flux(['uptime']).code, 0);
  const status = inst.flux(['jobs', '-n', '-o', '{status_abbrev} {exception.note}', chatty]).stdout;
  assert.match(status, /^R\s*\n$/, `the running job: ${status}`);
  // nor LMDB's own report of a failed write: the room reserved ahead (modules/kvs/reserve.ts) kept it from one
  const bad = inst.stderr().split('\n').findIndex((l) => /^\s+at |Unhandled|lost connection|Write error/.test(l));
  assert.is(bad, -1, `the broker's stderr: ${inst.stderr().split('\n').slice(Math.max(0, bad - 5), bad + 10).join('\n')}`);
  const dmesg = inst.flux(['dmesg']).stdout;
  assert.ok(/kvs\.err\[0\]: store .*: No space left on device: changes are refused until it can write again/.test(dmesg), `the refusal is logged once; dmesg:\n${dmesg.split('\n').slice(-30).join('\n')}`);
  fs.rmSync(path.join(mnt, 'filler'));
  const after = inst.flux(['submit', '--wait', 'true']);
  assert.is(after.code, 0, after.stderr);
  assert.match(inst.flux(['dmesg']).stdout, /store .*: writing again/);
  assert.is(inst.flux(['cancel', chatty]).code, 0);
  assert.is(inst.flux(['job', 'wait-event', '-t', '30', chatty, 'clean']).code, 0);
  // each job's state and event count as the instance had them: an event the store failed to take
  // while full (one answered before its write failed) is written again once it can write (repair.ts)
  // each job's state, and the events of a sample of the acked ones, as the instance had them: an
  // event the store failed to take while full (answered before its write failed) is written again
  // once the store can write (modules/kvs/repair.ts); a restart only appends (flux-restart)
  const sample = acked.filter((_id, i) => i % 40 === 0);
  const states = (i: Instance) => i.flux(['jobs', '-a', '-n', '-o', '{id.f58} {state}']).stdout.split('\n').filter(Boolean).sort();
  const events = (i: Instance) => sample.map((id) => i.flux(['job', 'eventlog', '-f', 'text', id]).stdout.split('\n').map((l) => l.replace(/^\S+ /, '')).join(' / '));
  const keptStates = states(inst);
  const keptEvents = events(inst);
  assert.is(await inst.stop(), 0);

  const again = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
  started.push(again);
  const nowStates = states(again);
  const changed = keptStates.filter((l) => !nowStates.includes(l));
  assert.equal(changed, [], `jobs whose state changed across the restart: now ${nowStates.filter((l) => !keptStates.includes(l)).slice(0, 5).join(', ')}`);
  const nowEvents = events(again);
  sample.forEach((id, i) => assert.ok(nowEvents[i]!.startsWith(keptEvents[i]!), `${id}: events before the restart: ${keptEvents[i]}; after: ${nowEvents[i]}`));
  const listed = new Set(again.flux(['jobs', '-a', '-n', '-o', '{id.f58}']).stdout.split('\n'));
  for (const id of [chatty, ...acked]) {
    if (listed.has(id)) continue;
    // what the store kept of it, for the failure message
    const dir = again.flux(['job', 'id', '--to=kvs', id]).stdout.trim();
    const kept = again.flux(['kvs', 'ls', '-R', dir]);
    assert.ok(false, `${id}${id === chatty ? ' (the running job)' : ''} kept; the store has of ${dir}: ${kept.stdout}${kept.stderr}; dmesg: ${again.flux(['dmesg']).stdout.split('\n').filter((l) => /job-manager|kvs/.test(l)).join(' | ')}`);
  }
  assert.is(await again.stop(), 0);
  umount();
});

testWhen(test, 'a statedir on a read-only filesystem: flux start stops with one line', noMount, () => {
  mountTmpfs('size=1m');
  fs.mkdirSync(path.join(mnt, 'state'));
  assert.is(run('mount', ['-o', 'remount,ro', mnt]).code, 0);
  const r = flux(['start', '--test-size=1', `-Sstatedir=${path.join(mnt, 'state')}`, 'true']);
  assert.is(r.code, 1);
  // the broker's statedir check (kernel/state/statedir.ts) refuses it before the kvs opens its store
  assert.match(r.stderr, new RegExp(`statedir ${path.join(mnt, 'state')} is not writable\n`));
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  umount();
});

test('a damaged store file: flux start stops with one clear line', () => {
  const statedir = path.join(d.dir, 'damaged');
  fs.mkdirSync(statedir);
  for (const junk of [Buffer.from('garbage\n'), Buffer.alloc(20000, 0x5a)]) {
    fs.writeFileSync(path.join(statedir, 'content.lmdb'), junk);
    const r = flux(['start', '--test-size=1', `-Sstatedir=${statedir}`, 'true']);
    assert.is(r.code, 1);
    assert.match(r.stderr, /rc1.0: load kvs: store .*content\.lmdb: not a valid store \(damaged or not an LMDB file\)/);
    assert.not.match(r.stderr, /\n\s+at |Segmentation/, 'no stack trace, no crash');
  }
});

test('a truncated or garbled store: one line naming it, never a crash of the broker', async () => {
  // a real store with jobs and keys in it
  const good = path.join(d.dir, 'good');
  const inst = await startInstance(['--test-size=1', `-Sstatedir=${good}`]);
  started.push(inst);
  assert.is(inst.flux(['submit', '--cc=1-5', '--wait', 'true']).code, 0);
  assert.is(await inst.stop(), 0);
  const size = fs.statSync(path.join(good, 'content.lmdb')).size;
  const damage: Record<string, (fd: number) => void> = {
    // half of it gone (a copy cut short): LMDB maps pages past the end of the file (SIGBUS)
    truncated: (fd) => fs.ftruncateSync(fd, Math.floor(size / 2)),
    // meta pages intact, every tree page overwritten
    garbled: (fd) => fs.writeSync(fd, Buffer.alloc(size - 8192, 0x5a), 0, size - 8192, 8192),
  };
  for (const [how, spoil] of Object.entries(damage)) {
    const dir = path.join(d.dir, how);
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(good, 'content.lmdb'), path.join(dir, 'content.lmdb'));
    const fd = fs.openSync(path.join(dir, 'content.lmdb'), 'r+');
    spoil(fd);
    fs.closeSync(fd);
    const r = flux(['start', '--test-size=1', `-Sstatedir=${dir}`, 'true']);
    assert.is(r.code, 1, `${how}: ${r.stderr}`);
    const file = path.join(dir, 'content.lmdb').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(r.stderr, new RegExp(`rc1.0: load kvs: store ${file}: damaged \\(.+\\); move it away or restore it from a dump \\(flux restore\\)\n`), how);
    assert.not.match(r.stderr, /\n\s+at |Bus error|Segmentation|Killed/, `${how}: no stack trace, no crash`);
  }
  // the good one still starts, with its jobs
  const again = await startInstance(['--test-size=1', `-Sstatedir=${good}`]);
  started.push(again);
  assert.is(again.flux(['jobs', '-a', '-n', '-o', '{id}']).stdout.split('\n').filter(Boolean).length, 5);
  assert.is(await again.stop(), 0);
});

test.run();
