/**
 * The root line of flux-pstree(1) with --skip-root=no: the enclosing
 * instance as a job. When it was started as a job (it has `jobid` and
 * `parent-uri`), its record comes from its parent; otherwise it is made up
 * from its attributes (name `.`, id `.`, running, size tasks and nodes,
 * runtime since the broker started). Its ranks are always its own.
 */
import type { Client } from '../api/client';
import { Client as FluxClient } from '../api/client';
import { parseIdArg, type JobRecord } from './job-info';
import { instanceFields } from './instance-fields';
import { usable } from '../uri/resolve';

const RUN = 16;

export interface RootJob {
  job: JobRecord;
  /** its instance.* fields, and `.` for the id fields of a made-up record */
  extra: Record<string, unknown>;
}

const attr = (h: Client, name: string): Promise<string | undefined> => h.getattr(name).then((v) => v, () => undefined);

/** the record of the enclosing instance as its parent knows it, if it is a job */
async function fromParent(h: Client, jobid: string | undefined, parentUri: string | undefined): Promise<JobRecord | undefined> {
  const id = jobid !== undefined ? parseIdArg(jobid) : undefined;
  if (id === undefined || parentUri === undefined) return undefined;
  let parent: Client | undefined;
  try {
    parent = await FluxClient.connect(usable(parentUri));
    const { jobs } = await parent.rpc<{ jobs: JobRecord[] }>('job-manager.list', { ids: [id] });
    return jobs[0];
  } catch {
    return undefined;
  } finally {
    parent?.close();
  }
}

/** `instance`: whether the formats use instance.* fields (then the instance is asked for them) */
export async function rootJob(h: Client, instance: boolean): Promise<RootJob> {
  const [size, jobid, parentUri, hostlist, owner, start] = await Promise.all(
    ['size', 'jobid', 'parent-uri', 'hostlist', 'security.owner', 'broker.starttime'].map((n) => attr(h, n)),
  );
  const n = Number(size ?? 1);
  const info = instance ? await instanceFields(h).catch(() => ({})) : {};
  const parentJob = await fromParent(h, jobid, parentUri);
  if (parentJob) return { job: { ...parentJob, ranks: `0-${n - 1}` }, extra: info };
  const t = Number(start);
  const job: JobRecord = {
    id: 0,
    userid: Number(owner ?? process.getuid?.() ?? 0),
    urgency: 16,
    priority: -1,
    state: RUN,
    name: '.',
    ntasks: n,
    nnodes: n,
    ranks: `0-${n - 1}`,
    t_submit: 0,
    annotations: { user: { uri: h.uri } },
    ...(hostlist !== undefined ? { nodelist: hostlist } : {}),
    ...(start !== undefined && Number.isFinite(t) ? { t_run: t } : {}),
  };
  const ids = ['id', 'id.f58', 'id.f58plain', 'id.dec', 'id.hex', 'id.dothex', 'id.words', 'id.kvs'];
  return { job, extra: { ...info, ...Object.fromEntries(ids.map((k) => [k, '.'])) } };
}
