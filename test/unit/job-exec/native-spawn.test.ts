/**
 * The addon's spawnTask (native/task-spawn.h through native-spawn.ts): flux-task
 * is posix_spawned on a thread of Node's pool, never on the loop; its
 * failures come as events; tasks spawned at the same time each get their own
 * descriptors and none of another's.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnTask, type NativeTask } from '../../../modules/job-exec/native-spawn';
import { jobDirs, removeDir, writeWhole } from '../../../modules/job-exec/file-ops';

const t = spawnTask.available() ? test : test.skip;

interface Ended {
  out: string;
  code: number | null;
  error?: NodeJS.ErrnoException;
}

/** what the task wrote on stdout and how it ended ('close'), or its start's 'error' */
function ended(k: NativeTask): Promise<Ended> {
  return new Promise((resolve) => {
    let out = '';
    k.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    k.once('error', (error: NodeJS.ErrnoException) => resolve({ out, code: null, error }));
    k.once('close', (code: number | null) => resolve({ out, code }));
  });
}

t('the spawn is not on the loop: pipes at once, flux-task`s pid once it runs', async () => {
  const k = spawnTask(['echo', 'hello'], { PATH: process.env['PATH'] }, os.tmpdir(), { pmi: false })!;
  // the pipes are the caller's before the spawn is over
  assert.ok(k.stdout !== null && k.stdin !== null);
  // the spawn completes on the loop, after this turn: nothing is known yet
  assert.is(k.parentPid, undefined);
  assert.is(k.pid, undefined);
  let parentAtSpawn: number | undefined;
  k.once('spawn', () => (parentAtSpawn = k.parentPid));
  const r = await ended(k);
  assert.is(r.out, 'hello\n');
  assert.is(r.code, 0);
  assert.type(parentAtSpawn, 'number');
  assert.type(k.pid, 'number');
  assert.is.not(k.pid, k.parentPid);
});

t('the task`s environment is the one given, whole', async () => {
  const env = { PATH: process.env['PATH'], A: '1', EMPTY: '', EQ: 'x=y=z', UTF: 'é€𝄞', CUT: 'before\0after' };
  const k = spawnTask(['/usr/bin/env'], env, '/', { pmi: false })!;
  const r = await ended(k);
  assert.is(r.code, 0);
  const got = r.out.trim().split('\n').sort();
  assert.equal(got, [`A=1`, `CUT=before`, `EMPTY=`, `EQ=x=y=z`, `PATH=${process.env['PATH']}`, `UTF=é€𝄞`]);
});

t('tmpdir and cwdFallback: made and checked on the spawn`s own trip, what failed told before the spawn', async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-spawn-dirs-'));
  try {
    const tmp = path.join(base, 'jobtmp');
    const show = ['sh', '-c', 'pwd; echo "tmp=${FLUX_JOB_TMPDIR-unset}"; test -d "$FLUX_JOB_TMPDIR" && echo made'];
    const env = { PATH: process.env['PATH'], FLUX_JOB_TMPDIR: tmp };
    // all is well: no prepared event, the dir is there (0700) before the task runs
    const k = spawnTask(show, env, base, { pmi: false, tmpdir: tmp, cwdFallback: '/tmp' })!;
    let told = false;
    k.once('prepared', () => (told = true));
    const r = await ended(k);
    assert.is(r.out, `${fs.realpathSync(base)}\ntmp=${tmp}\nmade\n`);
    assert.not.ok(told);
    assert.is(fs.statSync(tmp).mode & 0o777, 0o700);
    // made already (a second task of the shell): still fine
    assert.is((await ended(spawnTask(show, env, base, { pmi: false, tmpdir: tmp })!)).out.endsWith('made\n'), true);
    // a tmpdir that cannot be made and a cwd that is not there: the task runs in the fallback, without FLUX_JOB_TMPDIR
    const bad = path.join(base, 'gone', 'jobtmp');
    const k2 = spawnTask(show, { ...env, FLUX_JOB_TMPDIR: bad }, path.join(base, 'nodir'), { pmi: false, tmpdir: bad, cwdFallback: '/tmp' })!;
    const prepared = new Promise<Array<NodeJS.ErrnoException | undefined>>((res) => k2.once('prepared', (a?: NodeJS.ErrnoException, b?: NodeJS.ErrnoException) => res([a, b])));
    const r2 = await ended(k2);
    assert.is(r2.out, '/tmp\ntmp=unset\n');
    const [tmpError, cwdError] = await prepared;
    assert.is(tmpError?.code, 'ENOENT');
    assert.is(cwdError?.code, 'ENOENT');
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

t('removeTmpdir: flux-task removes the tmpdir once its task ended, and says how it went', async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-spawn-rm-'));
  try {
    const run = async (script: string) => {
      const tmp = path.join(base, `jobtmp-${Math.random().toString(36).slice(2)}`);
      const k = spawnTask(['sh', '-c', script], { PATH: process.env['PATH'], FLUX_JOB_TMPDIR: tmp }, base, { pmi: false, tmpdir: tmp, removeTmpdir: true })!;
      const removed = new Promise<number>((res) => k.once('tmpdir-removed', res));
      const r = await ended(k);
      return { r, tmp, errno: await removed };
    };
    // the task used it and left it empty: gone before the status came
    const a = await run('test -d "$FLUX_JOB_TMPDIR" && echo there');
    assert.is(a.r.out, 'there\n');
    assert.is(a.errno, 0);
    assert.not.ok(fs.existsSync(a.tmp));
    // a file left in it: kept, ENOTEMPTY told (the broker removes what is in it)
    const b = await run('touch "$FLUX_JOB_TMPDIR/left"');
    assert.is(b.errno, os.constants.errno.ENOTEMPTY);
    assert.ok(fs.existsSync(path.join(b.tmp, 'left')));
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

t('flux-task cannot start (its cwd is gone): an error event with the errno, no close', async () => {
  const k = spawnTask(['true'], { PATH: process.env['PATH'] }, path.join(os.tmpdir(), `no-such-dir-${process.pid}`), { pmi: false })!;
  let closed = false;
  k.once('close', () => (closed = true));
  const r = await ended(k);
  assert.is(r.error?.code, 'ENOENT');
  assert.match(r.error?.message ?? '', /^spawn true ENOENT$/);
  // its streams are closed: nothing will come
  await new Promise((res) => setImmediate(res));
  assert.ok(k.stdout?.destroyed && k.stderr?.destroyed && k.stdin?.destroyed);
  assert.is(k.parentPid, undefined);
  assert.not.ok(closed);
});

/** descriptors above 2 this process has without close-on-exec (what it inherited that way): every child gets them */
function inheritable(): number[] {
  const out: number[] = [];
  for (const f of fs.readdirSync('/proc/self/fd')) {
    const n = Number(f);
    try {
      const flags = /flags:\s+([0-7]+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${f}`, 'utf8'))?.[1];
      if (n > 2 && flags !== undefined && (parseInt(flags, 8) & 0o2000000) === 0) out.push(n);
    } catch {
      /* the directory's own */
    }
  }
  return out;
}

t('tasks spawned at once inherit no descriptor of another (every one made close-on-exec)', async () => {
  const passed = inheritable();
  // the task's own (0-2, 3 with PMI), what this process passes to every child, and ls's /proc/self/fd (the lowest free)
  const want = (pmi: boolean): number[] => {
    const s = new Set([0, 1, 2, ...(pmi ? [3] : []), ...passed]);
    let free = 0;
    while (s.has(free)) free++;
    return [...s, free].sort((x, y) => x - y);
  };
  const ks = Array.from({ length: 24 }, (_, i) => {
    const pmi = i % 2 === 1;
    return { pmi, k: spawnTask(['ls', '/proc/self/fd'], { PATH: process.env['PATH'] }, '/', { pmi })! };
  });
  const rs = await Promise.all(ks.map(({ k }) => ended(k)));
  rs.forEach((r, i) => {
    assert.is(r.code, 0);
    const fds = r.out.trim().split('\n').map(Number).sort((x, y) => x - y);
    assert.equal(fds, want(ks[i]!.pmi), `task ${i}: ${r.out}`);
  });
});

t('jobDirs: the tmpdir made (0700) and the cwd checked in one trip', async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-job-dirs-'));
  try {
    const dir = path.join(base, 'jobtmp');
    const file = path.join(base, 'file');
    fs.writeFileSync(file, '');
    const made = await jobDirs(dir, base)!;
    assert.equal(made, { made: true, cwdError: undefined });
    assert.is(fs.statSync(dir).mode & 0o777, 0o700);
    // made already, and a cwd that is a file
    const again = await jobDirs(dir, file)!;
    assert.is(again.made, false);
    assert.is(again.cwdError?.code, 'ENOTDIR');
    const gone = await jobDirs(undefined, path.join(base, 'gone'))!;
    assert.is(gone.made, false);
    assert.is(gone.cwdError?.code, 'ENOENT');
    assert.equal(await jobDirs(undefined, undefined)!, { made: false, cwdError: undefined });
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

t('writeWhole: a file written whole (0600, replaced), or the step that failed', async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-write-whole-'));
  try {
    const file = path.join(base, 'log');
    fs.writeFileSync(file, 'old and longer than the new text\n');
    const text = '{"name":"header"}\né€𝄞\n';
    assert.is(await writeWhole(file, text, 0o600)!, undefined);
    assert.is(fs.readFileSync(file, 'utf8'), text);
    const fresh = path.join(base, 'fresh');
    assert.is(await writeWhole(fresh, '', 0o600)!, undefined);
    assert.is(fs.statSync(fresh).mode & 0o777, 0o600);
    const failed = await writeWhole(path.join(base, 'gone', 'log'), text, 0o600)!;
    assert.is(failed?.op, 'opening');
    assert.is(failed?.error.code, 'ENOENT');
    const full = await writeWhole('/dev/full', text, 0o600)!;
    assert.is(full?.op, 'writing');
    assert.is(full?.error.code, 'ENOSPC');
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

t('fileOps: the operations of a turn go together and run in the order they were asked for', async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-file-ops-'));
  try {
    const dir = path.join(base, 'jobtmp');
    // one turn: the file can be written only if the mkdir ran before it, and the rmdir after both
    const made = jobDirs(dir, base)!;
    const wrote = writeWhole(path.join(dir, 'f'), 'x', 0o600)!;
    const removed = removeDir(dir)!;
    assert.equal(await made, { made: true, cwdError: undefined });
    assert.is(await wrote, undefined);
    assert.is(await removed, os.constants.errno.ENOTEMPTY);
    assert.is(fs.readFileSync(path.join(dir, 'f'), 'utf8'), 'x');
    fs.rmSync(path.join(dir, 'f'));
    assert.is(await removeDir(dir)!, 0);
    assert.not.ok(fs.existsSync(dir));
    assert.is(await removeDir(dir)!, os.constants.errno.ENOENT);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test.run();
