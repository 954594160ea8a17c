/**
 * The pool's socket is published by renaming its private name: when that name
 * is gone (another instance's pool removed it, or its directory went), the
 * broker logs one line and goes on without a pool; it used to crash with the
 * rename's ENOENT thrown from a client's "ready".
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliPool } from '../../../modules/cli-pool/pool';
import type { Handle } from '../../../kernel/api';

test('a publish whose private name is gone is logged and turns the pool off', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-publish-'));
  try {
    const logs: string[] = [];
    const h = { log: (level: string, text: string) => logs.push(`${level}: ${text}`) } as unknown as Handle;
    const pool = new CliPool(h, 2);
    const sock = path.join(dir, 'local-0.pool');
    // as start() leaves it: a listening descriptor bound under the private name (here gone)
    const fd = fs.openSync('/dev/null', 'r');
    Object.assign(pool, { listenFd: fd, socketPath: sock, boundPath: `${sock}-starting` });
    fs.writeFileSync(sock, 'another instance\n');
    (pool as unknown as { publish(): void }).publish();
    assert.equal(logs, [`err: cli-pool: cannot publish ${sock}: ENOENT: no such file or directory, rename '${sock}-starting' -> '${sock}': pool off, flux commands start Node`]);
    assert.is((pool as unknown as { listenFd: number }).listenFd, -1, 'the descriptor is closed');
    assert.is(fs.readFileSync(sock, 'utf8'), 'another instance\n', 'what is at the public name is left alone');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
