/**
 * The command groups of `flux help` (and `flux --help`), in Flux 0.88's order
 * and words. A command is listed only when this build has it, so the list
 * grows as commands are added; `pgrep/pkill` needs both.
 */
export interface HelpEntry {
  /** the name shown; `a/b` stands for several command words */
  readonly name: string;
  readonly description: string;
}

export interface HelpGroup {
  readonly title: string;
  readonly entries: readonly HelpEntry[];
}

export const HELP_GROUPS: readonly HelpGroup[] = [
  {
    title: 'run and submit jobs, allocate resources',
    entries: [
      { name: 'submit', description: 'submit a job to a Flux instance' },
      { name: 'run', description: 'run a Flux job interactively' },
      { name: 'bulksubmit', description: 'submit jobs in bulk to a Flux instance' },
      { name: 'alloc', description: 'allocate a new Flux instance for interactive use' },
      { name: 'batch', description: 'submit a batch script to Flux' },
    ],
  },
  {
    title: 'list and interact with jobs',
    entries: [
      { name: 'jobs', description: 'list jobs submitted to Flux' },
      { name: 'top', description: 'display running Flux jobs' },
      { name: 'pstree', description: 'display job hierarchies' },
      { name: 'cancel', description: 'cancel one or more jobs' },
      { name: 'pgrep/pkill', description: 'search or cancel matching jobs' },
      { name: 'job', description: 'get job status, info, etc (see: flux help job)' },
      { name: 'proxy', description: 'proxy connections to Flux jobs and instances' },
      { name: 'watch', description: 'monitor one or more Flux jobs' },
      { name: 'update', description: 'update active Flux jobs' },
    ],
  },
  {
    title: 'get resource, queue and other instance information',
    entries: [
      { name: 'resource', description: 'list/manipulate Flux resource status' },
      { name: 'queue', description: 'list and manipulate flux queues' },
      { name: 'overlay', description: 'Show flux overlay network status' },
      { name: 'uptime', description: 'Tell how long Flux has been up and running' },
    ],
  },
  {
    title: 'other useful commands',
    entries: [
      { name: 'start', description: 'bootstrap a local Flux instance' },
      { name: 'version', description: 'Display flux version information' },
      { name: 'config', description: 'Manage/query Flux configuration' },
      { name: 'env', description: 'Print the flux environment or execute a command inside it' },
      { name: 'admin', description: 'Flux administration subcommands' },
      { name: 'hostlist', description: 'fetch, combine, and manipulate Flux hostlists' },
    ],
  },
];
