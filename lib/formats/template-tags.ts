/**
 * The grammar of job shell mustache tags (formats.md §5.1), shared by the job
 * shell that expands them (modules/job-exec/template.ts) and the CLI that
 * refuses an unknown one at submit. A tag is `{{NAME}}` or `{{NAME.KEY}}`
 * (spaces allowed inside the braces); anything else between braces
 * (`{{.Name}}`, `{{json .}}`) is not a tag and stays as written.
 *
 * What a tag varies by decides how many files an --output template names:
 * `{{tmpdir}}` is per node (each node's shell has its own job tmpdir, as in
 * Flux, whose shell treats it as a per-shell tag), like `{{node.*}}`.
 */

/** a tag; group 1 is its text between the braces */
export const TEMPLATE_TAG = /\{\{\s*([A-Za-z_]\w*(?:\.\w+)*)\s*\}\}/g;

/** what a template varies by: one value per job, per node or per task */
export type TemplateScope = 'job' | 'node' | 'task';

/** the `{{id.KEY}}` encodings (KEY in any case, as Flux's flux_job_id_encode takes it) */
export const ID_KEYS: readonly string[] = ['dec', 'hex', 'dothex', 'words', 'f58', 'f58plain', 'kvs'];
/** tags Flux has and flux-ts refuses, with why (the text between the braces, lower case) */
const UNSUPPORTED: Readonly<Record<string, string>> = { 'id.emoji': 'emoji job IDs', 'jobid.emoji': 'emoji job IDs' };
const JOB_TAGS = new Set(['name', 'size', 'ntasks', 'nnodes']);
const NODE_KEYS = new Set(['id', 'name', 'broker_rank', 'cores', 'gpus', 'ncores', 'ngpus']);
const TASK_KEYS = new Set(['id', 'rank', 'index', 'localid']);

/** the scope of a tag (its text between the braces), or undefined for an unknown tag */
export function tagScope(tag: string): TemplateScope | undefined {
  const [head, sub, more] = tag.split('.');
  if (more !== undefined) return undefined;
  if (head === 'id' || head === 'jobid') return sub === undefined || ID_KEYS.includes(sub.toLowerCase()) ? 'job' : undefined;
  if (sub === undefined) return JOB_TAGS.has(head!) ? 'job' : head === 'taskid' ? 'task' : head === 'tmpdir' ? 'node' : undefined;
  if (head === 'node') return NODE_KEYS.has(sub) ? 'node' : undefined;
  if (head === 'task') return TASK_KEYS.has(sub) ? 'task' : undefined;
  return undefined;
}

/** the tags of s, as their text between the braces */
function tagsOf(s: string): string[] {
  if (!s.includes('{{')) return [];
  return [...s.matchAll(TEMPLATE_TAG)].map((m) => m[1]!);
}

/** the first tag of s that is not a template tag (or one flux-ts refuses), as written (`{{bogus}}`) */
export function unknownTag(s: string): string | undefined {
  const t = tagsOf(s).find((tag) => tagScope(tag) === undefined);
  return t === undefined ? undefined : `{{${t}}}`;
}

/**
 * What a refusal says of a tag unknownTag returned: `unknown template tag
 * '{{bogus}}'`, or for a tag Flux has and flux-ts does not, `template tag
 * '{{id.emoji}}' (emoji job IDs) is not supported`; the caller adds where.
 */
export function badTagPhrase(written: string): string {
  const why = UNSUPPORTED[written.replace(/^\{\{\s*|\s*\}\}$/g, '').toLowerCase()];
  return why === undefined ? `unknown template tag '${written}'` : `template tag '${written}' (${why}) is not supported`;
}

/** whether s uses the tag (`tmpdir`, `node.name` ...) */
export function usesTag(s: string, tag: string): boolean {
  return tagsOf(s).includes(tag);
}

/** what s varies by: a task tag makes it per task, else a node tag per node */
export function templateScope(s: string): TemplateScope {
  const scopes = tagsOf(s).map(tagScope);
  return scopes.includes('task') ? 'task' : scopes.includes('node') ? 'node' : 'job';
}
