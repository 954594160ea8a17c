/**
 * With no command, rank 0 runs an interactive shell on a tty: driven here through
 * script(1), which gives `flux start` a pseudo-terminal.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../helpers/flux';

function interactive(startArgs: string, input: string): { out: string; code: number } {
  const feed = input
    .split('\n')
    .map((l) => `sleep 1.5; printf '%s\\n' '${l}'`)
    .join('; ');
  const r = spawnSync('sh', ['-c', `(${feed}) | script -qec "flux start ${startArgs}" /dev/null`], {
    env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, SHELL: '/bin/sh', PS1: '$ ' },
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  return { out: (r.stdout ?? '').replace(/\r/g, ''), code: r.status ?? 1 };
}

test('singleton: interactive shell on a tty, exit code from the shell', () => {
  const r = interactive('', 'echo level=$(flux getattr instance-level)\nexit 4');
  assert.match(r.out, /level=0/);
  assert.is(r.code, 4);
});

test('size 3: rank 0 runs the interactive shell', () => {
  const r = interactive('--test-size=3', 'echo size=$(flux getattr size)\nexit 0');
  assert.match(r.out, /size=3/);
  assert.is(r.code, 0);
});

test.run();
