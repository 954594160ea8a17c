/**
 * flux proxy to an instance on another host (an ssh:// URI): a local socket
 * in a private temporary folder stands for it while COMMAND runs with
 * FLUX_URI naming that socket; each connection to it is carried to the
 * instance by its own `ssh HOST flux relay PATH` (cli/api/ssh.ts), byte for
 * byte. The folder goes when COMMAND ends.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SshStream, parseSshUri, sshCommand } from '../api/ssh';
import { runChild, type ProxyOutcome } from './child';

export type { ProxyOutcome };

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
export async function proxyRemote(
  uri: string,
  command: readonly string[],
  env: NodeJS.ProcessEnv,
  onSpawn: (child: ChildProcess) => void,
): Promise<ProxyOutcome> {
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
    return await runChild(command, { ...env, FLUX_URI: `local://${sock}`, FLUX_PROXY_REMOTE: uri }, onSpawn);
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
