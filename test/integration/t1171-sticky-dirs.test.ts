/**
 * flux-broker-attributes(7): a `rundir` or `statedir` set on the command line
 * that has the sticky bit set is taken as a /tmp-like directory: the broker
 * makes a unique directory inside it (mode 0700), uses that, and removes it at
 * exit (statedir-cleanup=0 keeps the statedir one). The sticky directory
 * itself is left alone. flux-ts refused them ("writable by others").
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

const OUTSIDE = { FLUX_URI: undefined, FLUX_START_URI: undefined };

function withSticky(fn: (dir: string) => void): void {
  const t = tmpdir('flux-t1171-');
  try {
    const dir = path.join(t.dir, 'shared');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o1777);
    fn(dir);
  } finally {
    t.cleanup();
  }
}

const script = 'for a in rundir rundir-cleanup local-uri statedir statedir-cleanup; do flux getattr $a; done; stat -c %a $(flux getattr rundir) $(flux getattr statedir)';

test('-Srundir and -Sstatedir naming a sticky directory: a unique one inside each, removed at exit', () => {
  withSticky((dir) => {
    const r = flux(['start', `-Srundir=${dir}`, `-Sstatedir=${dir}`, 'sh', '-c', script], { env: OUTSIDE });
    assert.is(r.code, 0, r.stderr);
    const [rundir, rcleanup, uri, statedir, scleanup, rmode, smode] = r.stdout.trim().split('\n');
    assert.match(rundir!, new RegExp(`^${dir}/flux-\\w{6}$`));
    assert.match(statedir!, new RegExp(`^${dir}/flux-\\w{6}$`));
    assert.is.not(rundir, statedir);
    assert.equal([rcleanup, uri, scleanup, rmode, smode], ['1', `local://${rundir}/local-0`, '1', '700', '700']);
    assert.equal(fs.readdirSync(dir), [], 'both removed at exit');
    assert.is(fs.statSync(dir).mode & 0o7777, 0o1777, 'the sticky directory is left alone');
  });
});

test('statedir-cleanup=0 keeps the unique statedir made in a sticky directory', () => {
  withSticky((dir) => {
    const r = flux(['start', `-Sstatedir=${dir}`, '-Sstatedir-cleanup=0', 'flux', 'getattr', 'statedir'], { env: OUTSIDE });
    assert.is(r.code, 0, r.stderr);
    const statedir = r.stdout.trim();
    assert.match(statedir, new RegExp(`^${dir}/flux-\\w{6}$`));
    assert.equal(fs.readdirSync(dir), [path.basename(statedir)]);
    assert.ok(fs.existsSync(path.join(statedir, 'content.lmdb')) || fs.readdirSync(statedir).length > 0, 'the store is there');
  });
});

test('a directory others may write without the sticky bit is still refused', () => {
  const t = tmpdir('flux-t1171-');
  try {
    fs.chmodSync(t.dir, 0o777);
    const r = flux(['start', `-Sstatedir=${t.dir}`, 'true'], { env: OUTSIDE });
    assert.is(r.code, 1);
    assert.match(r.stderr, `statedir ${t.dir} is writable by others (mode 0777)`);
  } finally {
    t.cleanup();
  }
});

test.run();
