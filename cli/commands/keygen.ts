/**
 * `flux keygen [-f] [-n NAME] [--meta=K=V[,K=V...]] [PATH]`: make a CURVE
 * certificate (curve25519 keypair, Z85 text in zcert's format) for a
 * config-booted instance. The file holds a secret, so: an existing PATH is
 * kept unless --force; a new file is created owner-only (O_EXCL, 0600) and a
 * replacement is written to a fresh 0600 temporary file renamed over PATH (the
 * old file's mode never carries over); a symbolic link is never followed.
 * Keys are never printed.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandExit, FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { errnoFromCode, strerror } from '../../lib/errno';
import { FLUX_VERSION as VERSION } from './version';
import { formatCert } from '../../lib/crypto/cert';
import { generateKeyPair } from '../../lib/crypto/keys';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const EXCL = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

const errText = (e: unknown): string => strerror(errnoFromCode((e as NodeJS.ErrnoException).code));

/** `YYYY-MM-DDTHH:MM:SS` in local time, as strftime %FT%T. */
function localIso(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Metadata in Flux's order of setting; the first setting of a key wins. */
export function keygenMeta(name: string | undefined, metas: readonly string[], now = new Date()): Map<string, string> {
  const meta = new Map<string, string>();
  const set = (k: string, v: string) => {
    if (!meta.has(k)) meta.set(k, v);
  };
  set('name', name ?? os.hostname());
  for (const group of metas) {
    for (const kv of group.split(',')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new CommandExit(1, `flux-keygen: --meta argument must be key=value`);
      set(kv.slice(0, eq), kv.slice(eq + 1));
    }
  }
  set('keygen.hostname', os.hostname());
  set('keygen.time', localIso(now));
  set('keygen.userid', String(process.getuid?.() ?? 0));
  set('keygen.flux-core-version', VERSION);
  set('keygen.zmq-version', '4.3.4');
  return meta;
}

export class KeygenCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['keygen'],
    grammar: 'getopt',
    prog: 'flux-keygen',
    summary: 'Generate a CURVE certificate for the overlay',
    usage: '[OPTIONS] [PATH]',
    options: [
      { name: 'force', short: 'f', description: 'Replace PATH if it exists' },
      { name: 'name', short: 'n', arg: 'NAME', description: 'Set certificate name (default: hostname)' },
      { name: 'meta', arg: 'KEYVALS', repeatable: true, description: 'Add/update comma-separated key=value metadata' },
    ],
    operands: [{ name: 'PATH', nargs: '?' }],
  };

  private get force(): boolean {
    return this.args.has('force');
  }

  async run(): Promise<number> {
    const meta = keygenMeta(this.args.str('name'), this.args.values('meta'));
    const file = this.args.operands[0];
    if (file === undefined) {
      process.stderr.write('flux-keygen: WARNING: add PATH argument to save generated certificate\n');
      return 0;
    }
    let existing: fs.Stats | undefined;
    try {
      existing = fs.lstatSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.fail(`open ${file}: ${errText(e)}`);
    }
    if (existing?.isSymbolicLink()) this.fail(`${file} is a symbolic link: not following it`);
    if (existing?.isDirectory()) this.fail(`open ${file}: ${strerror(errnoFromCode('EISDIR'))}`);
    if (existing && !this.force) this.fail(`${file} exists: use --force to replace it`);
    const text = formatCert(generateKeyPair(), meta);
    if (this.force) this.replace(file, text);
    else this.create(file, text);
    return 0;
  }

  /** A new file: O_EXCL never follows a link and never opens what appeared meanwhile. */
  private create(file: string, text: string): void {
    let fd: number;
    try {
      fd = fs.openSync(file, EXCL, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') this.fail(`${file} exists: use --force to replace it`);
      this.fail(`open ${file}: ${errText(e)}`);
    }
    this.writeAll(fd, file, text, file);
  }

  /** --force: a fresh 0600 file beside PATH, renamed over it (replacing a link that appeared, never its target). */
  private replace(file: string, text: string): void {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}`);
    let fd: number;
    try {
      fd = fs.openSync(tmp, EXCL, 0o600);
    } catch (e) {
      this.fail(`open ${file}: ${errText(e)}`);
    }
    this.writeAll(fd, file, text, tmp);
    try {
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      this.fail(`rename ${file}: ${errText(e)}`);
    }
  }

  /** Write, fsync and close `fd` (opened at `made`); on failure remove `made` and fail naming `file`. */
  private writeAll(fd: number, file: string, text: string, made: string): void {
    try {
      fs.fchmodSync(fd, 0o600);
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(made, { force: true });
      this.fail(`write ${file}: ${errText(e)}`);
    }
    fs.closeSync(fd);
  }
}
