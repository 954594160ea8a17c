/**
 * When the kvs answers a change (docs/adr/0013-group-commit.md): by default
 * once its write is on disk (onDisk: committed, then the file synced with a
 * persistent statedir, backing.ts); with {durable: false} once the write is
 * queued for the disk, behind every write before it. A queued write reaches the disk with the
 * next commit, in order, so a durable answer given later covers it too.
 *
 * While the store is failing (its last write failed, or it refuses changes
 * for want of room) a queued change is answered with the write's outcome as
 * a durable one is: the error is known, and nothing is answered as written
 * that the store is refusing.
 */

/** The answer to a change whose write is `write` (see above); onDisk waits for a commit to be on disk. */
export function answerWhen(write: Promise<void>, queued: boolean, failing: boolean, onDisk: (commit: Promise<void>) => Promise<void>): Promise<object> | object {
  if (queued && !failing) {
    // its failure, if it comes, is the store's state change (logged once), not this request's
    write.catch(() => undefined);
    return {};
  }
  return onDisk(write).then(() => ({}));
}
