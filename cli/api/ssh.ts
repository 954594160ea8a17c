/**
 * Flux's ssh connector, for `ssh://[USER@]HOST[:PORT]/PATH` URIs: run
 * `$FLUX_SSH [-p PORT] [USER@]HOST $FLUX_SSH_RCMD relay PATH` (defaults `ssh`
 * and `flux`) and speak the client protocol over its stdin and stdout; the
 * remote `flux relay` bridges them to the instance's local socket there. What
 * ssh says on stderr (why it could not connect) is kept for the error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';

export interface SshTarget {
  user?: string;
  host: string;
  port?: string;
  path: string;
}

/** ssh://[USER@]HOST[:PORT]/PATH (FluxError EINVAL otherwise) */
export function parseSshUri(uri: string): SshTarget {
  const m = /^ssh:\/\/(?:([^@/]+)@)?([^:/@]+)(?::(\d+))?(\/.*)$/.exec(uri);
  if (!m) throw new FluxError(Errno.EINVAL, `${uri}: malformed ssh URI (ssh://[USER@]HOST[:PORT]/PATH)`);
  return { user: m[1], host: m[2]!, port: m[3], path: m[4]! };
}

/** The command line that reaches the instance behind an ssh URI. */
export function sshCommand(t: SshTarget, env: NodeJS.ProcessEnv = process.env): string[] {
  const ssh = (env['FLUX_SSH'] || 'ssh').split(/\s+/).filter((w) => w.length > 0);
  const rcmd = env['FLUX_SSH_RCMD'] || 'flux';
  return [...ssh, ...(t.port ? ['-p', t.port] : []), t.user ? `${t.user}@${t.host}` : t.host, rcmd, 'relay', t.path];
}

/** The remote end as a stream; `why()` is ssh's last stderr line. */
export class SshStream extends Duplex {
  private readonly child: ChildProcess;
  private errText = '';

  constructor(argv: readonly string[]) {
    super({ allowHalfOpen: false });
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.on('error', (e) => {
      this.errText += `${argv[0]!}: ${e.message}\n`;
      this.push(null);
    });
    this.child.stdin!.on('error', () => undefined);
    this.child.stdout!.on('data', (d: Buffer) => {
      if (!this.push(d)) this.child.stdout!.pause();
    });
    // the stream ends once ssh's stdout and stderr both have: why() then holds ssh's last word
    let open = 2;
    const ended = () => {
      if (--open === 0) this.push(null);
    };
    this.child.stdout!.on('end', ended);
    this.child.stderr!.on('end', ended);
    this.child.stderr!.on('data', (d: Buffer) => {
      if (this.errText.length < 65536) this.errText += d.toString();
    });
  }

  why(): string {
    const lines = this.errText.split('\n').filter((l) => l.trim().length > 0);
    return lines.pop() ?? 'connection closed';
  }

  override _read(): void {
    this.child.stdout!.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.child.stdin!.write(chunk, () => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.child.stdin!.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.child.stdin!.destroy();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    cb(err);
  }
}
