/** flux config get: the configuration in force, as flux-core prints it; builtin, which flux-ts lacks, is refused (set and unset: t1031). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

test('get: whole, a table, a value, types, defaults; the rest refused', () => {
  const t = tmpdir();
  try {
    const f = path.join(t.dir, 'c.toml');
    fs.writeFileSync(f, '[resource]\nnoverify = true\n[policy.limits]\nduration = "1m"\n[cli-pool]\nsize = 1\n');
    const script = [
      'flux config get',
      'flux config get resource',
      'flux config get policy.limits.duration',
      'flux config get --type=integer policy.limits.duration; echo rc=$?',
      'flux config get -t fsd-integer policy.limits.duration',
      'flux config get -t integer cli-pool.size',
      'flux config get nosuch; echo rc=$?',
      'flux config get -q nosuch; echo rc=$?',
      'flux config get -d 5 nosuch',
      'flux config builtin rc1_path; echo rc=$?',
    ].join('\n');
    const r = flux(['start', '-c', f, 'sh', '-c', script]);
    assert.is(
      r.stdout,
      [
        '{"resource":{"noverify":true},"policy":{"limits":{"duration":"1m"}},"cli-pool":{"size":1}}',
        '{"noverify":true}',
        '1m',
        'rc=1',
        '60',
        '1',
        'rc=1',
        'rc=1',
        '5',
        'rc=1',
        '',
      ].join('\n'),
      r.stderr,
    );
    assert.match(r.stderr, /^flux-config: policy\.limits\.duration does not have the requested type$/m);
    assert.match(r.stderr, /^flux-config: nosuch is not set$/m);
    assert.match(r.stderr, /^flux-config: builtin: not supported by flux-ts/m);
  } finally {
    t.cleanup();
  }
});

test.run();
