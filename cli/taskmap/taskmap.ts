/**
 * RFC 34 task maps: the JSON block form `[[nodeid, nnodes, ppn, repeat], ...]`
 * (also wrapped as `{"version":1,"map":[...]}`), the `raw` form (one task idset
 * per node, `;` between nodes) and the PMI `(vector,(nodeid,nnodes,ppn),...)`
 * form; decoded to the node of each task, and encoded back.
 */
import { idset } from '../../lib/formats';

export class TaskmapError extends Error {}

/** the node id of each task, in task order */
export type NodeOfTask = number[];

type Block = [number, number, number, number];

function fromBlocks(blocks: unknown): NodeOfTask {
  if (!Array.isArray(blocks)) throw new TaskmapError('taskmap is not an array of blocks');
  const out: number[] = [];
  for (const b of blocks) {
    if (!Array.isArray(b) || b.length !== 4 || !b.every((x) => Number.isInteger(x) && x >= 0)) throw new TaskmapError(`invalid taskmap block ${JSON.stringify(b)}`);
    const [start, nnodes, ppn, repeat] = b as Block;
    if (out.length + nnodes * ppn * repeat > 1_000_000) throw new TaskmapError('taskmap too large');
    for (let r = 0; r < repeat; r++) for (let n = start; n < start + nnodes; n++) for (let k = 0; k < ppn; k++) out.push(n);
  }
  return out;
}

/** Decode a task map in any of the three forms. */
export function decodeTaskmap(text: string): NodeOfTask {
  const s = text.trim();
  if (s.startsWith('(vector')) {
    const blocks: Block[] = [];
    for (const m of s.matchAll(/\((\d+),(\d+),(\d+)\)/g)) blocks.push([Number(m[1]), Number(m[2]), Number(m[3]), 1]);
    if (blocks.length === 0) throw new TaskmapError(`invalid PMI process mapping '${s}'`);
    return fromBlocks(blocks);
  }
  if (s.startsWith('[') || s.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      throw new TaskmapError(`invalid taskmap '${s}'`);
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) v = (v as { map?: unknown }).map;
    return fromBlocks(v);
  }
  // raw: the task ids of node 0; node 1; ...
  const out: number[] = [];
  const nodes = s.split(';');
  nodes.forEach((ids, node) => {
    let tasks: number[];
    try {
      tasks = idset.decode(ids);
    } catch {
      throw new TaskmapError(`invalid taskmap '${s}'`);
    }
    for (const t of tasks) {
      if (t > 1_000_000) throw new TaskmapError('taskmap too large');
      if (out[t] !== undefined) throw new TaskmapError(`invalid taskmap '${s}': task ${t} on two nodes`);
      out[t] = node;
    }
  });
  for (let t = 0; t < out.length; t++) if (out[t] === undefined) throw new TaskmapError(`invalid taskmap '${s}': no node for task ${t}`);
  if (out.length === 0) throw new TaskmapError(`invalid taskmap '${s}'`);
  return out;
}

/** the RFC 34 JSON blocks, consecutive nodes with equal task counts merged, repeats folded */
export function encodeBlocks(map: NodeOfTask): Block[] {
  // runs of tasks on one node
  const runs: Array<[number, number]> = [];
  for (const n of map) {
    const last = runs[runs.length - 1];
    if (last && last[0] === n) last[1]++;
    else runs.push([n, 1]);
  }
  const blocks: Block[] = [];
  for (const [node, count] of runs) {
    const last = blocks[blocks.length - 1];
    if (last && last[3] === 1 && last[2] === count && last[0] + last[1] === node) last[1]++;
    else blocks.push([node, 1, count, 1]);
  }
  // fold identical consecutive blocks into repeats
  const folded: Block[] = [];
  for (const b of blocks) {
    const last = folded[folded.length - 1];
    if (last && last[0] === b[0] && last[1] === b[1] && last[2] === b[2]) last[3] += b[3];
    else folded.push([...b]);
  }
  return folded;
}

export const encodeJson = (map: NodeOfTask): string => JSON.stringify(encodeBlocks(map));

export function nodeCount(map: NodeOfTask): number {
  return map.length === 0 ? 0 : Math.max(...map) + 1;
}

export function tasksOn(map: NodeOfTask, node: number): number[] {
  const out: number[] = [];
  map.forEach((n, t) => n === node && out.push(t));
  return out;
}

export function encodeRaw(map: NodeOfTask): string {
  const parts: string[] = [];
  for (let n = 0; n < nodeCount(map); n++) parts.push(idset.encode(tasksOn(map, n)));
  return parts.join(';');
}

/** PMI_process_mapping: the RFC 34 blocks with their repeats written out, as Flux converts them */
export function encodePmi(map: NodeOfTask): string {
  const parts: string[] = [];
  for (const [node, nodes, ppn, rep] of encodeBlocks(map)) for (let i = 0; i < rep; i++) parts.push(`(${node},${nodes},${ppn})`);
  return `(vector,${parts.join(',')})`;
}
