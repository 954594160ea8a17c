/**
 * The jobspec of `flux batch` (commands.md §8): a Flux instance as the job, one
 * broker per node (`flux broker [OPTS] {{tmpdir}}/script ARGS`), the script
 * copied into the jobspec's file archive at submit time, resources as slots
 * (-n nslots, -c cores per slot, -g GPUs per slot, -N nodes, -x), stdout and
 * stderr to `flux-{{id}}.out` by default. Directives (RFC 36) in the script
 * come first, so options on the command line override them.
 */
import { ParsedArgs, type Occurrence } from '../options';
import { buildSubmission, type Submission } from './build';
import { SubmitOptionError } from './types';
import { CONF_ARG, CONF_FILE, instanceConf } from './instance-conf';

/** The batch script: its text and the name it was given (the job name). */
export interface BatchScript {
  text: string;
  /** SCRIPT as typed (with --wrap: the command wrapped), or undefined when it came from stdin */
  name?: string;
}

/** Refuse what is not a script, as Flux does. */
export function checkScript(s: BatchScript, raw: Buffer): void {
  const what = s.name ?? 'stdin';
  if (!raw.subarray(0, 2).equals(Buffer.from('#!'))) throw new SubmitOptionError(`${what} does not appear to start with '#!'`);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new SubmitOptionError(`${what} does not appear to be a script, or failed to encode as utf-8`);
  }
}

/** Rename batch's slot options to the per-task ones the jobspec builder knows. */
function asTaskOptions(p: ParsedArgs): ParsedArgs {
  const rename: Record<string, string> = { nslots: 'ntasks', 'cores-per-slot': 'cores-per-task', 'gpus-per-slot': 'gpus-per-task' };
  const all: Array<[string, Occurrence]> = [];
  for (const [long, occs] of p.opts) for (const o of occs) all.push([rename[long] ?? long, o]);
  all.sort((a, b) => (a[1].seq ?? 0) - (b[1].seq ?? 0));
  const out = new ParsedArgs();
  for (const [long, o] of all) out.add(long, { value: o.value, typed: o.typed });
  out.operands = [...p.operands];
  return out;
}

/** What differs between flux batch and flux alloc: the initial program, the job name, files and output. */
export interface InstanceJob {
  /** the initial program and its arguments (after the broker options) */
  initialProgram: string[];
  name: string;
  files?: Record<string, { mode: number; data: string; encoding: string }>;
  /** default stdout+stderr file when --output is not given (undefined: the kvs) */
  output?: string;
}

/**
 * A job that is a Flux instance on its resources (flux batch, flux alloc): one
 * `flux broker [--broker-opts] PROGRAM...` per node. p holds the options
 * (directives first).
 */
export function buildInstanceJob(p: ParsedArgs, job: InstanceJob, env: NodeJS.ProcessEnv): Submission {
  if (!p.has('nslots') && !p.has('nodes') && !p.has('resources-shape') && !p.has('resources-json')) throw new SubmitOptionError('Number of slots to allocate must be specified');
  const q = asTaskOptions(p);
  const brokerOpts = p.all('broker-opts').map((o) => o.value);
  const confs = p.all('conf').map((o) => o.value);
  const files = { ...job.files };
  if (confs.length > 0) {
    files[CONF_FILE] = { mode: 0o100600, data: JSON.stringify(instanceConf(confs, env)), encoding: 'utf-8' };
    brokerOpts.push(CONF_ARG);
  }
  const dump = p.get('dump');
  // --dump alone: Flux's default name, in the job's working directory
  if (dump) brokerOpts.push(`-Scontent.dump=${dump.value || 'flux-{{jobid}}-dump.tgz'}`);
  q.operands = ['flux', 'broker', ...brokerOpts, ...job.initialProgram];
  if (!q.has('job-name')) q.add('job-name', { value: job.name, typed: '' });
  if (!q.has('output') && job.output !== undefined) q.add('output', { value: job.output, typed: `--output=${job.output}` });
  let sub: Submission;
  try {
    sub = buildSubmission(q, { command: 'submit', env });
  } catch (e) {
    if (e instanceof SubmitOptionError && e.message === 'node count must not be greater than task count') {
      throw new SubmitOptionError('node count must not be greater than slot count');
    }
    throw e;
  }
  const js = sub.jobspec;
  js.tasks[0]!.count = { per_slot: 1 };
  const system = js.attributes.system as Record<string, unknown>;
  const shell = system['shell'] as { options: Record<string, unknown> };
  // Flux's key order: the instance's options, then the propagated rlimits
  const { rlimit, ...given } = shell.options;
  shell.options = { ...given, 'per-resource': { type: 'node' }, mpi: 'none', 'exit-timeout': 'none', ...(rlimit === undefined ? {} : { rlimit }) };
  if (Object.keys(files).length > 0) {
    const added = (system['files'] as Record<string, unknown> | undefined) ?? {};
    for (const name of Object.keys(files)) {
      if (name in added) throw new SubmitOptionError(`--add-file: the name '${name}' is reserved`);
    }
    system['files'] = { ...added, ...files };
  }
  return sub;
}

/** The submission for `flux batch`: the script from the file archive, output to flux-{{id}}.out. */
export function buildBatch(p: ParsedArgs, script: BatchScript, env: NodeJS.ProcessEnv): Submission {
  return buildInstanceJob(
    p,
    {
      initialProgram: ['{{tmpdir}}/script', ...p.operands],
      name: script.name ?? 'batch',
      // a regular file's st_mode, as Flux writes it (33216)
      files: { script: { mode: 0o100700, data: script.text, encoding: 'utf-8' } },
      output: 'flux-{{id}}.out',
    },
    env,
  );
}
