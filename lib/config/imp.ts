/**
 * `[exec] imp` of a config document (flux-config-exec(5)): the IMP through
 * which a guest's job runs as its submitter. job-exec runs guests' jobs
 * through it; job-ingest refuses them when it is not set.
 */
export function impPath(config: Readonly<Record<string, unknown>>): string | undefined {
  const v = (config['exec'] as { imp?: unknown } | undefined)?.imp;
  return typeof v === 'string' ? v : undefined;
}
