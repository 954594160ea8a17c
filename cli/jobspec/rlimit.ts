/**
 * The submitter's resource limits, as the `rlimit` shell option Flux's CLI always
 * adds (read from /proc/self/limits; -1 = unlimited).
 */
import * as fs from 'node:fs';
import { originPid } from '../pool/origin';

const NAMES: Array<[string, string]> = [
  ['cpu', 'Max cpu time'],
  ['fsize', 'Max file size'],
  ['data', 'Max data size'],
  ['stack', 'Max stack size'],
  ['core', 'Max core file size'],
  ['nofile', 'Max open files'],
  ['as', 'Max address space'],
  ['rss', 'Max resident set'],
  ['nproc', 'Max processes'],
];

let cached: Record<string, number> | undefined;

export function currentRlimits(): Record<string, number> {
  if (cached) return { ...cached };
  const out: Record<string, number> = {};
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${originPid()}/limits`, 'utf8');
  } catch {
    text = '';
  }
  for (const [key, label] of NAMES) {
    const line = text.split('\n').find((l) => l.startsWith(label));
    if (!line) continue;
    const soft = line.slice(label.length).trim().split(/\s+/)[0] ?? '';
    out[key] = soft === 'unlimited' ? -1 : Number(soft);
  }
  cached = out;
  return { ...out };
}
