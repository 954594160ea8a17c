/**
 * log-stderr-mode=local (what `flux start -o,-v` selects): each broker prints
 * its own log lines, but followers still forward those at or below
 * log-forward-level to the leader, as Flux does, so the leader's
 * `log-filename` (and dmesg) holds every rank's errors; the leader does not
 * print them a second time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

const count = (text: string, needle: string) => text.split(needle).length - 1;

for (const mode of [['-Slog-stderr-mode=local'], ['-o,-v']]) {
  test(`${mode.join(' ')}: a follower's error reaches the leader's log file and dmesg, printed once`, () => {
    const t = tmpdir('flux-t1170-');
    try {
      const log = path.join(t.dir, 'broker.log');
      const r = flux(['start', '--test-size=2', ...mode, `-Slog-filename=${log}`, 'sh', '-c', 'flux exec -r 1 flux logger --severity=err hello-from-one && flux dmesg']);
      assert.is(r.code, 0, r.stderr);
      const text = fs.readFileSync(log, 'utf8');
      assert.match(text, /Z logger\.err\[1\]: hello-from-one\n/);
      assert.match(r.stdout, /Z logger\.err\[1\]: hello-from-one\n/);
      // rank 1 prints it in local form; rank 0 keeps it without printing it again
      assert.match(r.stderr, /^<3>logger\.err\[1\]: hello-from-one$/m);
      assert.is(count(r.stderr, 'logger.err[1]: hello-from-one'), 1, r.stderr);
    } finally {
      t.cleanup();
    }
  });
}

test('local mode: an entry below log-forward-level stays on its rank', () => {
  const t = tmpdir('flux-t1170-');
  try {
    const log = path.join(t.dir, 'broker.log');
    const r = flux(['start', '--test-size=2', '-Slog-stderr-mode=local', `-Slog-filename=${log}`, 'flux', 'exec', '-r', '1', 'flux', 'logger', '--severity=warning', 'quiet-one']);
    assert.is(r.code, 0, r.stderr);
    assert.not.match(fs.readFileSync(log, 'utf8'), /logger\.warning\[1\]: quiet-one/);
  } finally {
    t.cleanup();
  }
});

test.run();
