/**
 * The id `flux batch` prints and the `flux-{{id}}.out` it writes agree
 * whatever the locale: `{{id}}` is rendered by the submitter's locale (the
 * job's environment), not the broker's (shared/spec/user-pain.md item 39).
 * The `words` form (mnemonicode) is printed as Flux prints it and accepted
 * wherever a job id is.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance;
const t = tmpdir();

test.before(async () => {
  // the broker runs in a UTF-8 locale; the submitters below choose their own
  inst = await startInstance([], { brokerEnv: { LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' } });
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  t.cleanup();
});

/** run flux batch in env, wait for the job, and return the printed id and the .out files made */
function batch(env: NodeJS.ProcessEnv, dir: string): { id: string; files: string[] } {
  fs.mkdirSync(dir);
  const r = inst.flux(['batch', '-n1', '--wrap', 'echo', 'hello'], { env, cwd: dir });
  assert.is(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const w = inst.flux(['job', 'wait-event', '-t', '30', id, 'clean'], { env });
  assert.is(w.code, 0, w.stderr);
  return { id, files: fs.readdirSync(dir).filter((f) => f.endsWith('.out')) };
}

test('LC_ALL=C: the printed id and the file name both start with an ASCII f', () => {
  const dir = path.join(t.dir, 'c');
  const { id, files } = batch({ LC_ALL: 'C', LANG: 'C' }, dir);
  assert.match(id, /^f[1-9A-HJ-NP-Za-km-z]+$/);
  assert.equal(files, [`flux-${id}.out`]);
  assert.is(fs.readFileSync(path.join(dir, files[0]!), 'utf8'), 'hello\n');
});

test('a UTF-8 locale: both use ƒ', () => {
  const { id, files } = batch({ LC_ALL: 'en_US.UTF-8', LANG: 'en_US.UTF-8' }, path.join(t.dir, 'u'));
  assert.match(id, /^ƒ/);
  assert.equal(files, [`flux-${id}.out`]);
});

test('FLUX_F58_FORCE_ASCII=1 in a UTF-8 locale: both use f', () => {
  const { id, files } = batch({ LC_ALL: 'C.UTF-8', FLUX_F58_FORCE_ASCII: '1' }, path.join(t.dir, 'a'));
  assert.match(id, /^f/);
  assert.equal(files, [`flux-${id}.out`]);
});

test('the job sees FLUX_JOB_ID as its submitter printed it', () => {
  const r = inst.flux(['run', 'printenv', 'FLUX_JOB_ID'], { env: { LC_ALL: 'C' } });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^f[1-9A-HJ-NP-Za-km-z]+\n$/);
});

test('flux job id --to=words / --from=words: the words Flux prints for the smallest and largest ids', () => {
  const r = inst.flux(['job', 'id', '--to=words', '0', '18446744073709551615']);
  assert.is(r.stdout, 'academy-academy-academy--academy-academy-academy\nnatural-analyze-verbal--natural-analyze-verbal\n', r.stderr);
  const back = inst.flux(['job', 'id', '--from=words', 'natural-analyze-verbal--natural-analyze-verbal']);
  assert.is(back.stdout, '18446744073709551615\n', back.stderr);
  const bad = inst.flux(['job', 'id', 'bad-words']);
  assert.is(bad.code, 1);
  assert.is(bad.stderr, 'flux-job: bad-words: malformed input\n');
});

test('a job id in words works wherever an id does', () => {
  const id = inst.flux(['submit', '--urgency=hold', '--output=' + path.join(t.dir, 'w-{{id.words}}.out'), 'echo', 'w']).stdout.trim();
  const words = inst.flux(['job', 'id', '--to=words', id]).stdout.trim();
  assert.match(words, /^[a-z]+-[a-z]+-[a-z]+--[a-z]+-[a-z]+-[a-z]+$/);
  assert.is(inst.flux(['jobs', '-n', '-o', '{id.words} {state}', words]).stdout, `${words} SCHED\n`);
  let r = inst.flux(['job', 'urgency', words, 'default']);
  assert.is(r.code, 0, r.stderr);
  r = inst.flux(['job', 'wait-event', '-t', '30', words, 'clean']);
  assert.is(r.code, 0, r.stderr);
  assert.match(inst.flux(['job', 'info', words, 'eventlog']).stdout, /"name":"clean"/);
  assert.is(fs.readFileSync(path.join(t.dir, `w-${words}.out`), 'utf8'), 'w\n');
  assert.is(inst.flux(['job', 'status', words]).code, 0);
});

test.run();
