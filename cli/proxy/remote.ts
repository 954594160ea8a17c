/**
 * flux proxy to an instance on another host (an ssh:// URI): a local socket
 * in a private temporary folder stands for it while COMMAND runs with
 * FLUX_URI naming that socket; each connection to it is carried to the
 * instance by its own `ssh HOST flux relay PATH` (cli/api/ssh.ts), byte for
 * byte. The folder goes when COMMAND ends.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SshStream, parseSshUri, sshCommand } from '../api/ssh';

export type ProxyOutcome = { status: number } | { error: string };

function relayServer(argv: readonly string[]): net.Server {
  return net.createServer((conn) => {
    const far = new SshStream(argv);
    conn.on('error', () => far.destroy());
    far.on('error', () => conn.destroy());
    conn.on('close', () => far.destroy());
    far.on('close', () => conn.destroy());
    conn.pipe(far);
    far.pipe(conn);
  });
}

/** Run COMMAND with FLUX_URI on a local stand-in for `uri`; its exit status. */
export async function proxyRemote(uri: string, command: readonly string[], env: NodeJS.ProcessEnv): Promise<ProxyOutcome> {
  const argv = sshCommand(parseSshUri(uri), env);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-proxy-'));
  fs.chmodSync(dir, 0o700);
  const sock = path.join(dir, 'local');
  const server = relayServer(argv);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(sock, () => resolve());
    });
    return await new Promise<ProxyOutcome>((resolve) => {
      const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env: { ...env, FLUX_URI: `local://${sock}`, FLUX_PROXY_REMOTE: uri } });
      // the terminal's signals reach COMMAND itself; the proxy stays until it ends
      const ignore = (): void => undefined;
      process.on('SIGINT', ignore);
      process.on('SIGTERM', ignore);
      child.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code === 'ENOENT' ? 'No such file or directory' : e.message }));
      child.on('close', (code, sig) => {
        process.off('SIGINT', ignore);
        process.off('SIGTERM', ignore);
        resolve({ status: code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0) });
      });
    });
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
