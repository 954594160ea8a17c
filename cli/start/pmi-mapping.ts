import { decode as decodeIdset } from '../../lib/formats/idset';

/**
 * PMI_process_mapping for --test-pmi-clique (pmi.md §5): `single` (one node of
 * N), `per-broker` (N nodes of 1), `none` (undefined: key absent), or an RFC 34
 * taskmap (JSON, wrapped JSON, `(vector,...)`, or raw `idset;idset...`).
 * Throws Error with the parse problem.
 */
export function processMapping(mode: string, n: number): string | undefined {
  if (mode === 'single') return `(vector,(0,1,${n}))`;
  if (mode === 'per-broker') return `(vector,(0,${n},1))`;
  if (mode === 'none') return undefined;
  if (mode.startsWith('(vector,')) {
    if (!/^\(vector(,\(\d+,\d+,\d+\))*\)$/.test(mode)) throw new Error(`invalid PMI process mapping '${mode}'`);
    return mode;
  }
  let blocks: number[][];
  if (mode.startsWith('[') || mode.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(mode);
    } catch (e) {
      throw new Error(`invalid taskmap JSON: ${(e as Error).message}`, { cause: e });
    }
    const map = Array.isArray(doc) ? doc : (doc as { map?: unknown }).map;
    const ok = (b: unknown) => Array.isArray(b) && b.length === 4 && b.every((x) => Number.isInteger(x) && (x as number) >= 0);
    if (!Array.isArray(map) || !map.every(ok)) throw new Error('invalid taskmap: expected [[nodeid,nnodes,ppn,repeat],...]');
    blocks = map as number[][];
  } else {
    blocks = rawTaskmapBlocks(mode);
  }
  const out: string[] = [];
  for (const [nodeid, nnodes, ppn, repeat] of blocks) {
    for (let i = 0; i < repeat!; i++) out.push(`(${nodeid},${nnodes},${ppn})`);
  }
  return `(vector${out.map((b) => ',' + b).join('')})`;
}

/** Raw taskmap `0-3;4-7`: node i holds the ranks of the i-th idset (in order). */
function rawTaskmapBlocks(s: string): number[][] {
  const blocks: number[][] = [];
  let next = 0;
  s.split(';').forEach((part, node) => {
    const ids = decodeIdset(part);
    if (ids.length === 0 || ids[0] !== next || ids[ids.length - 1] !== next + ids.length - 1) {
      throw new Error(`taskmap '${s}': node ${node} ranks are not the next consecutive block`);
    }
    next += ids.length;
    const last = blocks[blocks.length - 1];
    if (last && last[2] === ids.length && last[0]! + last[1]! === node) last[1]!++;
    else blocks.push([node, 1, ids.length, 1]);
  });
  return blocks;
}
