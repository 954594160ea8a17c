/**
 * Submission options that become job shell options or files of the jobspec
 * (flux-submit(1)): --signal=[SIG][@TIME], --taskmap=SCHEME[:VALUE],
 * --add-file=[NAME[:PERMS]=]ARG. Every user error is a SubmitOptionError
 * that repeats what was typed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fsd } from '../../lib/formats';
import type { Occurrence } from '../options';
import { SubmitOptionError } from './types';

/** --signal: {signum, timeleft} (default SIGUSR1, 60 s) */
export function parseSignal(o: Occurrence): { signum: number; timeleft: number } {
  const at = o.value.indexOf('@');
  const sig = at < 0 ? o.value : o.value.slice(0, at);
  const time = at < 0 ? '' : o.value.slice(at + 1);
  let signum = os.constants.signals.SIGUSR1;
  if (sig !== '') {
    const named = os.constants.signals as Record<string, number | undefined>;
    const n = /^[0-9]+$/.test(sig) ? Number(sig) : (named[sig.toUpperCase()] ?? named[`SIG${sig.toUpperCase()}`]);
    if (n === undefined || n < 1 || n > 64) throw new SubmitOptionError(`${o.typed}: signal '${sig}' is invalid`);
    signum = n;
  }
  let timeleft = 60;
  if (at >= 0) {
    const d = fsd.tryParse(time);
    if (d === undefined || !Number.isFinite(d)) throw new SubmitOptionError(`${o.typed}: invalid Flux standard duration`);
    timeleft = d;
  }
  return { signum, timeleft };
}

const TASKMAP_SCHEMES = ['block', 'cyclic', 'manual', 'hostfile'];

/** --taskmap: {scheme, value} */
export function parseTaskmap(o: Occurrence): { scheme: string; value: string } {
  const i = o.value.indexOf(':');
  const scheme = i < 0 ? o.value : o.value.slice(0, i);
  const value = i < 0 ? '' : o.value.slice(i + 1);
  if (!TASKMAP_SCHEMES.includes(scheme)) {
    throw new SubmitOptionError(`${o.typed}: unknown taskmap scheme '${scheme}' (block, cyclic[:N], manual:TASKMAP, hostfile:FILE)`);
  }
  if (scheme === 'block' && value !== '') throw new SubmitOptionError(`${o.typed}: block takes no value`);
  if (scheme === 'cyclic' && value !== '' && !/^[1-9][0-9]*$/.test(value)) throw new SubmitOptionError(`${o.typed}: invalid cyclic stride: ${value}`);
  if ((scheme === 'manual' || scheme === 'hostfile') && value === '') throw new SubmitOptionError(`${o.typed}: ${scheme} needs a value`);
  return { scheme, value };
}

/** the most --add-file puts in a jobspec, all files together (as stored: base64 for binary data) */
export const MAX_ADD_FILE = 10 * 1024 * 1024;

export interface FileEntry {
  mode: number;
  size: number;
  data: string;
  encoding: 'utf-8' | 'base64';
}

/**
 * --add-file=[NAME[:PERMS]=]ARG: ARG with a newline is the file's content
 * (NAME required), else a file read now; NAME defaults to its basename. The
 * job shell writes it to $FLUX_JOB_TMPDIR/NAME before the tasks start.
 */
export function parseAddFile(o: Occurrence, cwd: string): [string, FileEntry] {
  const v = o.value;
  const eq = v.indexOf('=');
  // NAME= only when what precedes '=' has no '/' or newline (a path may hold '=')
  const hasName = eq > 0 && !/[/\n]/.test(v.slice(0, eq));
  let name = hasName ? v.slice(0, eq) : '';
  const arg = hasName ? v.slice(eq + 1) : v;
  let perms: number | undefined;
  const colon = name.indexOf(':');
  if (colon >= 0) {
    const p = name.slice(colon + 1);
    if (!/^[0-7]{1,4}$/.test(p)) throw new SubmitOptionError(`${o.typed}: invalid permissions '${p}'`);
    perms = parseInt(p, 8);
    name = name.slice(0, colon);
  }
  let entry: FileEntry;
  if (arg.includes('\n')) {
    if (name === '') throw new SubmitOptionError(`${o.typed}: content given without a NAME=`);
    const size = Buffer.byteLength(arg);
    if (size > MAX_ADD_FILE) throw new SubmitOptionError(`${o.typed}: ${size} bytes is more than ${MAX_ADD_FILE}`);
    entry = { mode: 0o100000 | (perms ?? 0o600), size, data: arg, encoding: 'utf-8' };
  } else {
    const file = path.resolve(cwd, arg);
    let st: fs.Stats;
    let raw: Buffer;
    try {
      st = fs.statSync(file);
      if (st.isDirectory()) throw Object.assign(new Error('Is a directory'), { code: 'EISDIR' });
      if (st.size > MAX_ADD_FILE) throw new Error(`${st.size} bytes is more than ${MAX_ADD_FILE}`);
      raw = fs.readFileSync(file);
      if (raw.length > MAX_ADD_FILE) throw new Error(`more than ${MAX_ADD_FILE} bytes`);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'No such file or directory' : err.code === 'EACCES' ? 'Permission denied' : err.code === 'EISDIR' ? 'Is a directory' : err.message;
      throw new SubmitOptionError(`${o.typed}: ${why}: '${arg}'`);
    }
    if (name === '') name = path.basename(arg);
    let text: string | undefined;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      text = undefined;
    }
    const mode = perms !== undefined ? (st.mode & ~0o7777) | perms : st.mode;
    entry = text !== undefined ? { mode, size: raw.length, data: text, encoding: 'utf-8' } : { mode, size: raw.length, data: raw.toString('base64'), encoding: 'base64' };
  }
  if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new SubmitOptionError(`${o.typed}: invalid file name '${name}'`);
  return [name, entry];
}
