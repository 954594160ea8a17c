/**
 * The shell option `taskmap` ({scheme, value}, flux-submit(1) --taskmap):
 * which task ranks run on which node of the job, given how many tasks each
 * node runs (the block placement of taskmap.ts decides the counts):
 *
 *   block           task ranks contiguous per node (the default)
 *   cyclic[:N]      N consecutive ranks (default 1) to each node in turn, skipping full nodes
 *   manual:TASKMAP  an RFC 34 taskmap (`[[0,1,1,1],[1,1,1,1]]`) or raw (`0,2;1,3`)
 *   hostfile:FILE   one hostname a line, task i to the host of line i
 *
 * A map that does not give each node the number of tasks it runs is refused.
 * (The RFC 34 encoding of a placement is the host's: modules/job-exec/rfc34.ts.)
 */
import { idset } from '../../../kernel/api';
import { ShellError, type ShellPlacement } from '../../../modules/job-exec/plugin-api';

/** A taskmap error: the job's exec exception. */
export class TaskmapError extends ShellError {}

/** Decode an RFC 34 taskmap (JSON, wrapped or not) or a raw one (`0-1;2,3`): the node of each task. */
export function decodeTaskmap(text: string): number[] {
  const t = text.trim();
  if (t.startsWith('[') || t.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      throw new TaskmapError(`taskmap: invalid JSON '${t}'`);
    }
    const map = Array.isArray(v) ? v : (v as { map?: unknown } | null)?.map;
    if (!Array.isArray(map)) throw new TaskmapError(`taskmap: no map in '${t}'`);
    const out: number[] = [];
    for (const b of map) {
      if (!Array.isArray(b) || b.length !== 4 || !b.every((x) => Number.isInteger(x) && (x as number) >= 0)) {
        throw new TaskmapError(`taskmap: invalid block ${JSON.stringify(b)} (expected [nodeid,nnodes,ppn,repeat])`);
      }
      const [a, n, c, rep] = b as number[];
      if (out.length + n! * c! * rep! > 1_000_000) throw new TaskmapError('taskmap: too many tasks');
      for (let r = 0; r < rep!; r++) for (let i = 0; i < n!; i++) for (let k = 0; k < c!; k++) out.push(a! + i);
    }
    return out;
  }
  // raw: task ids of node 0; of node 1; ...
  const out: number[] = [];
  const seen = new Set<number>();
  t.split(';').forEach((set, node) => {
    let ids: number[];
    try {
      if (!/^[0-9][0-9,-]*$/.test(set.trim())) throw new Error();
      ids = idset.decode(set.trim());
    } catch {
      throw new TaskmapError(`taskmap: error parsing range '${set}'`);
    }
    for (const id of ids) {
      if (seen.has(id)) throw new TaskmapError(`taskmap: task ${id} is mapped twice`);
      seen.add(id);
      out[id] = node;
    }
  });
  for (let i = 0; i < out.length; i++) if (out[i] === undefined) throw new TaskmapError(`taskmap: task ${i} is not mapped`);
  return out;
}

/** cyclic:N over nodes with `counts` tasks each */
function cyclic(counts: readonly number[], stride: number): number[] {
  const left = [...counts];
  const total = counts.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  let node = 0;
  while (out.length < total) {
    for (let k = 0; k < stride && left[node]! > 0; k++) {
      out.push(node);
      left[node]!--;
    }
    node = (node + 1) % counts.length;
  }
  return out;
}

/** hostfile lines over nodes named `hosts` with `counts` tasks each */
function byHostfile(text: string, hosts: readonly string[], counts: readonly number[], total: number): number[] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length < total) throw new TaskmapError(`taskmap: hostfile has ${lines.length} hosts for ${total} tasks`);
  const left = [...counts];
  return lines.slice(0, total).map((h) => {
    const node = hosts.findIndex((x, i) => x === h && left[i]! > 0);
    if (node < 0) {
      throw new TaskmapError(
        hosts.includes(h) ? `taskmap: hostfile gives host ${h} more tasks than it runs` : `taskmap: host ${h} is not in the job`,
      );
    }
    left[node]!--;
    return node;
  });
}

/** The option's {scheme, value}; a malformed one throws. */
export function taskmapOption(opt: unknown): { scheme: string; value: string } | undefined {
  if (opt === undefined) return undefined;
  const o = opt as { scheme?: unknown; value?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.scheme !== 'string') throw new TaskmapError('taskmap: the option must be {scheme, value}');
  const value = o.value === undefined ? '' : String(o.value);
  return { scheme: o.scheme, value };
}

/**
 * Re-map the tasks of a block placement by the option (in place: each
 * placement gets its `ranks`). readFile reads a hostfile (the caller bounds it).
 */
export async function applyTaskmap(
  placements: ShellPlacement[],
  opt: unknown,
  hosts: readonly string[],
  readFile: (path: string) => Promise<string>,
): Promise<void> {
  const tm = taskmapOption(opt);
  if (!tm) return;
  const sorted = [...placements].sort((a, b) => a.shellRank - b.shellRank);
  const counts = sorted.map((p) => p.count);
  const total = counts.reduce((a, b) => a + b, 0);
  let nodeOf: number[];
  switch (tm.scheme) {
    case 'block':
      if (tm.value !== '') throw new TaskmapError(`taskmap: block takes no value (got '${tm.value}')`);
      return;
    case 'cyclic': {
      const stride = tm.value === '' ? 1 : Number(tm.value);
      if (!/^[0-9]*$/.test(tm.value) || !Number.isInteger(stride) || stride < 1) throw new TaskmapError(`taskmap.cyclic: invalid cyclic stride: ${tm.value}`);
      nodeOf = cyclic(counts, stride);
      break;
    }
    case 'manual':
      nodeOf = decodeTaskmap(tm.value);
      break;
    case 'hostfile': {
      if (tm.value === '') throw new TaskmapError('taskmap: hostfile needs a file');
      let text: string;
      try {
        text = await readFile(tm.value);
      } catch (e) {
        throw new TaskmapError(`taskmap: hostfile ${tm.value}: ${(e as Error).message}`);
      }
      nodeOf = byHostfile(text, hosts, counts, total);
      break;
    }
    default:
      throw new TaskmapError(`failed to map tasks with scheme=${tm.scheme}`);
  }
  if (nodeOf.length !== total) throw new TaskmapError(`taskmap: the map has ${nodeOf.length} tasks, the job has ${total}`);
  const ranks: number[][] = sorted.map(() => []);
  nodeOf.forEach((node, task) => {
    if (node >= sorted.length) throw new TaskmapError(`taskmap: node ${node} is not in the job (it has ${sorted.length} nodes)`);
    ranks[node]!.push(task);
  });
  sorted.forEach((p, i) => {
    if (ranks[i]!.length !== p.count) {
      throw new TaskmapError(`taskmap: the map gives node ${i} ${ranks[i]!.length} tasks, it runs ${p.count}`);
    }
  });
  sorted.forEach((p, i) => {
    p.ranks = ranks[i]!;
    p.first = ranks[i]![0] ?? p.first;
  });
}
