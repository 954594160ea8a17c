/**
 * Task isolation: a task's parent ($PPID) is its own flux-task process, never
 * the broker (docs/adr/0007-task-parent-outside-the-broker.md). A job that
 * sends its parent any signal (every signal 1-31, SIGKILL and SIGSTOP among
 * them, and the real-time ones) fails alone, with an exec exception naming the
 * signal, or runs on where the signal is ignored by default; its orphaned task
 * is killed; the broker keeps its pid and runs the next job.
 *
 * Skipped (with the reason) under FLUX_TS_SPAWN=node or without the native
 * build: tasks are then the broker's children.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, startInstance, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';
import { testWhen } from '../helpers/skip';

let inst: Instance | undefined;
let brokerPid = 0;

const native = fs.existsSync(path.join(ROOT, 'dist', 'native', 'flux-task')) && process.env['FLUX_TS_SPAWN'] !== 'node';

/** signals whose default action ignores them, or that Linux discards for an orphaned process group (flux-task's) */
const IGNORED = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

const sigs = os.constants.signals as Readonly<Record<string, number>>;
const byNumber = new Map<number, string>();
for (const [name, n] of Object.entries(sigs)) if (!byNumber.has(n) && name !== 'SIGIOT' && name !== 'SIGPOLL') byNumber.set(n, name);
const SIGNALS: Array<[number, string]> = [];
for (let n = 1; n <= 31; n++) SIGNALS.push([n, byNumber.get(n) ?? `SIG${n}`]);
SIGNALS.push([34, 'SIGRTMIN'], [64, 'SIGRTMAX']);

/** a process whose command line contains marker, or undefined */
function findProcess(marker: string): number | undefined {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/cmdline`, 'latin1').split('\0').includes(marker)) return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

test.after(async () => {
  await inst?.stop().catch(() => inst?.kill());
});

const why = native ? undefined : "tasks are the broker's children here (FLUX_TS_SPAWN=node, or no native build)";

{
  test.before(async () => {
    if (!native) return;
    inst = await startInstance();
    brokerPid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
    assert.ok(brokerPid > 0);
  });

  testWhen(test, "a task's parent is flux-task, not the broker", why, () => {
    const r = inst!.flux(['run', 'sh', '-c', 'echo $PPID; cat /proc/$PPID/comm']);
    assert.is(r.code, 0, r.stderr);
    const [ppid, comm] = r.stdout.trim().split('\n');
    assert.is.not(Number(ppid), brokerPid);
    assert.is(comm, 'flux-task');
  });

  testWhen(test, "tasks run under the normal scheduling policy, whatever the broker's spawning threads use", why, () => {
    // the addon's pool threads are SCHED_BATCH (native/task-spawn.h): a task must not inherit it
    assert.is(inst!.flux(['submit', '--cc=1-8', '--quiet', '--wait', 'true']).code, 0);
    // field 41 of /proc/PID/stat is the policy: 0 is SCHED_OTHER, 3 SCHED_BATCH (no chrt needed)
    const r = inst!.flux(['run', '-n2', '--label-io', 'sh', '-c', "awk '{print $41}' /proc/$$/stat"]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.split('\n').sort().join('\n'), ['', '0: 0', '1: 0'].join('\n'));
  });

  for (const [n, name] of SIGNALS) {
    testWhen(test, `kill -${n} $PPID (${name}): only that job is affected`, why, () => {
      const r = inst!.flux(['run', 'sh', '-c', `kill -${n} $PPID && sleep 0.2 && echo after`], { timeoutMs: 30_000 });
      if (IGNORED.has(name)) {
        assert.is(r.code, 0, `${name}: ${r.stderr}`);
        assert.is(r.stdout, 'after\n');
      } else {
        assert.is.not(r.code, 0, `${name}: exit 0`);
        const how = n === 19 ? 'stopped by signal 19' : `killed by signal ${n}`;
        assert.match(r.stderr, new RegExp(`job\\.exception \\S+ type=exec severity=0 task 0 \\(host [^)]+\\): job shell \\(pid \\d+\\) ${how} \\(`), r.stderr);
        // the orphaned task was killed with its parent (a stopped parent: the task ran to its end)
        assert.is(r.stdout, n === 19 ? 'after\n' : '', `${name}: stdout`);
      }
      assert.is(inst!.flux(['getattr', 'broker.pid']).stdout.trim(), String(brokerPid));
    });
  }

  testWhen(test, "an orphaned task is killed, its job ends at once (kill -TERM $PPID; exec sleep)", why, async () => {
    const marker = '317.25';
    const r = inst!.flux(['run', 'sh', '-c', `kill -TERM $PPID; exec sleep ${marker}`], { timeoutMs: 30_000 });
    assert.is.not(r.code, 0);
    assert.match(r.stderr, /job shell \(pid \d+\) killed by signal 15 \(Terminated\)/);
    await until(() => findProcess(marker) === undefined, 'the orphan to be gone', 20_000);
  });

  testWhen(test, 'a task on a pty that kills its parent: the job fails alone', why, () => {
    const r = inst!.flux(['run', '-o', 'pty', 'sh', '-c', 'kill -9 $PPID; sleep 30'], { timeoutMs: 30_000 });
    assert.is.not(r.code, 0);
    assert.match(r.stderr, /job shell \(pid \d+\) killed by signal 9 \(Killed\)/, r.stderr);
  });

  testWhen(test, 'a stopped parent whose task still runs: cancel ends the job', why, async () => {
    const id = inst!.flux(['submit', 'sh', '-c', 'kill -STOP $PPID; exec sleep 300']).stdout.trim();
    await until(() => inst!.flux(['jobs', '-no', '{state}', id]).stdout.trim() === 'RUN', 'the job to run', 20_000);
    assert.is(inst!.flux(['cancel', id]).code, 0);
    const r = inst!.flux(['job', 'attach', id], { timeoutMs: 30_000 });
    assert.is.not(r.code, 0);
    assert.is(inst!.flux(['jobs', '-no', '{state}', id]).stdout.trim(), 'INACTIVE');
  });

  testWhen(test, 'the instance serves jobs afterwards, with the same broker', why, () => {
    const r = inst!.flux(['run', '-n1', 'echo', 'still here']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, 'still here\n');
    assert.is(inst!.flux(['getattr', 'broker.pid']).stdout.trim(), String(brokerPid));
    const failed = inst!.flux(['jobs', '-a', '-f', 'failed', '-no', '{id}']).stdout.trim().split('\n').length;
    assert.ok(failed >= SIGNALS.length - IGNORED.size, `failed jobs: ${failed}`);
  });
}

test.run();
