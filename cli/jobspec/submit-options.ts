/**
 * The options of the submission commands (flux-submit(1) and its family), as
 * option specs: run, submit and bulksubmit share COMMON_OPTIONS; submit and
 * bulksubmit add SUBMIT_OPTIONS; batch and alloc take INSTANCE_OPTIONS (slots
 * instead of tasks). Their parsing is argparse's, stopping at the command.
 */
import type { CommandSpec, OptionSpec } from '../options';

const RES = 'Common resource options';
const PER_TASK = 'Per task options';
const PER_RES = 'Per resource options';
/** Flux 0.88 lists the options of its CLI plugins (the builtin shape plugin's) under this heading */
const PLUGINS = 'Options provided by plugins (--help=OPTION for extended plugin documentation)';

/** The options of Flux's builtin shape plugin (cli/jobspec/shape-options.ts), on every submission command. */
const PLUGIN_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'resources-shape',
    arg: 'SHAPE',
    group: PLUGINS,
    description: 'Provide an RFC 46 jobspec shape on the command line (e.g. node=2/slot=4/core=2) as the resources of the job; the other resource options may not be given with it',
  },
  { name: 'resources-json', arg: 'FILE', group: PLUGINS, description: 'Provide a JSON file specifying the `resources` section of a jobspec' },
];

/** Options every submission command takes (and how the job runs). */
const JOB_OPTIONS: readonly OptionSpec[] = [
  { name: 'queue', short: 'q', arg: 'NAME', description: 'Submit a job to a specific named queue' },
  { name: 'bank', short: 'B', arg: 'BANK', description: 'Submit a job to a specific named bank' },
  {
    name: 'time-limit',
    short: 't',
    arg: 'MIN|FSD',
    description: 'Time limit in minutes when no units provided, otherwise in Flux standard duration, e.g. 30s, 2d, 1.5h',
  },
  { name: 'urgency', arg: 'N', default: '16', description: 'Set job urgency (0-31), hold=0, default=16, expedite=31' },
  { name: 'job-name', arg: 'NAME', description: 'Set an optional name for job to NAME' },
  {
    name: 'setopt',
    short: 'o',
    arg: 'OPT',
    repeatable: true,
    description: 'Set shell option OPT. An optional value is supported with OPT=VAL (default VAL=1) (multiple use OK)',
  },
  {
    name: 'setattr',
    short: 'S',
    arg: 'ATTR',
    repeatable: true,
    description:
      'Set job attribute ATTR. An optional value is supported with ATTR=VAL (default VAL=1). If ATTR starts with ^, then VAL is a file containing valid JSON which will be used as the value of the attribute. (multiple use OK)',
  },
  { name: 'dependency', arg: 'URI', repeatable: true, description: 'Set an RFC 26 dependency URI for this job (multiple use OK)' },
  {
    name: 'begin-time',
    arg: '+FSD|TIME',
    repeatable: true,
    description: 'Set minimum start time as offset in FSD (e.g. +1h) or an absolute TIME (e.g. "2025-01-01T10:00:00") for job',
  },
  {
    name: 'env',
    arg: 'RULE',
    repeatable: true,
    description:
      "Control how environment variables are exported. If RULE starts with '-' apply rest of RULE as a remove filter (see --env-remove), if '^' then read rules from a file (see --env-file). Otherwise, set matching environment variables from the current environment (--env=PATTERN) or set a value explicitly (--env=VAR=VALUE). Rules are applied in the order they are used on the command line. (multiple use OK)",
  },
  {
    name: 'env-remove',
    arg: 'PATTERN',
    repeatable: true,
    description:
      "Remove environment variables matching PATTERN. If PATTERN starts with a '/', then it is matched as a regular expression, otherwise PATTERN is a shell glob expression. (multiple use OK)",
  },
  { name: 'env-file', arg: 'FILE', repeatable: true, description: 'Read a set of environment rules from FILE. (multiple use OK)' },
  { name: 'cwd', arg: 'DIRECTORY', description: 'Set job working directory' },
  { name: 'flags', arg: 'FLAGS', repeatable: true, description: 'Set comma separated list of job submission flags. Possible flags: debug, waitable, novalidate' },
  {
    name: 'unbuffered',
    short: 'u',
    description: 'Disable buffering of input and output: the job shell sends output as the tasks write it, not a line at a time (shell options output.stdout.buffer.type=none, output.stderr.buffer.type=none)',
  },
  { name: 'dry-run', description: "Don't actually submit job, just emit jobspec" },
  { name: 'verbose', short: 'v', description: 'Increase verbosity on stderr (multiple use OK)' },
  {
    name: 'requires',
    arg: 'CONSTRAINT',
    repeatable: true,
    description: 'Specify a set of allowable properties and other attributes to consider when matching resources for a job',
  },
  {
    name: 'rlimit',
    arg: 'RULE',
    repeatable: true,
    description:
      "Control how process resource limits are propagated with RULE. Rules are applied in the order in which they are used on the command line. A RULE is a comma-separated list: NAME propagates the current limit NAME (a glob: * for all), -NAME does not, NAME=VALUE sets it (a number, or unlimited). By default cpu, fsize, data, stack, core, nofile, as, rss and nproc are propagated; --rlimit=-* propagates none. (multiple use OK)",
  },
  {
    name: 'signal',
    arg: '[SIG][@TIME]',
    description: 'Send signal SIG (default SIGUSR1) to the job TIME (a Flux standard duration, default 60s) before its time limit expires',
  },
  {
    name: 'add-file',
    // Flux 0.88's metavar (its --help layout follows from it); NAME may be NAME:PERMS
    arg: '[NAME=]PATH',
    repeatable: true,
    description:
      'Add a file to the job, extracted to $FLUX_JOB_TMPDIR/NAME before its tasks start. PATH is a file (NAME defaults to its name), or, if it contains a newline, the content itself. NAME:PERMS=PATH sets the octal mode. At most 10 MiB in all. (multiple use OK)',
  },
  { name: 'debug', description: 'Enable job debug events (as --flags=debug)' },
  { name: 'list-plugins', description: 'List the CLI plugins and their options, and exit' },
];

/** Job output and input (run, submit, bulksubmit: batch and alloc have their own defaults). */
const IO_OPTIONS: readonly OptionSpec[] = [
  { name: 'input', arg: 'FILENAME|RANKS', description: 'Redirect job stdin from FILENAME, bypassing KVS (flux run: or send our stdin to RANKS only)' },
  { name: 'output', arg: 'FILENAME', description: 'Redirect job stdout to FILENAME, bypassing KVS' },
  { name: 'error', arg: 'FILENAME', description: 'Redirect job stderr to FILENAME, bypassing KVS' },
  { name: 'label-io', short: 'l', description: 'Add rank labels to stdout, stderr lines' },
];

/** The options of flux run (and the base of submit and bulksubmit). */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  ...JOB_OPTIONS,
  ...IO_OPTIONS,
  {
    name: 'taskmap',
    arg: 'URI',
    description:
      'Map tasks to nodes by scheme: block (the default: consecutive ranks on each node), cyclic[:N] (N ranks to each node in turn), manual:TASKMAP (an RFC 34 taskmap), hostfile:FILE (task i to the host on line i of FILE)',
  },
  { name: 'nodes', short: 'N', arg: 'N', group: RES, description: 'Number of nodes to allocate' },
  { name: 'exclusive', short: 'x', group: RES, description: 'With -N, --nodes, allocate nodes exclusively' },
  { name: 'ntasks', short: 'n', arg: 'N', group: PER_TASK, description: 'Number of tasks to start' },
  { name: 'cores-per-task', short: 'c', arg: 'N', group: PER_TASK, description: 'Number of cores to allocate per task' },
  { name: 'gpus-per-task', short: 'g', arg: 'N', group: PER_TASK, description: 'Number of GPUs to allocate per task' },
  { name: 'cores', arg: 'N', group: PER_RES, description: 'Request a total number of cores' },
  { name: 'tasks-per-node', arg: 'N', group: PER_RES, description: 'Force number of tasks per node' },
  { name: 'tasks-per-core', arg: 'N', group: PER_RES, description: 'Force number of tasks per core' },
  { name: 'gpus-per-node', arg: 'N', group: PER_RES, description: 'Request a number of GPUs per node with --nodes' },
  ...PLUGIN_OPTIONS,
];

/** What flux submit and bulksubmit add: copies, waiting, progress, logs. */
export const SUBMIT_OPTIONS: readonly OptionSpec[] = [
  { name: 'quiet', description: 'Do not print jobid to stdout on submission' },
  { name: 'cc', arg: 'IDSET', description: 'Replicate job for each ID in IDSET. (FLUX_JOB_CC=ID will be set for each job submitted)' },
  { name: 'bcc', arg: 'IDSET', description: 'Like --cc, but FLUX_JOB_CC is not set' },
  { name: 'wait-event', arg: 'NAME', description: 'Wait for event NAME for all jobs after submission' },
  { name: 'wait', description: 'Wait for all jobs to complete after submission' },
  { name: 'watch', description: 'Watch all job output (implies --wait)' },
  { name: 'progress', description: 'Show progress of job submission or completion (with --wait)' },
  { name: 'jps', description: 'With --progress, show job throughput' },
  { name: 'log', arg: 'FILE', description: 'Print program log messages (e.g. submitted jobid) to FILE instead of terminal' },
  { name: 'log-stderr', arg: 'FILE', description: 'Separate stderr into FILE instead of terminal' },
];

/** flux batch and flux alloc: a Flux instance as the job, resources as slots. */
export const INSTANCE_OPTIONS: readonly OptionSpec[] = [
  ...JOB_OPTIONS,
  { name: 'nslots', short: 'n', arg: 'N', group: RES, description: 'Number of total resource slots requested. The size of a resource slot may be specified via the -c, --cores-per-slot and -g, --gpus-per-slot options. The default slot size is 1 core.' },
  { name: 'cores-per-slot', short: 'c', arg: 'N', group: RES, description: 'Number of cores to allocate per slot' },
  { name: 'gpus-per-slot', short: 'g', arg: 'N', group: RES, description: 'Number of GPUs to allocate per slot' },
  { name: 'nodes', short: 'N', arg: 'N', group: RES, description: 'Distribute allocated resource slots across N individual nodes' },
  { name: 'exclusive', short: 'x', group: RES, description: 'With --nodes, allocate nodes exclusively' },
  {
    name: 'broker-opts',
    arg: 'OPTS',
    repeatable: true,
    description: 'Pass options to flux brokers (multiple use OK)',
  },
  {
    name: 'conf',
    arg: 'CONF',
    repeatable: true,
    description: 'Set configuration for the child Flux instance: CONF is KEY=VAL, a multi-line TOML or JSON string, a .toml or .json file, or the NAME of a config in ~/.config/flux/config or /etc/xdg/flux/config (multiple use OK)',
  },
  { name: 'dump', arg: 'FILE', optionalArg: true, description: 'Archive the instance\'s KVS to FILE (default flux-{{jobid}}-dump.tgz) when it exits' },
  ...PLUGIN_OPTIONS,
];

/** A submission command's spec: argparse, options up to the command. */
/** the order in which Flux 0.88's `flux run --help` lists the options its submission commands share */
const FLUX_HELP_ORDER = [
  'bank', 'queue', 'time-limit', 'urgency', 'job-name', 'setopt', 'setattr', 'add-file', 'dependency', 'requires', 'begin-time',
  'env', 'env-remove', 'env-file', 'rlimit', 'input', 'output', 'error', 'unbuffered', 'label-io', 'cwd', 'flags', 'signal',
  'dry-run', 'quiet', 'list-plugins', 'taskmap', 'verbose', 'wait-event',
];

/** options in Flux's --help order: those it lists first, in its order, then the others as they were */
function fluxHelpOrder(options: readonly OptionSpec[]): OptionSpec[] {
  const rank = (o: OptionSpec) => {
    const i = FLUX_HELP_ORDER.indexOf(o.name);
    return i < 0 ? FLUX_HELP_ORDER.length : i;
  };
  return options.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map((x) => x.o);
}

export function submissionSpec(
  word: string,
  summary: string,
  usage: string,
  options: readonly OptionSpec[],
  operands: CommandSpec['operands'] = [{ name: 'COMMAND', nargs: '...', description: 'Job command and arguments' }],
): CommandSpec {
  // Flux's help formatter stops descriptions at column 31: a longer option (--resources-shape=SHAPE) has its own line
  return { path: [word], grammar: 'argparse', prog: `flux ${word}`, errorName: `flux-${word}`, summary, usage, options: fluxHelpOrder(options), operands, posix: true, maxHelpPosition: 30, helpTopics: true };
}
