/**
 * A job's memo (flux job memo, job-manager.memo; a nested instance posts its
 * uri): as in Flux, each memo event merges into the job's annotations under
 * `user` (a null value removes its key; an empty `user` goes), which `flux
 * jobs -o {user.KEY}` and `{uri}` read. The scheduler's annotations (`sched`)
 * are kept beside it.
 */
type Obj = Record<string, unknown>;

export function withMemo(annotations: Obj | undefined, memo: Obj): Obj | undefined {
  const user: Obj = { ...((annotations?.['user'] as Obj | undefined) ?? {}) };
  for (const [k, v] of Object.entries(memo)) {
    if (v === null) delete user[k];
    else user[k] = v;
  }
  const { user: _old, ...rest } = annotations ?? {};
  const out: Obj = Object.keys(user).length > 0 ? { ...rest, user } : rest;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** the annotations without the user's memos (what the alloc event carries); no copy when there are none */
export function withoutMemos(annotations: Obj | undefined): Obj | undefined {
  if (annotations === undefined || !('user' in annotations)) return annotations;
  const { user: _memos, ...rest } = annotations;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** the scheduler's new annotations at alloc, with the user's memos kept */
export function withSchedAnnotations(annotations: Obj | undefined, sched: Obj): Obj {
  const user = annotations?.['user'];
  return user === undefined ? sched : { ...sched, user };
}
