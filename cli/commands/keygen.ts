/**
 * `flux keygen [-n NAME] [--meta=K=V[,K=V...]] [PATH]`: make a CURVE
 * certificate (curve25519 keypair, Z85 text in zcert's format) for a
 * config-booted instance. Written with O_CREAT|O_TRUNC, mode 0600. Keys are
 * never printed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Command, Option } from 'clipanion';
import { CommandExit, FluxCommand } from '../base-command';
import { errnoFromCode, strerror } from '../../kernel/api/errno';
import { FLUX_VERSION as VERSION } from './version';
import { formatCert, generateKeyPair } from '../../kernel/overlay/factory';

const USAGE =
  'Usage: flux-keygen [OPTIONS] [PATH]\n' +
  '  -n, --name=NAME        Set certificate name (default: hostname)\n' +
  '      --meta=KEYVALS     Add/update comma-separated key=value metadata\n' +
  '  -h, --help             Display this message.';

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
  static override paths = [['keygen']];
  static override prog = 'flux-keygen';
  static override usageLine = USAGE;
  static override usage = Command.Usage({ description: 'Generate a CURVE certificate for the overlay' });
  name = Option.String('-n,--name', { description: 'certificate name' });
  meta = Option.Array('--meta', { description: 'key=value metadata' });
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length > 1) throw new CommandExit(1, USAGE);
    const meta = keygenMeta(this.name, this.meta ?? []);
    const path = this.args[0];
    if (path === undefined) {
      process.stderr.write('flux-keygen: WARNING: add PATH argument to save generated certificate\n');
      return 0;
    }
    const text = formatCert(generateKeyPair(), meta);
    let fd: number;
    try {
      fd = fs.openSync(path, 'w', 0o600);
    } catch (e) {
      this.fail(`open ${path}: ${strerror(errnoFromCode((e as NodeJS.ErrnoException).code))}`);
    }
    try {
      fs.writeSync(fd, text);
    } catch (e) {
      this.fail(`write ${path}: ${strerror(errnoFromCode((e as NodeJS.ErrnoException).code))}`);
    } finally {
      fs.closeSync(fd);
    }
    return 0;
  }
}
