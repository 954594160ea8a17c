/**
 * Check a store file the kvs did not create before mapping it
 * (verify-store.ts, in a process of its own): a damaged file is one line,
 * never a crash of the broker. A missing or empty file needs no check.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Errno, FluxError } from '../../kernel/api';

/** how long the check may take (a large store is read once, from the page cache) */
const CHECK_TIMEOUT_MS = 120_000;

const damaged = (file: string, why: string) =>
  new FluxError(Errno.EIO, `store ${file}: damaged (${why}); move it away or restore it from a dump (flux restore)`);

export async function checkStore(file: string): Promise<void> {
  try {
    if ((await fs.stat(file)).size === 0) return;
  } catch {
    return; // missing: a new store (Backing.open reports what else is wrong)
  }
  const child = spawn(process.execPath, [path.join(__dirname, 'verify-store.js'), file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    if (err.length < 4096) err += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), CHECK_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('error', (e) => {
      err = e.message;
      resolve([1, null]);
    });
    child.on('close', (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  if (signal === 'SIGKILL') throw damaged(file, `reading it did not finish in ${CHECK_TIMEOUT_MS / 1000}s`);
  if (signal) throw damaged(file, `reading it crashed the check with ${signal}`);
  if (code !== 0 || !/^\d+\n$/.test(out)) throw damaged(file, err.split('\n')[0] || `the check exited ${String(code)}`);
}
