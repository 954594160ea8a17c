/** flux start as a singleton: initial program rules, exit codes, FLUX_URI, cleanup. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import { flux, FLUX, OWN_BIN, ROOT } from '../helpers/flux';

test('runs the initial program with FLUX_URI set and exits with its code', () => {
  const r = flux(['start', 'sh', '-c', 'echo "uri=$FLUX_URI"; exit 3']);
  assert.is(r.code, 3);
  assert.match(r.stdout, /^uri=local:\/\/.*\/local-0\n$/);
  assert.match(r.stderr, /broker\.err\[0\]: rc2\.0: sh -c echo "uri=\$FLUX_URI"; exit 3 Exited \(rc=3\) \d\.\ds\n$/);
});

test('zero exit prints nothing on stderr', () => {
  const r = flux(['start', 'true']);
  assert.is(r.code, 0);
  assert.is(r.stderr, '');
});

test('a signal gives 128+signo', () => {
  const r = flux(['start', 'sh', '-c', 'kill -9 $$']);
  assert.is(r.code, 137);
  assert.match(r.stderr, /rc2\.0: sh -c kill -9 \$\$ Killed \(rc=137\)/);
});

test('no command and no tty: Flux error, exit 1', () => {
  const r = flux(['start']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^\w{3} \d\d \d\d:\d\d:\d\d\.\d{6} UTC \d{4} broker\.crit\[0\]: stdin is not a tty - can't run interactive shell\n$/);
});

test('a lone shell name is interactive too', () => {
  const r = flux(['start', 'sh']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /stdin is not a tty/);
});

test('one word with spaces runs through $SHELL -c', () => {
  const r = flux(['start', 'echo one; echo two'], { env: { SHELL: '/bin/sh' } });
  assert.is(r.code, 0);
  assert.is(r.stdout, 'one\ntwo\n');
});

test('a missing program exits 127', () => {
  const r = flux(['start', '/nonexistent/cmd', 'arg']);
  assert.is(r.code, 127);
  assert.match(r.stderr, /rc2\.0: \/nonexistent\/cmd arg error launching process: No such file or directory \(rc=127\)/);
});

test('the rundir is removed when the instance exits', () => {
  const r = flux(['start', 'flux', 'getattr', 'rundir']);
  assert.is(r.code, 0);
  const dir = r.stdout.trim();
  assert.ok(dir.length > 0);
  assert.not.ok(fs.existsSync(dir), `${dir} still exists`);
});

test('the rundir and socket are owner-only', () => {
  const r = flux(['start', 'sh', '-c', 'd=$(flux getattr rundir); stat -c %a "$d" "$d/local-0"']);
  assert.is(r.code, 0);
  assert.is(r.stdout, '700\n600\n');
});

test('the instance finds this flux even when it is not on PATH', () => {
  const r = flux(['start', 'sh', '-c', 'command -v flux; flux getattr size'], { env: { PATH: '/usr/bin:/bin' } });
  assert.is(r.code, 0, r.stderr);
  // the launcher itself where the build made it (dist/bin/flux), else the script
  assert.is(r.stdout, `${OWN_BIN}/flux\n1\n`);
  assert.ok(FLUX.startsWith(ROOT));
});

test.run();
