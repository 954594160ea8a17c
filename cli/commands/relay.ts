/**
 * flux relay PATH: bridge stdin and stdout to the local socket of an instance
 * (PATH or local://PATH), byte for byte — the far end of the ssh connector
 * (`ssh HOST flux relay PATH`, cli/api/ssh.ts). Exits 0 when either side
 * closes, 1 with one line when the socket cannot be reached.
 */
import * as net from 'node:net';
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { Errno, strerror } from '../../lib/errno';

export class RelayCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['relay'],
    grammar: 'getopt',
    prog: 'flux-relay',
    summary: 'Relay stdin/stdout to the local socket of a Flux instance',
    docLine: true,
    usage: '[OPTIONS] PATH',
    options: [],
    operands: [{ name: 'PATH', nargs: '1' }],
  };

  async run(): Promise<number> {
    const target = this.args.operands[0]!;
    if (/^[a-z]+:\/\//.test(target) && !target.startsWith('local://')) this.fail(`${target}: only local:// URIs or socket paths can be relayed`);
    const path = target.replace(/^local:\/\//, '');
    return new Promise<number>((resolve) => {
      let connected = false;
      const sock = net.createConnection(path);
      sock.on('connect', () => {
        connected = true;
        process.stdin.pipe(sock);
        sock.pipe(process.stdout);
      });
      sock.on('error', (e: NodeJS.ErrnoException) => {
        if (!connected) {
          const errno = e.code && e.code in Errno ? Errno[e.code as keyof typeof Errno] : Errno.EIO;
          process.stderr.write(`${this.prog}: ${path}: ${strerror(errno)}\n`);
          resolve(1);
        }
      });
      sock.on('close', () => resolve(0));
      process.stdin.on('end', () => sock.end());
    });
  }
}
