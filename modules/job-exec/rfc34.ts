/**
 * RFC 34 taskmaps: the encoding of which task ranks run on which node of a
 * job (the exec eventlog's shell.start, PMI's flux.taskmap) and its
 * PMI_process_mapping. The shell option `taskmap` that re-maps tasks is the
 * taskmap plugin (plugins/shell/taskmap).
 */
import { shellTaskRanks, type ShellPlacement } from './taskmap';

export type Rfc34Block = [number, number, number, number];

/** node id (shell rank) of each task rank */
function nodeOfTask(placements: readonly ShellPlacement[]): number[] {
  const out: number[] = [];
  for (const p of placements) for (const r of shellTaskRanks(p)) out[r] = p.shellRank;
  return out;
}

/** RFC 34 blocks [nodeid, nnodes, ppn, repeat] of a task-to-node list. */
export function encodeRfc34(nodeOf: readonly number[]): Rfc34Block[] {
  // runs of consecutive tasks on one node
  const runs: Array<[number, number]> = [];
  for (const n of nodeOf) {
    const last = runs[runs.length - 1];
    if (last && last[0] === n) last[1]++;
    else runs.push([n, 1]);
  }
  // runs of equal size on consecutive nodes form a block
  const blocks: Array<[number, number, number]> = [];
  for (const [n, c] of runs) {
    const last = blocks[blocks.length - 1];
    if (last && last[2] === c && last[0] + last[1] === n) last[1]++;
    else blocks.push([n, 1, c]);
  }
  // equal consecutive blocks repeat
  const out: Rfc34Block[] = [];
  for (const [a, b, c] of blocks) {
    const last = out[out.length - 1];
    if (last && last[0] === a && last[1] === b && last[2] === c) last[3]++;
    else out.push([a, b, c, 1]);
  }
  return out;
}

/** The RFC 34 taskmap of a placement (tasks as the shells run them). */
export function placementTaskmap(placements: readonly ShellPlacement[]): { version: 1; map: Rfc34Block[] } {
  return { version: 1, map: encodeRfc34(nodeOfTask(placements)) };
}

/** PMI_process_mapping of a placement: the RFC 34 blocks, repeats written out. */
export function placementPmiMapping(placements: readonly ShellPlacement[]): string {
  const parts: string[] = [];
  for (const [a, b, c, rep] of placementTaskmap(placements).map) for (let i = 0; i < rep; i++) parts.push(`(${a},${b},${c})`);
  return `(vector,${parts.join(',')})`;
}
