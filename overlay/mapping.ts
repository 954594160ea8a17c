/**
 * Broker placement on nodes (which ranks share a node): decoded from PMI's
 * `PMI_process_mapping` (RFC 13 vector form) or `flux.taskmap` (RFC 34), and
 * re-encoded as the RFC 34 array the broker.mapping attribute holds.
 */

/** [nodeid, nnodes, ppn, repeat] */
export type Block = [number, number, number, number];

/** Parse either form; undefined when empty or unknown. Throws on garbage. */
export function parseMapping(text: string | undefined): Block[] | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === '') return undefined;
  if (t.startsWith('(vector')) {
    const blocks: Block[] = [];
    const re = /\((\d+),(\d+),(\d+)\)/g;
    for (let m = re.exec(t); m; m = re.exec(t)) blocks.push([Number(m[1]), Number(m[2]), Number(m[3]), 1]);
    if (blocks.length === 0) throw new Error(`invalid PMI_process_mapping '${text}'`);
    return blocks;
  }
  const v = JSON.parse(t) as unknown;
  const map = Array.isArray(v) ? v : (v as { map?: unknown }).map;
  if (!Array.isArray(map)) throw new Error(`invalid taskmap '${text}'`);
  if (map.length === 0) return undefined;
  return map.map((b) => {
    if (!Array.isArray(b) || b.length !== 4 || !b.every((n) => Number.isInteger(n) && n >= 0)) {
      throw new Error(`invalid taskmap '${text}'`);
    }
    return b as Block;
  });
}

/** node id of every rank 0..size-1, or undefined if the map does not cover them */
export function nodesOf(blocks: Block[], size: number): number[] | undefined {
  const out: number[] = [];
  for (const [nodeid, nnodes, ppn, repeat] of blocks) {
    for (let r = 0; r < repeat; r++) {
      for (let n = 0; n < nnodes; n++) for (let p = 0; p < ppn; p++) out.push(nodeid + n);
    }
  }
  return out.length === size ? out : undefined;
}

export const encodeMapping = (blocks: Block[]): string => JSON.stringify(blocks);
