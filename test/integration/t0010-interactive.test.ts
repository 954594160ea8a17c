/**
 * With no command, rank 0 runs an interactive shell on a tty: driven here through
 * script(1), which gives `flux start` a pseudo-terminal.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onTerminal } from '../helpers/terminal';

/** `flux start ARGS` on a terminal: each line typed at the next prompt of its shell */
function interactive(startArgs: string, input: string): Promise<{ out: string; code: number }> {
  return onTerminal(`flux start ${startArgs}`, input.split('\n').map((l) => `${l}\n`));
}

test('singleton: interactive shell on a tty, exit code from the shell', async () => {
  const r = await interactive('', 'echo level=$(flux getattr instance-level)\nexit 4');
  assert.match(r.out, /level=0/);
  assert.is(r.code, 4);
});

test('size 3: rank 0 runs the interactive shell', async () => {
  const r = await interactive('--test-size=3', 'echo size=$(flux getattr size)\nexit 0');
  assert.match(r.out, /size=3/);
  assert.is(r.code, 0);
});

test.run();
