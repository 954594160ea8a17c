/**
 * Job shell options the instance knows (flux-shell-options(7) plus what our
 * run/submit/batch and job shell use). job-ingest rejects any other top-level
 * name under attributes.system.shell.options.
 */
export const KNOWN_SHELL_OPTIONS: ReadonlySet<string> = new Set([
  'output',
  'error',
  'input',
  'label-io',
  'rlimit',
  'verbose',
  'nosetpgrp',
  'exit-timeout',
  'exit-on-error',
  'cpu-affinity',
  'gpu-affinity',
  'pmi',
  'pmi-simple',
  'pty',
  'signal',
  'initrc',
  'userrc',
  'stage-in',
  'hwloc',
  'mpi',
  'per-resource',
  'taskmap',
  'batch',
  'tmpdir',
  'cwd',
  'stop-tasks-in-exec',
  'sysmon',
  'oom',
]);
