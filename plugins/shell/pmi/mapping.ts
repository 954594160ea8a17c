/** PMI_process_mapping (vector form) of tasks laid out on shells in order: `(vector,(0,2,4))` = 2 nodes of 4. */
export function processMapping(counts: readonly number[]): string {
  const blocks: Array<[number, number, number]> = [];
  counts.forEach((n, node) => {
    const last = blocks[blocks.length - 1];
    if (last && last[2] === n && last[0] + last[1] === node) last[1]++;
    else blocks.push([node, 1, n]);
  });
  return `(vector${blocks.map(([a, b, c]) => `,(${a},${b},${c})`).join('')})`;
}

