/**
 * A static config of two nodes, each the only member of one named queue
 * (debug: node0, batch: node1, the default), for tests of per-queue behaviour.
 */
export const TWO_QUEUES_TOML = [
  '[resource]',
  'noverify = true',
  'config = [',
  '  { hosts = "node[0-1]", cores = "0-1" },',
  '  { hosts = "node0", properties = ["debug"] },',
  '  { hosts = "node1", properties = ["batch"] },',
  ']',
  '[queues.debug]',
  'requires = ["debug"]',
  '[queues.batch]',
  'requires = ["batch"]',
  '[policy.jobspec.defaults.system]',
  'queue = "batch"',
  '',
].join('\n');
