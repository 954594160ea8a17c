/**
 * The require-instance validator ([ingest.validator], flux-config-ingest(5)):
 * a job at or above the configured size must be a new Flux instance, i.e. a
 * `flux batch` job (attributes.system.batch) or a command that starts with
 * `flux broker` or `flux start` (as `flux alloc` submits). Below the size, or
 * with no size set and any job, the message is Flux's.
 */
import { jobSize } from '../../lib/jobspec-size';

type Obj = Record<string, unknown>;

export function requireInstanceRefusal(jobspec: Obj, min: { nnodes: number; ncores: number }): string | undefined {
  const size = jobSize(jobspec);
  // a job smaller than both minimums is let through (a jobspec without nodes counts only cores)
  const big = (size.nnodes !== undefined && size.nnodes >= min.nnodes) || (size.ncores ?? 0) >= min.ncores;
  if (!big) return undefined;
  const sys = (jobspec['attributes'] as Obj | undefined)?.['system'] as Obj | undefined;
  if (sys !== undefined && 'batch' in sys) return undefined;
  const command = ((jobspec['tasks'] as Obj[] | undefined)?.[0]?.['command'] as unknown[] | undefined) ?? [];
  const arg0 = typeof command[0] === 'string' ? command[0].slice(command[0].lastIndexOf('/') + 1) : '';
  if (arg0 === 'flux' && (command[1] === 'broker' || command[1] === 'start')) return undefined;
  let text = 'Direct job submission disabled';
  if (min.nnodes === 0 && min.ncores === 0) text += ' for all jobs in this instance';
  else {
    text += ' for jobs >=';
    if (min.nnodes > 0) text += ` ${min.nnodes} nodes`;
    if (min.ncores > 0) text += `${min.nnodes > 0 ? ' or' : ''} ${min.ncores} cores`;
  }
  return `${text}. Please use flux-batch(1) or flux-alloc(1)`;
}
