/**
 * Driving a program on a terminal (script(1) gives it a pseudo-terminal) the way
 * a person does: type each line when the program is ready for it — by default
 * once the shell on the other side (PS1='$ ') has printed one more prompt — not
 * after fixed pauses.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './flux';
import { waitUntil } from './wait';

/** a key to type once `ready` holds (a plain string: once one more prompt is out) */
export type Key = string | { key: string; ready: () => boolean; what: string };

export interface TerminalResult {
  /** everything the terminal showed, carriage returns removed */
  out: string;
  code: number;
}

/** Run `script -qec COMMAND /dev/null` with env (SHELL=/bin/sh, PS1='$ ' added) and type `keys`. */
export async function onTerminal(command: string, keys: readonly Key[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<TerminalResult> {
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, SHELL: '/bin/sh', PS1: '$ ', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  const prompts = () => (out.replace(/\r/g, '').match(/(^|\n)\$ /g) ?? []).length;
  try {
    let seen = 0;
    for (const k of keys) {
      if (typeof k === 'string') {
        await waitUntil(() => prompts() > seen, {
          what: `prompt ${seen + 1} before typing ${JSON.stringify(k)}; the terminal showed ${JSON.stringify(out)}`,
          timeoutMs,
        });
        seen = prompts();
        child.stdin!.write(k);
      } else {
        await waitUntil(k.ready, { what: k.what, timeoutMs });
        child.stdin!.write(k.key);
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<number>((r) => (timer = setTimeout(() => r(-1), timeoutMs)))]);
    clearTimeout(timer);
    if (code === -1) throw new Error(`${command} did not exit after the last key; the terminal showed ${JSON.stringify(out)}`);
    return { out: out.replace(/\r/g, ''), code };
  } finally {
    child.kill('SIGKILL');
  }
}
