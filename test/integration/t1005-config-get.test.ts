/** flux config get: the configuration in force, as flux-core prints it; flux config builtin: the paths flux-ts has, Flux's others refused saying why (set and unset: t1031). */
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
    assert.match(r.stderr, /^flux-config: rc1_path: not in flux-ts: flux-ts has no rc1 script: rc1 loads the module table/m);
  } finally {
    t.cleanup();
  }
});

test('builtin: the paths flux-ts has are the dirs its modules, plugins and pages are loaded from; Flux\'s others and unknown names are one line', () => {
  const path_ = (name: string) => flux(['config', 'builtin', name]);
  for (const [name, sub] of [['module_path', 'modules'], ['jobtap_pluginpath', 'plugins/jobtap'], ['shell_pluginpath', 'plugins/shell'], ['man_path', 'man']] as const) {
    const r = path_(name);
    assert.is(r.code, 0, r.stderr);
    const dir = r.stdout.trim();
    assert.ok(dir.endsWith(`/dist/${sub}`), dir);
    assert.ok(fs.statSync(dir).isDirectory(), dir);
  }
  assert.ok(fs.existsSync(path.join(path_('jobtap_pluginpath').stdout.trim(), 'perilog')), 'perilog is a plugin there');
  const none = path_('shell_path');
  assert.equal([none.code, none.stderr], [1, 'flux-config: shell_path: not in flux-ts: the job shell runs inside the broker: there is no shell program\n']);
  const bad = path_('bogus');
  assert.equal([bad.code, bad.stderr], [1, 'flux-config: bogus: invalid builtin config key (flux-ts has module_path, jobtap_pluginpath, shell_pluginpath, man_path)\n']);
});

test.run();
