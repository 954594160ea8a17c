/**
 * flux top in a real terminal (tmux): the summary laid out as Flux's (title
 * with the time left at column 78, resource bars, counts, instance line), the
 * running jobs, Enter into a job that is a Flux instance and q back up, q to
 * quit with the terminal given back; TARGET to start inside a child; refusals
 * in one line without a terminal, for a missing argument and an unknown queue.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';
import { testWhen } from '../helpers/skip';
import { Tmux, tmuxMissing } from '../helpers/tmux';

let inst: Instance;
let outer = '';
let solo = '';
const tmp = tmpdir('flux-t1105-');
const terms: Tmux[] = [];

test.before(async () => {
  inst = await startInstance();
  const script = path.join(tmp.dir, 'outer.sh');
  fs.writeFileSync(script, '#!/bin/sh\nflux submit --job-name=inner sleep 300\nsleep 300\n', { mode: 0o755 });
  solo = inst.flux(['submit', '--job-name=solo', 'sleep', '300']).stdout.trim();
  inst.flux(['run', '--job-name=done1', 'true']);
  outer = inst.flux(['batch', '-n1', '--job-name=outer', `--output=${path.join(tmp.dir, 'out')}`, script]).stdout.trim();
  await until(() => inst.flux(['proxy', outer, 'flux', 'jobs', '-no', '{name}']).stdout === 'inner\n', 'the child instance to run its job', 60_000);
});
test.after(async () => {
  for (const t of terms) t.kill();
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

function terminal(command: string): Tmux {
  const t = new Tmux();
  terms.push(t);
  t.start(command, inst.env);
  return t;
}

async function screenWith(t: Tmux, what: string, pred: (lines: string[]) => boolean): Promise<string[]> {
  let last: string[] = [];
  await until(() => pred((last = t.screen())), `${what}; the screen:\n${last.join('\n')}`, 30_000);
  return last;
}

test('without a terminal, a missing argument: one line, exit 1', () => {
  const r = inst.flux(['top']);
  assert.is(r.stderr, 'flux-top: stdin is not a terminal\n');
  assert.is(r.code, 1);
  assert.is(inst.flux(['top', outer]).stderr, 'flux-top: stdin is not a terminal\n');
  const q = inst.flux(['top', '-q']);
  assert.is(q.stderr, "flux-top: '-q' missing argument\n");
  assert.is(q.code, 1);
});

testWhen(test, 'the summary and the running jobs, Enter into an instance, q back, q out', tmuxMissing, async () => {
  const exit = path.join(tmp.dir, 'exit1');
  const t = terminal(`flux top; echo $? > ${exit}; echo top-ended`);
  const s = await screenWith(t, 'both running jobs listed', (l) => l.some((x) => x.endsWith(' outer')) && l.some((x) => x.endsWith(' solo')));
  assert.is(s[0], 'ƒ' + ' '.repeat(77) + '∞');
  assert.is(s[1], `    nodes [${'|'.repeat(24)}1/1]${' '.repeat(20)}     0 pending`);
  assert.match(s[2]!, /^ {4}cores \[\|+ *\d\/\d\] +2 running$/);
  assert.is(s[3], '     gpus [                        0/0]        1 complete,      0 failed');
  assert.is(s[4], '');
  assert.match(s[5]!, /^ size: 1 {23}uptime: \S+ +\S+$/);
  assert.is(s[6], '       JOBID     USER ST NTASKS NNODES RUNTIME NAME');
  const rows = s.slice(7);
  assert.is(rows.length, 2);
  for (const r of rows) assert.match(r, /^ +ƒ\S+ +\S+ +R +1 +1 +\S+ (outer|solo)$/);
  assert.ok(rows.some((r) => r.includes(`${solo} `)));
  // select outer, open it
  const down = rows.findIndex((r) => r.endsWith(' outer'));
  for (let i = 0; i < down; i++) t.keys('j');
  t.keys('Enter');
  const c = await screenWith(t, 'the child instance shown', (l) => l[0]!.includes(`/${outer}`) && l.some((x) => x.endsWith(' inner')));
  assert.match(c[0]!, new RegExp(`^ƒ {20,}/${outer} {20,}∞$`));
  assert.match(c[5]!, /^ size: 1 {3}depth: 1 {12}uptime: \S+ +\S+$/);
  assert.match(c[7]!, /^ +ƒ\S+ +\S+ +R +1 +1 +\S+ inner$/);
  assert.is(c.length, 8);
  // q: back to the enclosing instance; q again: quit, the shell's screen back
  t.keys('q');
  await screenWith(t, 'the enclosing instance again', (l) => l[0] === 'ƒ' + ' '.repeat(77) + '∞' && l.some((x) => x.endsWith(' solo')));
  t.keys('q');
  await until(() => fs.existsSync(exit) && fs.readFileSync(exit, 'utf8') === '0\n', 'flux top to exit 0');
  await screenWith(t, 'the normal screen restored', (l) => l.includes('top-ended') && !l.some((x) => x.includes('JOBID')));
});

testWhen(test, 'Enter on a job that is not an instance stays; TARGET starts inside the child', tmuxMissing, async () => {
  const t = terminal(`flux top ${outer}`);
  const c = await screenWith(t, 'the child shown', (l) => l.some((x) => x.endsWith(' inner')));
  assert.match(c[0]!, new RegExp(`/${outer} {20,}∞$`));
  t.keys('Enter');
  // inner runs sleep: not an instance, the view stays
  await screenWith(t, 'still the child', (l) => l[0]!.includes(`/${outer}`) && l.some((x) => x.endsWith(' inner')));
});

testWhen(test, 'an unknown queue, an unknown job: one line, exit 1', tmuxMissing, async () => {
  const t = terminal('flux top -q nosuch; echo rc=$?; flux top ƒ1234; echo rc=$?');
  const s = await screenWith(t, 'both errors', (l) => l.filter((x) => x.startsWith('rc=')).length === 2);
  assert.equal(s, ['flux-top: --queue: nosuch: this instance has no named queues', 'rc=1', 'flux-top: jobid ƒ1234 not found', 'rc=1']);
});

testWhen(test, '-q NAME: only that queue\'s jobs and counts', tmuxMissing, async () => {
  const conf = path.join(tmp.dir, 'queues.toml');
  fs.writeFileSync(conf, '[queues.debug]\n[queues.batch]\n[policy.jobspec.defaults.system]\nqueue = "batch"\n');
  const q = await startInstance(['-c', conf]);
  try {
    assert.is(q.flux(['queue', 'start', '--all']).code, 0);
    q.flux(['submit', '--queue=debug', '--job-name=dbg', 'sleep', '300']);
    q.flux(['submit', '--job-name=bat', 'sleep', '300']);
    await until(() => q.flux(['jobs', '-no', '{name}:{status_abbrev}']).stdout.split('\n').filter((l) => l.endsWith(':R')).length === 2, 'both jobs to run');
    const t = new Tmux();
    terms.push(t);
    t.start('flux top -q debug', q.env);
    const s = await screenWith(t, 'the debug job alone', (l) => l.some((x) => x.endsWith(' dbg')));
    assert.match(s[2]!, / 1 running$/);
    assert.is(s.slice(7).length, 1);
    assert.not.ok(s.some((x) => x.endsWith(' bat')));
    t.kill();
  } finally {
    q.flux(['cancel', '--all']);
    await q.stop().catch(() => q.kill());
  }
});

test.run();
