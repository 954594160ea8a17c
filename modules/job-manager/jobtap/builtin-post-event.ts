/**
 * `.post-event`: job-manager.post-event.post {id, name, context?}, the
 * instance owner's way to post an event to an active job's eventlog by hand
 * (`flux post-job-event`), e.g. to end a prolog or epilog that will not end
 * by itself. An `exception` is raised as one (its type, severity, note);
 * `prolog-finish` and `epilog-finish` finish that prolog or epilog (context
 * description, status); the job manager's other own events (they move the
 * job: alloc, start, finish, free, clean, ...) are refused; any other name is
 * posted as it is.
 */
import { Errno, FluxError, einval } from '../../../kernel/api';
import { defineJobtapPlugin } from '../plugin-api';

type Obj = Record<string, unknown>;

/** what the job manager posts itself as a job moves: not posted by hand */
const OWN = new Set([
  'submit', 'validate', 'invalidate', 'depend', 'priority', 'flux-restart', 'urgency', 'alloc', 'free', 'start', 'release',
  'finish', 'clean', 'dependency-add', 'dependency-remove', 'set-flags', 'jobspec-update', 'resource-update', 'memo',
  'prolog-start', 'epilog-start',
]);

export interface PostEventActions {
  raise(id: number, type: string, severity: number, note: string): void;
  perilogFinish(id: number, kind: 'prolog' | 'epilog', description: string, status: number): void;
  post(id: number, name: string, context?: Obj): void;
  /** active, known: else throws */
  check(id: number): void;
}

export function postEvent(act: PostEventActions, id: number, name: string, context: Obj | undefined): void {
  act.check(id);
  const c = context ?? {};
  if (name === 'exception') {
    const type = c['type'];
    const sev = c['severity'] ?? 0;
    if (typeof type !== 'string' || !/^[^\s=]+$/.test(type)) throw einval('exception: context needs a type (type=NAME)');
    if (typeof sev !== 'number' || !Number.isInteger(sev) || sev < 0 || sev > 7) throw einval('exception: severity must be 0-7');
    act.raise(id, type, sev, typeof c['note'] === 'string' ? c['note'] : '');
    return;
  }
  if (name === 'prolog-finish' || name === 'epilog-finish') {
    const d = c['description'] ?? c['name'];
    const st = c['status'] ?? 0;
    if (typeof d !== 'string' || typeof st !== 'number' || !Number.isInteger(st)) throw einval(`${name}: context needs description=NAME (and status=N)`);
    act.perilogFinish(id, name === 'prolog-finish' ? 'prolog' : 'epilog', d, st);
    return;
  }
  if (OWN.has(name) || name.startsWith('debug.')) throw einval(`${name} is an event the job manager posts itself as the job moves: it cannot be posted by hand`);
  act.post(id, name, context);
}

export const postEventPlugin = defineJobtapPlugin({
  name: '.post-event',
  description: 'post an event to an active job by hand (flux post-job-event)',
  create(ctx) {
    const act: PostEventActions = {
      check: (id) => {
        const j = ctx.job(id);
        if (!j || j.state === 'INACTIVE') throw new FluxError(Errno.ENOENT, 'No such job');
      },
      raise: (id, type, sev, note) => ctx.raise(id, type, sev, note),
      perilogFinish: (id, kind, d, st) => (kind === 'prolog' ? ctx.prologFinish(id, d, st) : ctx.epilogFinish(id, d, st)),
      post: (id, name, context) => ctx.postEvent(id, name, context),
    };
    ctx.serve('post', (p, cred) => {
      if (!cred.owner) throw new FluxError(Errno.EPERM, 'Operation not permitted');
      const id = p['id'];
      const name = p['name'];
      const context = p['context'];
      if (typeof id !== 'number' || typeof name !== 'string') throw einval('post-event: id and name are required');
      if (context !== undefined && context !== null && (typeof context !== 'object' || Array.isArray(context))) throw einval('post-event: context must be an object');
      postEvent(act, id, name, (context ?? undefined) as Obj | undefined);
      return {};
    });
    return {};
  },
});
