/**
 * `id=$(flux submit sh -c "exit 42") && flux job attach $id`, as a test
 * harness runs it (issue 17: seen to hang there while it worked by hand): from
 * a spawned child whose stdin is a pipe that stays open, /dev/null, or a pipe
 * closed at once, with the warm client pool and without it, many times in a
 * row. Every run must end with the job's exit code (42) and its summary line;
 * one that does not end within its deadline fails the test (and is killed)
 * instead of hanging it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ROOT, startInstance, type Instance } from '../helpers/flux';

let inst: Instance | undefined;

const SCRIPT = 'id=$(flux submit sh -c "exit 42") && flux job attach $id';
const RUNS = 25;
const DEADLINE_MS = 30_000;

type Stdin = 'open pipe' | '/dev/null' | 'closed pipe';

function once(stdin: Stdin, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; hung: boolean }> {
  return new Promise((resolve) => {
    const c = spawn('sh', ['-c', SCRIPT], {
      stdio: [stdin === '/dev/null' ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, ...env },
      detached: true,
    });
    let stderr = '';
    c.stdout!.resume();
    c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (stdin === 'closed pipe') c.stdin!.end();
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, DEADLINE_MS);
    c.on('close', (code) => {
      clearTimeout(timer);
      c.stdin?.destroy();
      resolve({ code, stderr, hung });
    });
  });
}

test.before(async () => {
  inst = await startInstance();
});

test.after(async () => {
  await inst?.stop().catch(() => inst?.kill());
});

for (const pool of ['1', '0']) {
  for (const stdin of ['open pipe', '/dev/null', 'closed pipe'] as Stdin[]) {
    const runs = pool === '1' ? RUNS : 5;
    test(`submit then attach, stdin ${stdin}, FLUX_CLI_POOL=${pool}: ${runs} runs, each exits 42`, async () => {
      for (let i = 0; i < runs; i++) {
        const r = await once(stdin, { ...inst!.env, FLUX_CLI_POOL: pool });
        assert.not.ok(r.hung, `run ${i} did not end within ${DEADLINE_MS} ms; stderr: ${r.stderr}`);
        assert.is(r.code, 42, `run ${i}: ${r.stderr}`);
        assert.is(r.stderr, 'flux-job: task(s) exited with exit code 42\n', `run ${i}`);
      }
    });
  }
}

test.run();
