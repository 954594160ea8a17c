/**
 * Job shell mustache templates (formats.md §5.1), in --output/--error paths,
 * command arguments and environment values. Job tags: `{{id}}` (`{{jobid}}`,
 * `.dec` `.hex` `.dothex` `.words` `.f58` `.f58plain` `.kvs`, in any case;
 * `.emoji` is refused), `{{name}}`, `{{size}}` (`{{ntasks}}`), `{{nnodes}}`;
 * `{{tmpdir}}` (this node's job tmpdir); node tags
 * `{{node.id|name|broker_rank|cores|gpus|ncores|ngpus}}`; task tags
 * `{{task.id}}` = `{{task.rank}}` = `{{taskid}}`, `{{task.index}}` =
 * `{{task.localid}}`.
 *
 * The grammar (what is a tag, which are known) is lib/formats/template-tags.ts.
 * A tag that is not one of the above is refused by the callers (unknownTag),
 * never silently left in a file name or a command.
 */
import { encodeJobId, idset, type JobIdEncoding } from '../../kernel/api';
import { TEMPLATE_TAG, badTagPhrase, tagScope, unknownTag } from '../../lib/formats/template-tags';
import type { Jobspec, ShellPlacement } from './taskmap';

export { badTagPhrase, templateScope, unknownTag, usesTag, type TemplateScope } from '../../lib/formats/template-tags';

/** the node a per-node tag names (a shell of the job) */
export interface TemplateNode {
  /** node index, 0..nnodes-1 (the shell rank) */
  id: number;
  name: string;
  broker_rank: number;
  /** idsets */
  cores: string;
  gpus: string;
}

export interface TemplateContext {
  id: number;
  name?: string;
  size?: number;
  nnodes?: number;
  node?: TemplateNode;
  task?: { id: number; index: number };
  tmpdir?: string;
  /**
   * the job's environment: `{{id}}` is rendered as the submitter's `flux`
   * printed it (ƒ or f by its LC_ALL/LC_CTYPE/LANG and FLUX_F58_FORCE_ASCII),
   * not by the broker's locale; the broker's environment when absent
   */
  env?: Readonly<Record<string, string | null | undefined>>;
}

const ID_ENC: Record<string, JobIdEncoding> = {
  dec: 'dec',
  hex: 'hex',
  dothex: 'dothex',
  words: 'words',
  f58: 'f58',
  f58plain: 'f58plain',
  kvs: 'kvs',
};

/** the job's name: --job-name, else the command's basename (as job-manager names it) */
export function jobName(jobspec: Jobspec): string {
  const name = (jobspec.attributes?.system?.['job'] as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string') return name;
  return (jobspec.tasks[0]?.command[0] ?? '').split('/').pop() ?? '';
}

/** the node tags of a shell */
export function templateNode(p: ShellPlacement, host: string): TemplateNode {
  return { id: p.shellRank, name: host, broker_rank: p.rank, cores: p.cores, gpus: p.gpus };
}

/** the job environment's strings (null marks a variable the job unsets) */
function envOf(c: TemplateContext): NodeJS.ProcessEnv {
  if (!c.env) return process.env;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(c.env)) if (typeof v === 'string') env[k] = v;
  return env;
}

function nodeValue(n: TemplateNode, key: string): string | undefined {
  switch (key) {
    case 'ncores':
      return String(idset.count(n.cores));
    case 'ngpus':
      return String(n.gpus === '' ? 0 : idset.count(n.gpus));
    default: {
      const v = (n as unknown as Record<string, unknown>)[key];
      return v === undefined ? undefined : String(v);
    }
  }
}

function lookup(tag: string, c: TemplateContext): string | undefined {
  const [head, sub] = tag.split('.', 2) as [string, string | undefined];
  switch (head) {
    case 'id':
    case 'jobid':
      if (sub === undefined) return encodeJobId(c.id, 'f58', envOf(c));
      return ID_ENC[sub.toLowerCase()] ? encodeJobId(c.id, ID_ENC[sub.toLowerCase()]!, envOf(c)) : undefined;
    case 'name':
      return c.name;
    case 'size':
    case 'ntasks':
      return c.size === undefined ? undefined : String(c.size);
    case 'nnodes':
      return c.nnodes === undefined ? undefined : String(c.nnodes);
    case 'tmpdir':
      return c.tmpdir;
    case 'taskid':
      return c.task ? String(c.task.id) : undefined;
    case 'node':
      return c.node && sub !== undefined ? nodeValue(c.node, sub) : undefined;
    case 'task':
      if (!c.task) return undefined;
      if (sub === 'id' || sub === 'rank') return String(c.task.id);
      if (sub === 'index' || sub === 'localid') return String(c.task.index);
      return undefined;
    default:
      return undefined;
  }
}

/** Expand every tag of s the context has a value for (the callers refuse unknown tags first). */
export function expandTemplate(s: string, c: TemplateContext): string {
  if (!s.includes('{{')) return s;
  return s.replace(TEMPLATE_TAG, (all, tag: string) => (tagScope(tag) === undefined ? undefined : lookup(tag, c)) ?? all);
}

/** a task's environment with the tags of its values expanded (a new object only when one has a tag) */
export function expandEnv(env: NodeJS.ProcessEnv, c: TemplateContext): NodeJS.ProcessEnv {
  let out: NodeJS.ProcessEnv | undefined;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || !v.includes('{{')) continue;
    const x = expandTemplate(v, c);
    if (x !== v) (out ??= { ...env })[k] = x;
  }
  return out ?? env;
}

/**
 * Rank 0's check of the job's templates before any shell starts: the refusal
 * (the job's exception) for an unknown tag in the command, and a warning for
 * each environment variable with one (the whole environment is copied from the
 * submitter's, so its braces may not be meant for the shell: left as written).
 */
export function checkJobTemplates(jobspec: Jobspec, env: Readonly<Record<string, string | null>> | undefined): { error?: string; warnings: string[] } {
  const warnings: string[] = [];
  for (const [k, v] of Object.entries(env ?? {})) {
    const bad = typeof v === 'string' ? unknownTag(v) : undefined;
    if (bad !== undefined) warnings.push(`env ${k}: ${badTagPhrase(bad)}, left as written`);
  }
  for (const word of jobspec.tasks[0]?.command ?? []) {
    const bad = unknownTag(word);
    if (bad !== undefined) return { error: `${badTagPhrase(bad)} in the command`, warnings };
  }
  return { warnings };
}
