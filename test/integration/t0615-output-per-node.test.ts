/**
 * Per-node and per-task output files are the business of the node whose tasks
 * write them, as in Flux: `--output=out.{{node.id}}` on a job of two nodes
 * has node 1's file opened and written by node 1's broker (here a process of
 * its own, as a test instance's brokers are: its descriptor is in that
 * process), `--output={{tmpdir}}/out` a file in each node's own job tmpdir.
 * The errors of such a file are the job's exception as for the job's one
 * file: a missing directory (the job does not run), a full device, a FIFO
 * without a reader (the job waits; flux cancel ends it).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance | undefined;
const tmp = tmpdir('flux-t0615-');
const f = (args: readonly string[]) => inst!.flux(args, { cwd: tmp.dir });
const file = (name: string) => path.join(tmp.dir, name);
const read = (name: string) => fs.readFileSync(file(name), 'utf8');
const state = (id: string) => f(['jobs', '-n', '-o', '{state}', id]).stdout.trim();
const exceptionLine = (note: string) => new RegExp(`^\\d+\\.\\d{3}s: job\\.exception ƒ\\w+ type=exec severity=0 ${note}$`, 'm');

/** the files a process has open */
function openFiles(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  const out: string[] = [];
  for (const fd of fs.readdirSync(dir)) {
    try {
      out.push(fs.readlinkSync(path.join(dir, fd)));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** the broker does the next job */
function assertServing(): void {
  const r = f(['run', '-N2', '-n2', 'echo', 'alive']);
  assert.is(r.stdout, 'alive\nalive\n', r.stderr);
}

test.before(async () => {
  inst = await startInstance(['--test-size=2'], { timeoutMs: 60_000 });
});
test.after(async () => {
  if (inst) await inst.stop().catch(() => inst!.kill());
  tmp.cleanup();
});

test("--output=out.{{node.id}}: node 1's file is opened and written by node 1's broker, node 0's by node 0's", async () => {
  const pids = f(['exec', '-l', 'flux', 'getattr', 'broker.pid']).stdout.trim().split('\n').sort();
  const [pid0, pid1] = pids.map((l) => Number(l.split(': ')[1]));
  assert.ok(pid0! > 0 && pid1! > 0 && pid0 !== pid1, pids.join(' '));
  const id = f(['submit', '-N2', '-n2', '--output=pn.{{node.id}}', 'sh', '-c', 'echo line $FLUX_TASK_RANK; exec sleep 300']).stdout.trim();
  try {
    const has = (n: string) => fs.existsSync(file(`pn.${n}`)) && read(`pn.${n}`) === `line ${n}\n`;
    await waitUntil(() => has('0') && has('1'), { what: "each node's line in its file", timeoutMs: 30_000 });
    const [open0, open1] = [openFiles(pid0!), openFiles(pid1!)];
    assert.ok(open1.includes(file('pn.1')), `rank 1's broker has pn.1 open: ${open1.join(' ')}`);
    assert.not.ok(open1.includes(file('pn.0')), 'rank 1 has pn.0 open');
    assert.ok(open0.includes(file('pn.0')), `rank 0's broker has pn.0 open: ${open0.join(' ')}`);
    assert.not.ok(open0.includes(file('pn.1')), "rank 0's broker has node 1's file open");
  } finally {
    f(['cancel', id]);
  }
  await waitUntil(() => state(id) === 'INACTIVE', { what: 'the job to end', timeoutMs: 30_000 });
  // closed at the job's end, each by its broker
  assert.not.ok(openFiles(pid1!).includes(file('pn.1')), 'pn.1 still open');
  const a = f(['job', 'attach', id]);
  const notices = a.stderr.split('\n').filter((l) => l.includes('redirected to'));
  assert.equal(notices, ['0: stdout redirected to pn.0', '1: stdout redirected to pn.1', '0: stderr redirected to pn.0', '1: stderr redirected to pn.1'], a.stderr);
});

test('--output={{tmpdir}}/out: a file per node in its own job tmpdir, which its tasks can read; gone with the job', async () => {
  // each task waits until its node's file has its line, then shows what the file holds
  const script = 'echo "hi $FLUX_TASK_RANK"; o="$FLUX_JOB_TMPDIR/out"; i=0; until grep -q hi "$o" 2>/dev/null || [ $i -ge 300 ]; do sleep 0.1; i=$((i+1)); done; echo "$FLUX_JOB_TMPDIR" >&2; cat "$o" >&2';
  const r = f(['run', '-N2', '-n4', '--output={{tmpdir}}/out', '--error=te.{{node.id}}', 'sh', '-c', script]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '');
  const notices = r.stderr.split('\n').filter((l) => l.includes('redirected to'));
  assert.equal(notices, ['[0-1]: stdout redirected to {{tmpdir}}/out', '[2-3]: stdout redirected to {{tmpdir}}/out', '[0-1]: stderr redirected to te.0', '[2-3]: stderr redirected to te.1'], r.stderr);
  for (const [node, ranks] of [['0', ['0', '1']], ['1', ['2', '3']]] as const) {
    const lines = read(`te.${node}`).split('\n').filter(Boolean);
    const dirs = new Set(lines.filter((l) => l.startsWith('/')));
    assert.is(dirs.size, 1, `one tmpdir on node ${node}: ${lines.join(' | ')}`);
    // only this node's tasks' lines are in its file (each cat saw a file with its own line, and only lines of its node)
    const his = new Set(lines.filter((l) => l.startsWith('hi ')));
    assert.ok(his.size > 0, lines.join(' | '));
    for (const h of his) assert.ok(ranks.includes(h.slice(3) as never), `node ${node}'s file has ${h}`);
    // the tmpdir (and the file in it) is removed as the job ends on that node (off the loop: it may be just after)
    await waitUntil(() => !fs.existsSync([...dirs][0]!), { what: `${[...dirs][0]} to be removed`, timeoutMs: 10_000 });
  }
  const d0 = read('te.0').split('\n').find((l) => l.startsWith('/'));
  const d1 = read('te.1').split('\n').find((l) => l.startsWith('/'));
  assert.is.not(d0, d1, 'each node has its own tmpdir');
});

test('{{tmpdir}} in the one file of a 1-task job: the tmpdir exists when the file opens', () => {
  const r = f(['run', '--output={{tmpdir}}/o', '--error=t1.err', 'sh', '-c', 'echo mine; i=0; until [ -s "$FLUX_JOB_TMPDIR/o" ] || [ $i -ge 300 ]; do sleep 0.1; i=$((i+1)); done; cat "$FLUX_JOB_TMPDIR/o" >&2']);
  assert.is(r.code, 0, r.stderr);
  assert.is(read('t1.err'), 'mine\n');
});

test('a per-node file in a missing directory: the job does not run, one exception line naming the path', () => {
  const r = f(['run', '-N2', '-n2', '--output=/nonexistent/dir/o.{{node.id}}', 'touch', file('ran.{{node.id}}')]);
  assert.is(r.code, 1, r.stderr);
  // the first node to fail says so (the other may be stopped before it tries)
  assert.match(r.stderr, exceptionLine("error opening output file '/nonexistent/dir/o\\.[01]': No such file or directory"));
  assert.not.ok(fs.existsSync(file('ran.0')) || fs.existsSync(file('ran.1')), 'a task ran');
  assertServing();
});

test("a per-node file that cannot be written (node 1's is /dev/full): the job's exception names it", () => {
  fs.mkdirSync(file('d0'));
  fs.symlinkSync('/dev', file('d1'));
  const r = f(['run', '-N2', '-n2', '--output=d{{node.id}}/full', 'echo', 'hi']);
  assert.is.not(r.code, 0, r.stderr);
  assert.match(r.stderr, exceptionLine("error writing output file 'd1/full': No space left on device"));
  assert.is(r.stderr.split('\n').filter((l) => l.includes('job.exception')).length, 1, r.stderr);
  assertServing();
});

test("a per-node FIFO without a reader (node 1's): the job waits, flux cancel ends it", async () => {
  fs.writeFileSync(file('ff.0'), '');
  spawnSync('mkfifo', [file('ff.1')]);
  const id = f(['submit', '-N2', '-n2', '--output=ff.{{node.id}}', 'echo', 'x']).stdout.trim();
  await waitUntil(() => state(id) === 'RUN', { what: 'the job to run', timeoutMs: 30_000 });
  assertServing();
  assert.is(state(id), 'RUN');
  assert.is(f(['cancel', id]).code, 0);
  await waitUntil(() => state(id) === 'INACTIVE', { what: 'the canceled job to end', timeoutMs: 30_000 });
  assertServing();
});

test('-l with a per-task file labels its lines; output.mode=append appends', () => {
  fs.writeFileSync(file('lab.1'), 'before\n');
  const r = f(['run', '-N2', '-n2', '-l', '-o', 'output.mode=append', '--output=lab.{{taskid}}', 'echo', 'x']);
  assert.is(r.code, 0, r.stderr);
  assert.is(read('lab.0'), '0: x\n');
  assert.is(read('lab.1'), 'before\n1: x\n');
});

test.run();
