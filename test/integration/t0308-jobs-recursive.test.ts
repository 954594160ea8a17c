/**
 * flux jobs -R: the jobs of child instances (flux batch) listed under a
 * heading with their path of job ids, as Flux does; -L limits the depth;
 * --threads and -L take whole numbers; --json with -R is refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance;
let outer = '';
const tmp = tmpdir();

test.before(async () => {
  inst = await startInstance();
  const script = path.join(tmp.dir, 'outer.sh');
  fs.writeFileSync(script, '#!/bin/sh\nflux submit --job-name=inner sleep 300\nsleep 300\n', { mode: 0o755 });
  inst.flux(['submit', '--job-name=solo', 'sleep', '300']);
  outer = inst.flux(['batch', '-n1', '--job-name=outer', `--output=${path.join(tmp.dir, 'out')}`, script]).stdout.trim();
  await until(() => inst.flux(['proxy', outer, 'flux', 'jobs', '-no', '{name}']).stdout === 'inner\n', 'the child instance to run its job', 60_000);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

test('-R lists the child instance\'s jobs under its job id', () => {
  const r = inst.flux(['jobs', '-R', '-o', '{name} {status_abbrev}']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `NAME ST\nouter R\nsolo R\n\n${outer}:\ninner R\n`);
});

test('without -R, and with -L 0, the child is not opened', () => {
  assert.is(inst.flux(['jobs', '-o', '{name}']).stdout, 'NAME\nouter\nsolo\n');
  assert.is(inst.flux(['jobs', '-L', '0', '-o', '{name}']).stdout, 'NAME\nouter\nsolo\n');
  assert.is(inst.flux(['jobs', '-L', '1', '-no', '{name}']).stdout, `outer\nsolo\n\n${outer}:\ninner\n`);
});

test('bad numbers and --json with -R are refused in one line', () => {
  const l = inst.flux(['jobs', '-L', 'x']);
  assert.is(l.code, 2);
  assert.match(l.stderr, /flux-jobs: error: argument -L\/--level: invalid int value: 'x'\n$/);
  const j = inst.flux(['jobs', '-R', '--json']);
  assert.is(j.code, 1);
  assert.is(j.stderr, 'flux-jobs: ERROR: --json with -R/--recursive is not supported by flux-ts yet\n');
});

test.run();
