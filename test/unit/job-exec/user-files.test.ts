/**
 * What the shell writes for a guest (user-proc.ts, user-files.ts,
 * user-sink.ts), through a stand-in IMP: a script that does what `flux-imp
 * exec USERID J CWD ...` does after its checks (enter CWD, exec flux-task),
 * as the same user. t1201 runs the real one as root.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { spawnTask } from '../../../modules/job-exec/native-spawn';
import { UserFileSink } from '../../../modules/job-exec/user-sink';
import { removeAsUser, stageAsUser } from '../../../modules/job-exec/user-files';
import { reasonOf } from '../../../modules/job-exec/user-proc';
import { waitUntil } from '../../helpers/wait';

/**
 * Is a process naming `file` asleep in open(2) of a FIFO? Its wchan says
 * wait_for_partner; a kernel that hides wchan ("0") shows it sleeping.
 */
function blockedOpening(file: string): boolean {
  return fs.readdirSync('/proc').some((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(file)) return false;
      const wchan = fs.readFileSync(`/proc/${pid}/wchan`, 'utf8');
      if (wchan === 'wait_for_partner') return true;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return wchan === '0' && stat.slice(stat.lastIndexOf(')') + 2).startsWith('S');
    } catch {
      return false;
    }
  });
}
import { UserFileInput } from '../../../modules/job-exec/user-input';
import type { StdinTarget } from '../../../modules/job-exec/input-source';
import { until } from '../../helpers/wait';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-user-files-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
const fluxTask = path.join(__dirname, '..', '..', '..', 'native', 'flux-task');
const imp = path.join(dir, 'fake-imp');
fs.writeFileSync(imp, `#!/bin/sh\n# exec USERID J CWD FLUX-TASK-ARGS...\ncd "$4" || exit 1\nshift 4\nexec ${JSON.stringify(fluxTask)} "$@"\n`, { mode: 0o755 });
const as = { imp, userid: process.getuid?.() ?? 0, J: '-' };
const t = spawnTask.available() ? test : test.skip;

test('reasonOf: the strerror text at the end of a utility`s line, the IMP`s line whole', () => {
  assert.is(reasonOf('cat: write error: No space left on device\n', 'x'), 'No space left on device');
  assert.is(reasonOf("tee: /a/b: No such file or directory\n", 'x'), 'No such file or directory');
  assert.is(reasonOf('flux-imp: the job is not signed (allow-unsigned is false)\n', 'x'), 'flux-imp: the job is not signed (allow-unsigned is false)');
  assert.is(reasonOf('', 'exited with status 1'), 'exited with status 1');
});

t('a sink writes in order; close() waits for the writer to finish; append appends', async () => {
  const file = path.join(dir, 'out');
  const k = new UserFileSink(file, as, { what: 'output file' });
  assert.ok(await k.open());
  for (let i = 0; i < 1000; i++) k.write(`line ${i} é\n`);
  await k.flushed();
  await k.close();
  const want = Array.from({ length: 1000 }, (_, i) => `line ${i} é\n`).join('');
  assert.is(fs.readFileSync(file, 'utf8'), want);
  assert.is((fs.statSync(file).mode & 0o777).toString(8), '644');
  const a = new UserFileSink(file, as, { what: 'output file', append: true });
  assert.ok(await a.open());
  a.write('more\n');
  await a.close();
  assert.is(fs.readFileSync(file, 'utf8'), `${want}more\n`);
  const tr = new UserFileSink(file, as, { what: 'output file' });
  assert.ok(await tr.open());
  await tr.close();
  assert.is(fs.readFileSync(file, 'utf8'), '');
});

t('errors: one line each, as FileSink says them', async () => {
  const full = new UserFileSink('/dev/full', as, { what: 'output file' });
  const notes: string[] = [];
  full.onError((n) => notes.push(n));
  assert.ok(await full.open());
  full.write('hi\n');
  await full.close();
  assert.equal(notes, ["error writing output file '/dev/full': No space left on device"]);
  const missing = new UserFileSink(path.join(dir, 'no', 'x'), as, { what: 'output file', display: 'no/x' });
  assert.not.ok(await missing.open());
  assert.is(missing.error, "error opening output file 'no/x': No such file or directory");
});

t('a FIFO without a reader: open() waits; abort() ends the writer', async () => {
  const fifo = path.join(dir, 'fifo');
  assert.is(spawnSync('mkfifo', [fifo]).status, 0);
  const k = new UserFileSink(fifo, as, { what: 'output file' });
  let settled: boolean | undefined;
  const opening = k.open().then((ok) => (settled = ok));
  // the writer is in open(2) of the FIFO, waiting for a reader
  await waitUntil(() => blockedOpening(fifo), { what: `a writer blocked opening ${fifo}` });
  assert.is(settled, undefined);
  k.abort();
  assert.is(await opening, false);
  assert.is(k.error, undefined);
});

t('staging: a 0700 tmpdir under TMPDIR (else /tmp), the archive in it with its modes; removed after', async () => {
  const files = { script: { data: '#!/bin/sh\necho hi\n', mode: 0o755 }, 'data.bin': { data: Buffer.from([0, 1, 2]).toString('base64'), encoding: 'base64' } };
  const r = await stageAsUser(as, '0-fTest', dir, files);
  assert.ok('dir' in r, JSON.stringify(r));
  const d = (r as { dir: string }).dir;
  assert.match(d, new RegExp(`^${dir}/jobtmp-0-fTest-`));
  assert.is((fs.statSync(d).mode & 0o777).toString(8), '700');
  assert.is(fs.readFileSync(path.join(d, 'script'), 'utf8'), '#!/bin/sh\necho hi\n');
  assert.is((fs.statSync(path.join(d, 'script')).mode & 0o777).toString(8), '755');
  assert.equal([...fs.readFileSync(path.join(d, 'data.bin'))], [0, 1, 2]);
  assert.is((fs.statSync(path.join(d, 'data.bin')).mode & 0o777).toString(8), '600');
  removeAsUser(as, d);
  await until(() => !fs.existsSync(d), 'the tmpdir is removed');
  // a TMPDIR that is not there: /tmp
  const t2 = await stageAsUser(as, '0-fTest', path.join(dir, 'gone'), undefined);
  assert.ok('dir' in t2 && t2.dir.startsWith('/tmp/jobtmp-0-fTest-'), JSON.stringify(t2));
  removeAsUser(as, (t2 as { dir: string }).dir);
  const bad = await stageAsUser(as, '0-fTest', dir, { '../x': { data: 'x' } });
  assert.equal(bad, { error: 'file archive: bad entry "../x"' });
});

/** a task's stdin that keeps what it gets */
function collector(): StdinTarget & { got: Buffer[]; ended: Promise<void> } {
  let end!: () => void;
  const ended = new Promise<void>((r) => (end = r));
  const got: Buffer[] = [];
  let done = false;
  return {
    got,
    ended,
    write: (c) => (got.push(c), true),
    end: () => ((done = true), end()),
    whenReady: (cb) => cb(),
    get done() {
      return done;
    },
  };
}

t('an input file read as the user: its data to every task, then end of file; a missing one in one line', async () => {
  const file = path.join(dir, 'in');
  const data = Buffer.alloc(300 * 1024, 'x');
  fs.writeFileSync(file, data);
  const i = new UserFileInput(file, 'in', as);
  await i.open();
  const a = collector();
  const b = collector();
  const notes: string[] = [];
  i.pipeTo([a, b], (n) => notes.push(n));
  await Promise.all([a.ended, b.ended]);
  assert.ok(Buffer.concat(a.got).equals(data));
  assert.ok(Buffer.concat(b.got).equals(data));
  i.close();
  assert.equal(notes, []);
  const missing = new UserFileInput(path.join(dir, 'nope'), 'nope', as);
  try {
    await missing.open();
    assert.unreachable('opened');
  } catch (e) {
    assert.is((e as Error).message, "error opening input file 'nope': No such file or directory");
  }
});

test.run();
