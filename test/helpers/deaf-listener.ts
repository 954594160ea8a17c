/**
 * A TCP listener that never accepts, for connect-timeout tests: a stopped
 * process whose accept queue is full, so SYNs go unanswered.
 */
import * as net from 'node:net';
import { spawn } from 'node:child_process';

export async function deafListener(): Promise<{ port: number; close(): void }> {
  const child = spawn(process.execPath, ['-e', "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{console.log(s.address().port)})"], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((r) => child.stdout!.once('data', (d) => r(Number(String(d).trim()))));
  child.kill('SIGSTOP');
  const fillers: net.Socket[] = [];
  // fill the accept queue (backlog 1 holds about 2)
  for (let i = 0; i < 4; i++) {
    const s = net.createConnection(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
  }
  await new Promise((r) => setTimeout(r, 200));
  return {
    port,
    close: () => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    },
  };
}
