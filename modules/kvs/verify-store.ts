/**
 * Run as its own process (`node verify-store.js FILE`) before the kvs maps a
 * store it did not create: read every record and make one write transaction,
 * as the kvs will. LMDB trusts its pages, so a truncated or damaged file can
 * end the process that reads it with SIGBUS or SIGSEGV instead of an error:
 * here that ends only this process, and the kvs reports the store as damaged
 * in one line (store-check.ts). Prints the record count on success.
 */
import { open } from 'lmdb';

function main(file: string): void {
  const db = open<string, [string, number]>({ path: file, encoding: 'string', compression: false, cache: false, eventTurnBatching: false });
  let n = 0;
  for (const { key, value } of db.getRange({})) {
    if (!Array.isArray(key) || typeof value !== 'string') throw new Error(`damaged record ${JSON.stringify(key)}`);
    n++;
  }
  // a write transaction reads the free-page list too: a sentinel put and removed again
  const sentinel: [string, number] = ['\u0000verify', 0];
  try {
    db.transactionSync(() => {
      void db.put(sentinel, '');
      void db.remove(sentinel);
    });
  } catch {
    // a write that fails with an error (a full or read-only filesystem) is not damage: the kvs reports it per request
  }
  void db.close();
  process.stdout.write(`${n}\n`);
}

try {
  main(process.argv[2] ?? '');
} catch (e) {
  process.stderr.write(`${String((e as Error).message ?? e).split('\n')[0]}\n`);
  process.exitCode = 1;
}
