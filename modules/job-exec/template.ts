/**
 * Job shell mustache templates (formats.md §5.1): `{{id}}`, `{{id.dec}}`, `{{name}}`,
 * `{{size}}`, `{{nnodes}}`, `{{node.id}}`, `{{task.id}}` ... Unknown tags stay as
 * written.
 */
import { encodeJobId, type JobIdEncoding } from '../../kernel/api';

export interface TemplateContext {
  id: number;
  name?: string;
  size?: number;
  nnodes?: number;
  node?: { id: number; name: string; broker_rank: number; cores: string; ncores: number };
  task?: { id: number; index: number };
  tmpdir?: string;
  /**
   * the job's environment: `{{id}}` is rendered as the submitter's `flux`
   * printed it (ƒ or f by its LC_ALL/LC_CTYPE/LANG and FLUX_F58_FORCE_ASCII),
   * not by the broker's locale; the broker's environment when absent
   */
  env?: Readonly<Record<string, string | null | undefined>>;
}

/** the job environment's strings (null marks a variable the job unsets) */
function envOf(c: TemplateContext): NodeJS.ProcessEnv {
  if (!c.env) return process.env;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(c.env)) if (typeof v === 'string') env[k] = v;
  return env;
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

function lookup(tag: string, c: TemplateContext): string | undefined {
  const [head, sub] = tag.split('.', 2) as [string, string | undefined];
  switch (head) {
    case 'id':
    case 'jobid':
      if (sub === undefined) return encodeJobId(c.id, 'f58', envOf(c));
      return ID_ENC[sub] ? encodeJobId(c.id, ID_ENC[sub], envOf(c)) : undefined;
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
    case 'node': {
      if (!c.node || sub === undefined) return undefined;
      const v = (c.node as unknown as Record<string, unknown>)[sub];
      return v === undefined ? undefined : String(v);
    }
    case 'task':
      if (!c.task) return undefined;
      if (sub === 'id' || sub === 'rank') return String(c.task.id);
      if (sub === 'index' || sub === 'localid') return String(c.task.index);
      return undefined;
    default:
      return undefined;
  }
}

/** Expand every known `{{tag}}` in s. */
export function expandTemplate(s: string, c: TemplateContext): string {
  if (!s.includes('{{')) return s;
  return s.replace(/\{\{([^{}]+)\}\}/g, (all, tag: string) => lookup(tag.trim(), c) ?? all);
}
