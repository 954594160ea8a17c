import { exitTimeoutSeconds } from '../../lib/exit-timeout';

/**
 * Job shell options the instance knows and the job shell acts on
 * (flux-shell-options(7), flux-run(1)). job-ingest rejects any other
 * top-level name under attributes.system.shell.options; those of
 * UNSUPPORTED_SHELL_OPTIONS with a line saying flux-ts does not do them.
 */
export const KNOWN_SHELL_OPTIONS: ReadonlySet<string> = new Set([
  'output',
  'input',
  'rlimit',
  'verbose',
  'exit-timeout',
  'exit-on-error',
  'cpu-affinity',
  'gpu-affinity',
  'pmi',
  'pty',
  'signal',
  'mpi',
  'per-resource',
  'taskmap',
  'plugin',
]);

/** Flux shell options flux-ts's job shell does not implement: refused at submit, never accepted and ignored. */
export const UNSUPPORTED_SHELL_OPTIONS: ReadonlySet<string> = new Set([
  'nosetpgrp',
  'pmi-simple',
  'initrc',
  'userrc',
  'stage-in',
  'hwloc',
  'stop-tasks-in-exec',
  'sysmon',
  'oom',
  'batch',
  'tmpdir',
  'cwd',
  'error',
  'label-io',
]);

/** the resource limits a job may set (shell option rlimit) */
const RLIMIT_NAMES = new Set([
  'cpu', 'fsize', 'data', 'stack', 'core', 'rss', 'nproc', 'nofile',
  'memlock', 'as', 'locks', 'sigpending', 'msgqueue', 'nice', 'rtprio', 'rttime',
]);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `on|off|per-task|map:LIST` (LIST: `;`-separated idsets or hex masks) */
function affinityError(name: string, v: unknown): string | undefined {
  if (v === 'on' || v === 'off' || v === 'per-task') return undefined;
  if (typeof v === 'string' && v.startsWith('map:')) {
    const entries = v.slice(4).split(';');
    if (entries.every((e) => /^\s*(0x[0-9a-fA-F]+|[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*)\s*$/.test(e))) return undefined;
    return `shell option ${name}: invalid map '${v.slice(4)}' (a ;-separated list of cpu or gpu sets)`;
  }
  return `shell option ${name}: invalid value ${JSON.stringify(v)} (on, off, per-task or map:LIST)`;
}

/**
 * The names shell option `pmi` may list: `simple` (the job shell's PMI-1
 * server), `pmi1` and `pmi2` (Flux's aliases of simple), `off`/`none` (no PMI).
 */
export const PMI_NAMES: readonly string[] = ['simple', 'pmi1', 'pmi2', 'off', 'none'];

/** a size: bytes, or a number with k, K, M or G */
const SIZE = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)[kKMG]?$/;

/**
 * The values of the shell options whose effect flux-ts implements, checked
 * at submit: a bad one is refused in one line instead of failing (or being
 * ignored) in the job shell. Returns the error, or undefined.
 */
export function shellOptionError(name: string, v: unknown): string | undefined {
  switch (name) {
    case 'rlimit': {
      if (!isObj(v)) return 'shell option rlimit: must be an object {NAME: VALUE}';
      for (const [k, x] of Object.entries(v)) {
        if (!RLIMIT_NAMES.has(k)) return `shell option rlimit: invalid rlimit "${k}"`;
        const ok = (typeof x === 'number' && Number.isInteger(x) && x >= -1) || x === 'unlimited' || x === 'infinity';
        if (!ok) return `shell option rlimit: invalid value in ${k}=${JSON.stringify(x)}`;
      }
      return undefined;
    }
    case 'signal': {
      if (v === 1 || v === true) return undefined;
      if (!isObj(v)) return 'shell option signal: must be {signum, timeleft}';
      for (const k of Object.keys(v)) if (k !== 'signum' && k !== 'timeleft') return `shell option signal: unknown key '${k}'`;
      const s = v['signum'];
      if (s !== undefined && !(typeof s === 'number' && Number.isInteger(s) && s >= 1 && s <= 64)) return `shell option signal: invalid signum ${JSON.stringify(s)}`;
      const t = v['timeleft'];
      if (t !== undefined && !(typeof t === 'number' && t >= 0 && Number.isFinite(t))) return `shell option signal: invalid timeleft ${JSON.stringify(t)}`;
      return undefined;
    }
    case 'taskmap': {
      if (!isObj(v) || typeof v['scheme'] !== 'string') return 'shell option taskmap: must be {scheme, value}';
      if (!['block', 'cyclic', 'manual', 'hostfile'].includes(v['scheme'])) return `shell option taskmap: unknown scheme '${v['scheme']}'`;
      if (v['value'] !== undefined && typeof v['value'] !== 'string') return 'shell option taskmap: value must be a string';
      return undefined;
    }
    case 'plugin': {
      // a shell plugin file (or a list): loaded by the job shell, which says why one does not load
      const list = Array.isArray(v) ? v : [v];
      if (list.length === 0 || list.some((x) => typeof x !== 'string' || x === '')) return 'shell option plugin: must be a file name or a list of file names';
      return undefined;
    }
    case 'pmi': {
      if (typeof v !== 'string') return `shell option pmi: must be a comma-separated list of ${PMI_NAMES.join(', ')}`;
      const bad = v.split(',').find((x) => !PMI_NAMES.includes(x));
      if (bad !== undefined) return `shell option pmi: unknown PMI '${bad}' (flux-ts knows ${PMI_NAMES.join(', ')})`;
      return undefined;
    }
    case 'per-resource': {
      if (!isObj(v) || (v['type'] !== 'node' && v['type'] !== 'core')) return "shell option per-resource: type must be 'node' or 'core'";
      const c = v['count'];
      if (c !== undefined && !(typeof c === 'number' && Number.isInteger(c) && c >= 1)) return `shell option per-resource: invalid count ${JSON.stringify(c)}`;
      return undefined;
    }
    case 'cpu-affinity':
    case 'gpu-affinity':
      return affinityError(name, v);
    case 'verbose':
      if (v === true || (typeof v === 'number' && Number.isInteger(v) && v >= 0)) return undefined;
      return `shell option verbose: invalid value ${JSON.stringify(v)} (an integer: 1 shows DEBUG lines, 2 TRACE lines too)`;
    case 'mpi':
      // flux batch and flux alloc set mpi=none; flux-ts has no MPI plugins (its PMI-1 serves MPI)
      if (v === 'none') return undefined;
      return `shell option mpi: only 'none' is supported by flux-ts (MPI bootstraps through the job shell's PMI-1)`;
    case 'exit-timeout':
      // an FSD, a number of seconds, or none (any case, as Flux's doom plugin takes it)
      if (exitTimeoutSeconds(v) !== 'invalid') return undefined;
      return `shell option exit-timeout: ${JSON.stringify(v)} is not a valid Flux Standard Duration (or none)`;
    case 'output': {
      if (!isObj(v)) return undefined;
      const mode = v['mode'];
      if (mode !== undefined && mode !== 'truncate' && mode !== 'append') return `shell option output.mode: invalid value ${JSON.stringify(mode)} (truncate or append)`;
      const limit = v['limit'];
      if (limit !== undefined && !((typeof limit === 'number' && limit >= 0 && Number.isFinite(limit)) || (typeof limit === 'string' && SIZE.test(limit)))) {
        return `shell option output.limit: invalid size ${JSON.stringify(limit)}`;
      }
      for (const stream of ['stdout', 'stderr']) {
        const b = (v[stream] as { buffer?: unknown } | undefined)?.buffer;
        if (b === undefined) continue;
        const type = isObj(b) ? b['type'] : undefined;
        if (type !== 'none' && type !== 'line') return `shell option output.${stream}.buffer.type: invalid value ${JSON.stringify(type)} (none or line)`;
      }
      return undefined;
    }
  }
  return undefined;
}
