/** flux start with bad broker options and config: Flux's one-line errors, exit 1, nothing left behind. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

const STAMP = '\\w{3} \\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} UTC \\d{4}';

test('config path that does not exist', () => {
  const r = flux(['start', '-o,--config-path=/nonexistent', 'true']);
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`^${STAMP} broker\\.crit\\[\\S+\\]: Config file error: stat: /nonexistent: No such file or directory\\n$`));
});

test('TOML syntax error names the file and line, also inside a config directory', () => {
  const t = tmpdir();
  try {
    fs.writeFileSync(path.join(t.dir, 'bad.toml'), '[resource]\nnoverify = true\n[bad\nfoo = 1\n');
    const file = flux(['start', '-c', path.join(t.dir, 'bad.toml'), 'true']);
    assert.is(file.code, 1);
    assert.match(file.stderr, new RegExp(`broker\\.crit\\[\\S+\\]: Config file error: ${path.join(t.dir, 'bad.toml')}:3: `));
    const dir = flux(['start', `-o,--config-path=${t.dir}`, 'true']);
    assert.is(dir.code, 1);
    assert.match(dir.stderr, /Config file error: .*bad\.toml:3: /);
  } finally {
    t.cleanup();
  }
});

test('bad attribute values and names', () => {
  const q = flux(['start', '-Sbroker.quorum=bogus', 'true']);
  assert.is(q.code, 1);
  assert.match(q.stderr, new RegExp(`^${STAMP} broker\\.crit\\[0\\]: Error parsing broker\\.quorum attribute\\n$`));
  const q2 = flux(['start', '--test-size=2', '-Sbroker.quorum=bogus', 'true']);
  assert.is(q2.code, 1);
  assert.match(q2.stderr, /broker\.crit\[1\]: Error parsing broker\.quorum attribute/);
  assert.match(q2.stderr, /broker\.crit\[0\]: Error parsing broker\.quorum attribute/);
  const u = flux(['start', '-Snosuch=1', 'true']);
  assert.is(u.code, 1);
  assert.is(u.stderr, 'flux-broker: nosuch: unknown attribute\n');
  const ro = flux(['start', '-Srank=3', 'true']);
  assert.is(ro.code, 1);
  assert.is(ro.stderr, 'flux-broker: rank: attribute may not be set on the command line\n');
});

test('unknown topology fails every broker quickly', () => {
  const r = flux(['start', '--test-size=3', '-Stbon.topo=bogus', 'true'], { timeoutMs: 20_000 });
  assert.is(r.code, 1);
  assert.match(r.stderr, /unknown topology scheme 'bogus'/);
  assert.match(r.stderr, /flux-start: 0 \(pid \d+\) exited with rc=1/);
});

test.run();
