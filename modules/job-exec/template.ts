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
      if (sub === undefined) return encodeJobId(c.id, 'f58');
      return ID_ENC[sub] ? encodeJobId(c.id, ID_ENC[sub]) : undefined;
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
