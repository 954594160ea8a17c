/**
 * The `slurm:JOBID` resolver (best effort): on the job's first node, list the
 * job's processes (`scontrol listpids`) and resolve each with `flux uri
 * --remote pid:PID` until one answers, each through `srun --overlap`. Where
 * Slurm is not installed (no srun on PATH) it is refused with one line.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UriError } from './errors';

function onPath(prog: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((d) => d !== '' && fs.existsSync(path.join(d, prog)));
}

function capture(argv: readonly string[], timeoutMs: number): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      if (out.length < 1 << 20) out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 1 << 16) err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', () => resolve({ code: 127, out: '', err: `${argv[0]!}: cannot run` }));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out, err });
    });
  });
}

export async function resolveSlurm(word: string): Promise<string> {
  if (!/^\d+$/.test(word)) throw new UriError(`slurm:${word}: JOBID must be a Slurm job id`);
  if (!onPath('srun')) throw new UriError(`slurm:${word}: Slurm is not available here (srun not found in PATH)`);
  const srun = ['srun', '--overlap', `--jobid=${word}`, '-N1', '-n1'];
  const pids = await capture([...srun, 'scontrol', 'listpids', word], 60_000);
  if (pids.code !== 0) {
    // srun's first error line says why (no controller, no such job)
    const why = pids.err.split('\n').find((l) => /error/i.test(l)) ?? `exit ${pids.code}`;
    throw new UriError(`slurm:${word}: srun scontrol listpids failed: ${why.trim()}`);
  }
  const list = pids.out
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((p) => /^\d+$/.test(p));
  for (const pid of list) {
    const r = await capture([...srun, 'flux', 'uri', '--remote', `pid:${pid}`], 60_000);
    const uri = r.out.trim();
    if (r.code === 0 && /^(local|ssh):\/\//.test(uri)) return uri;
  }
  throw new UriError(`slurm:${word}: no Flux instance found among the job's processes`);
}
