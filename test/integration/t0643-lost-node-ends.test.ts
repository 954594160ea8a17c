/**
 * Honest ends after a node is lost for good (size 3, one fake core per rank,
 * rank 2 killed): the job that ran there is FAILED with a non-zero returncode
 * everywhere it is reported; a request bigger than the instance is refused at
 * once; one that fits the instance but not the ranks still up says why it
 * waits, once, and SIGTERM, SIGHUP or a single ctrl-C cancels it (exit
 * 128+signal, job CANCELED).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLUX, ROOT, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance | undefined;
const tmp = tmpdir();
let host = '';

test.before(async () => {
  inst = await startInstance(['--test-size=3', '--test-exit-mode=leader'], { env: { FLUX_RESOURCE_FAKE_CORES: '1' } });
  host = inst.flux(['getattr', 'hostname']).stdout.trim();
});

test.after(() => {
  fs.writeFileSync(path.join(tmp.dir, 'go'), '');
  inst?.kill();
  tmp.cleanup();
});

test('the job on a lost node is FAILED with a non-zero returncode', async () => {
  const i = inst!;
  const wait = `while [ ! -e ${tmp.dir}/go ]; do sleep 0.05; done`;
  const ids = [0, 1, 2].map(() => i.flux(['submit', '-n1', 'sh', '-c', wait]).stdout.trim());
  for (const id of ids) assert.is(i.flux(['job', 'wait-event', '-t', '30', id, 'start']).code, 0);
  assert.is(i.flux(['jobs', '-no', '{ranks}', ...ids]).stdout, '0\n1\n2\n');
  const rundir = i.flux(['getattr', 'rundir']).stdout.trim();
  const pid2 = Number(i.flux(['getattr', 'broker.pid'], { env: { FLUX_URI: `local://${rundir}/local-2` } }).stdout);
  process.kill(pid2, 'SIGKILL');
  const lost = ids[2]!;
  assert.is(i.flux(['job', 'wait-event', '-t', '30', lost, 'clean']).code, 0);
  assert.is(
    i.flux(['jobs', '-no', '{result} {returncode} {exception.type} {inactive_reason}', lost]).stdout,
    `FAILED 1 exec Exception: type=exec note=lost contact with job shell on broker ${host} (rank 2)\n`,
  );
  const st = i.flux(['job', 'status', lost]);
  assert.is(st.code, 1);
  const att = i.flux(['job', 'attach', lost]);
  assert.is(att.code, 1);
  assert.match(att.stderr, `type=exec severity=0 lost contact with job shell on broker ${host} (rank 2)`);
  // the others end normally
  fs.writeFileSync(path.join(tmp.dir, 'go'), '');
  for (const id of ids.slice(0, 2)) assert.is(i.flux(['job', 'status', id]).code, 0);
  assert.is(i.flux(['jobs', '-no', '{result} {returncode}', ids[0]!, ids[1]!]).stdout, 'COMPLETED 0\nCOMPLETED 0\n');
});

test('a request bigger than the instance is refused at once', () => {
  const r = inst!.flux(['run', '-N4', 'true']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-run: ERROR: unsatisfiable request: need 4 exclusive node(s), only 3 eligible\n');
});

/** `flux run ARGS` in the background; resolves its stderr once `re` shows up in it */
function runBackground(args: string[]) {
  const proc = spawn(FLUX, ['run', ...args], {
    env: { ...process.env, ...inst!.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number>((res) => proc.on('close', (code, sig) => res(code ?? (sig ? -1 : 1))));
  return { proc, err: () => err, exit };
}

for (const [sig, code, note] of [
  ['SIGTERM', 143, 'interrupted by SIGTERM'],
  ['SIGHUP', 129, 'interrupted by SIGHUP'],
  // as Flux's: the first Ctrl-C only says a second one cancels
  ['SIGINT', 1, 'interrupted by ctrl-C'],
] as const) {
  test(`a job that waits for the lost node says why, and ${sig === 'SIGINT' ? 'Ctrl-C twice' : sig} cancels it`, async () => {
    const r = runBackground(['-N3', 'true']);
    try {
      const why = `is waiting: needs 3 node(s), 2 up; 1 node(s) down: ${host} (rank 2)\n`;
      await until(() => r.err().includes(why), 'the reason it waits');
      r.proc.kill(sig);
      if (sig === 'SIGINT') {
        const hint = 'flux-job: one more ctrl-C within 2s to cancel or ctrl-Z to detach\n';
        await until(() => r.err().includes(hint), 'the hint of the first Ctrl-C');
        assert.is(inst!.flux(['jobs', '-no', '{state}', /^flux-job: (\S+)/.exec(r.err())![1]!]).stdout, 'SCHED\n', 'one Ctrl-C leaves the job pending');
        r.proc.kill(sig);
      }
      assert.is(await r.exit, code);
      const lines = r.err().split('\n').filter(Boolean).filter((l) => !l.startsWith('flux-job: one more ctrl-C'));
      assert.is(lines.length, 2, r.err());
      const m = /^flux-job: (\S+) is waiting: /.exec(lines[0]!);
      assert.ok(m, lines[0]);
      assert.match(lines[1]!, new RegExp(`^\\d+\\.\\d{3}s: job\\.exception ${m![1]} type=cancel severity=0 ${note}$`));
      assert.is(inst!.flux(['jobs', '-no', '{result} {returncode}', m![1]!]).stdout, 'CANCELED -128\n');
    } finally {
      r.proc.kill('SIGKILL');
    }
  });
}

test.run();
