/**
 * tbon.torpid_min, tbon.torpid_max and tbon.tcp_user_timeout: Flux's defaults,
 * set by `-S` on the command line or by the `[tbon]` config table (`-S` wins),
 * shown in Flux's duration form; a value that is not a duration, or limits
 * that contradict each other, stop the broker with one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

const SHOW = ['sh', '-c', 'for a in torpid_min torpid_max tcp_user_timeout; do flux getattr tbon.$a; done'];
const tmp = tmpdir();

function config(text: string): string {
  const dir = fs.mkdtempSync(path.join(tmp.dir, 'conf-'));
  fs.writeFileSync(path.join(dir, 'tbon.toml'), text);
  return dir;
}

test.after(() => tmp.cleanup());

test('defaults are those of Flux', () => {
  const r = flux(['start', ...SHOW]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '5s\n30s\n20s\n');
});

test('-S sets them (torpid_max=0 disables torpid checks)', () => {
  const r = flux(['start', '-Stbon.torpid_min=1s', '-Stbon.torpid_max=0', '-Stbon.tcp_user_timeout=120s', ...SHOW]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '1s\n0s\n2m\n');
});

test('[tbon] sets them; -S wins over the config', () => {
  const dir = config('[tbon]\ntorpid_min = "2s"\ntorpid_max = "90s"\ntcp_user_timeout = "0"\n');
  let r = flux(['start', '-c', dir, ...SHOW]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '2s\n1.5m\n0s\n');
  r = flux(['start', '-c', dir, '-Stbon.torpid_max=10s', ...SHOW]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '2s\n10s\n0s\n');
});

test('refused with one line: not a duration, on the command line or in [tbon]', () => {
  let r = flux(['start', '-Stbon.torpid_max=soon', 'true']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^[^\n]*broker\.crit\[0\]: Error parsing tbon\.torpid_max attribute\n$/);
  r = flux(['start', '-c', config('[tbon]\ntcp_user_timeout = 20\n'), 'true']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^[^\n]*Config file error: \S+tbon\.toml:2: tbon\.tcp_user_timeout: 20 is not a valid duration \(FSD\)\n$/);
});

test('refused with one line: torpid_min of 0, torpid_max not above torpid_min', () => {
  let r = flux(['start', '-c', config('[tbon]\ntorpid_min = "0"\n'), 'true']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^[^\n]*tbon\.torpid_min must be greater than zero and finite\n$/);
  r = flux(['start', '-Stbon.torpid_max=2s', 'true']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^[^\n]*tbon\.torpid_max \(2s\) must be 0 or greater than tbon\.torpid_min \(5s\)\n$/);
});

test.run();
