/**
 * flux multi-prog (a program per task, run by a real job) and flux lptest
 * (the ripple pattern, no instance needed).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance;
const tmp = tmpdir('flux-ts-mp-');
const conf = (name: string, text: string): string => {
  const p = path.join(tmp.dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const NO_URI = { env: { FLUX_URI: '' } };

test.before(async () => {
  inst = await startInstance(['--test-size=1']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

const MAIN = conf(
  'main.conf',
  [
    '# a comment, then a blank line',
    '',
    '0     echo first task=%t offset=%o',
    '1-2   sh -c "echo middle task=%t offset=%o" # trailing comment',
    "*     printf '%s|%s\\n' 'any task' %t%o",
    '3     echo three: a named line wins over * wherever it is',
    '',
  ].join('\n'),
);

test('multi-prog: each task runs its line, %t and %o replaced, * for the rest', () => {
  const r = inst.flux(['run', '-N1', '--tasks-per-node=5', '--label-io', 'flux', 'multi-prog', MAIN]);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l !== '').sort();
  assert.equal(lines, [
    '0: first task=0 offset=0',
    '1: middle task=1 offset=0',
    '2: middle task=2 offset=1',
    "3: three: a named line wins over * wherever it is",
    '4: any task|40',
  ]);
  assert.is(r.stderr, '');
});

test('multi-prog --dry-run prints what each rank would run, quoted', () => {
  const r = flux(['multi-prog', '--dry-run', '0-4', MAIN], NO_URI);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.is(
    r.stdout,
    [
      '0: echo first task=0 offset=0',
      "1: sh -c 'echo middle task=1 offset=0'",
      "2: sh -c 'echo middle task=2 offset=1'",
      "3: echo three: a named line wins over '*' wherever it is",
      "4: printf '%s|%s\\n' 'any task' 40",
      '',
    ].join('\n'),
  );
  const n = flux(['multi-prog', '-n', '2', MAIN], NO_URI);
  assert.equal([n.code, n.stdout], [0, "2: sh -c 'echo middle task=2 offset=1'\n"]);
});

test("multi-prog: the task's exit status and signal are the program's", () => {
  const c = conf('exit.conf', "0 true\n1 sh -c 'exit 7'\n");
  let r = inst.flux(['run', '-n2', 'flux', 'multi-prog', c]);
  assert.is(r.code, 7, r.stderr);
  assert.match(r.stderr, /exit code 7/);
  const k = conf('kill.conf', "* sh -c 'kill -TERM $$'\n");
  r = flux(['multi-prog', k], { env: { FLUX_URI: '', FLUX_TASK_RANK: '0' } });
  assert.is(r.code, 143, 'killed by SIGTERM, as the program was');
});

test('multi-prog errors: one line naming the file and line, exit 1', () => {
  const one = (file: string, rank = '1') => flux(['multi-prog', file], { env: { FLUX_URI: '', FLUX_TASK_RANK: rank } });
  const cases: Array<[string, string]> = [
    [conf('nomatch.conf', '0 echo zero\n'), `flux-multi-prog: ERROR: ${tmp.dir}/nomatch.conf: No matching line for rank 1\n`],
    [conf('idset.conf', '0 echo a\n1-x echo b\n'), `flux-multi-prog: ERROR: ${tmp.dir}/idset.conf: line 2: invalid idset: 1-x\n`],
    [conf('quote.conf', '0 echo a\n\n1 echo "open\n'), `flux-multi-prog: ERROR: ${tmp.dir}/quote.conf: line 3: '1 echo "open': No closing quotation\n`],
    [conf('noprog.conf', '* /nonexistent/prog %t\n'), 'flux-multi-prog: ERROR: /nonexistent/prog: No such file or directory\n'],
    [path.join(tmp.dir, 'missing.conf'), `flux-multi-prog: ERROR: [Errno 2] No such file or directory: '${tmp.dir}/missing.conf'\n`],
  ];
  for (const [file, want] of cases) {
    const r = one(file);
    assert.equal([r.code, r.stdout, r.stderr], [1, '', want], file);
  }
  const r = flux(['multi-prog', MAIN], NO_URI);
  assert.equal([r.code, r.stderr], [1, 'flux-multi-prog: ERROR: FLUX_TASK_RANK not found or invalid\n']);
  const d = flux(['multi-prog', '--dry-run', 'x', MAIN], NO_URI);
  assert.is(d.code, 2);
  assert.match(d.stderr, /argument -n\/--dry-run: invalid IDset value: 'x'/);
  const j = inst.flux(['run', '-n2', 'flux', 'multi-prog', path.join(tmp.dir, 'nomatch.conf')]);
  assert.is(j.code, 1);
  assert.match(j.stderr, /No matching line for rank 1/);
});

test('lptest: the ripple pattern, its defaults and its errors', () => {
  let r = flux(['lptest', '5', '3'], NO_URI);
  assert.equal([r.code, r.stdout, r.stderr], [0, '!"#$%\n"#$%&\n#$%&\'\n', '']);
  r = flux(['lptest'], NO_URI);
  const lines = r.stdout.split('\n');
  assert.equal([r.code, lines.length, lines[0]!.length], [0, 201, 79]);
  assert.is(lines[0], Array.from({ length: 79 }, (_, j) => String.fromCharCode(33 + j)).join(''));
  assert.is(lines[94], lines[0], 'the pattern repeats every 94 lines');
  assert.is(lines[93]!.slice(0, 3), '~!"', 'it wraps from ~ back to !');
  r = flux(['lptest', '0', '2'], NO_URI);
  assert.equal([r.code, r.stdout], [0, '\n\n']);
  r = flux(['lptest', '200', '1'], NO_URI);
  assert.is(r.stdout.slice(92, 97), '}~!"#');
  for (const [args, want] of [
    [['x'], "flux-lptest: invalid length: 'x'\n"],
    [['5', '-1'], "flux-lptest: invalid count: '-1'\n"],
  ] as Array<[string[], string]>) {
    r = flux(['lptest', ...args], NO_URI);
    assert.equal([r.code, r.stdout, r.stderr], [1, '', want], args.join(' '));
  }
});

test.run();
