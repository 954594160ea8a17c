/**
 * The cause (found): the harness ran the idiom in a process group of its own
 * (timeout(1), or `&` in an interactive shell) with the terminal as stdin, and
 * attach, forwarding stdin to the job, was stopped by SIGTTIN for reading the
 * terminal from the background. Attach now reads stdin only while its group
 * is the terminal's foreground group (cli/foreground.ts), and not at all for a
 * job that has already finished. The terminal tests below run it that way.
 *
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
import { Tmux, tmuxMissing } from '../helpers/tmux';
import { waitUntil } from '../helpers/wait';

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

/** an interactive bash on a real terminal (tmux), with flux on PATH */
function terminal(pool: string): Tmux {
  const t = new Tmux();
  t.start(`PS1='$ ' exec bash --norc --noprofile -i`, { ...inst!.env, FLUX_CLI_POOL: pool });
  return t;
}

const screenHas = (t: Tmux, re: RegExp) => t.screen().some((l) => re.test(l));

for (const pool of ['1', '0']) {
  test(`on a terminal, as a background job under timeout(1), FLUX_CLI_POOL=${pool}: ends with 42, never stopped`, async () => {
    if (tmuxMissing) {
      console.log(`SKIP: ${tmuxMissing}`);
      return;
    }
    const t = terminal(pool);
    try {
      await waitUntil(() => screenHas(t, /^\$/), { what: 'the prompt' });
      t.keys(`timeout -s KILL 20 sh -c '${SCRIPT}' & wait $!; echo rc=$?`, 'Enter');
      // typed ahead while it runs: input waiting on the terminal, the shell's once its prompt is back
      t.keys('echo typed-ahead', 'Enter');
      await waitUntil(() => screenHas(t, /^rc=\d+/), { what: 'the background job ended', timeoutMs: 40_000 });
      const screen = t.screen().join('\n');
      assert.match(screen, /^rc=42$/m, screen);
      assert.match(screen, /flux-job: task\(s\) exited with exit code 42/, screen);
      assert.not.match(screen, /Stopped/, screen);
      // attach took none of it
      await waitUntil(() => screenHas(t, /^typed-ahead$/), { what: 'the shell ran what was typed ahead' });
    } finally {
      t.kill();
    }
  });
}

test('on a terminal: `flux run` in the background leaves the keyboard to the shell, and reads it once brought back with fg', async () => {
  if (tmuxMissing) {
    console.log(`SKIP: ${tmuxMissing}`);
    return;
  }
  const t = terminal('1');
  try {
    await waitUntil(() => screenHas(t, /^\$/), { what: 'the prompt' });
    t.keys(`flux run sh -c 'read x; echo got:$x'  &`, 'Enter');
    // the job runs, and its attach has seen it start
    const id = await waitUntil(() => /^(\S+) RUN$/.exec(inst!.flux(['jobs', '-no', '{id} {state}']).stdout.trim())?.[1], { what: 'the job running' });
    // attach has seen the start (it shows the job's own `read` waiting)
    await waitUntil(() => inst!.flux(['job', 'eventlog', '-p', 'exec', id]).stdout.includes('shell.start'), { what: 'the shell started' });
    // typed at the prompt: the shell's, not the background job's
    t.keys('echo typed-at-prompt', 'Enter');
    await waitUntil(() => screenHas(t, /^typed-at-prompt$/), { what: 'the shell ran what was typed' });
    t.keys('fg', 'Enter');
    await waitUntil(() => screenHas(t, /^flux run /), { what: 'fg named the job' });
    t.keys('hello', 'Enter');
    await waitUntil(() => screenHas(t, /^got:hello$/), { what: 'the job read what was typed after fg' });
    assert.not.match(t.screen().join('\n'), /Stopped/);
  } finally {
    t.kill();
    inst!.flux(['cancel', '--all']);
  }
});

test.run();
