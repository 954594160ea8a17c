/**
 * Bash completion generated from the option specs: `flux completion bash`
 * sourced in a real bash, its completion function called as bash calls it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, run, ROOT, tmpdir } from '../helpers/flux';

const t = tmpdir();
const script = path.join(t.dir, 'flux.bash');
test.after(() => t.cleanup());

/** the completions bash offers for the words typed so far (the last one is being completed) */
function complete(...words: string[]): string[] {
  const w = words.map((x) => `'${x}'`).join(' ');
  const r = run('bash', ['--norc', '--noprofile', '-c', `source '${script}' && COMP_WORDS=(${w}) && COMP_CWORD=${words.length - 1} && _flux && printf '%s\\n' "\${COMPREPLY[@]}"`], {
    cwd: t.dir,
  });
  assert.is(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

test('flux completion bash prints a script that registers _flux for flux', () => {
  const r = flux(['completion', 'bash']);
  assert.is(r.code, 0, r.stderr);
  fs.writeFileSync(script, r.stdout);
  const reg = run('bash', ['--norc', '-c', `source '${script}' && complete -p flux`]);
  assert.is(reg.stdout, 'complete -o filenames -F _flux flux\n');
  // the build writes the same script
  assert.is(fs.readFileSync(path.join(ROOT, 'dist', 'completion', 'flux.bash'), 'utf8'), r.stdout);
});

test('command words, front-end options, and command words after flux help', () => {
  assert.equal(complete('flux', 'jobs'), ['jobs']);
  assert.ok(complete('flux', 'jo').includes('job'));
  assert.ok(complete('flux', '').includes('submit'));
  assert.ok(complete('flux', '').includes('hostlist'));
  assert.equal(complete('flux', '--v'), ['--verbose', '--version']);
  assert.equal(complete('flux', 'help', 'ru'), ['run']);
});

test('sub-commands of a command word', () => {
  assert.equal(complete('flux', 'job', 'att'), ['attach']);
  assert.ok(complete('flux', 'resource', '').includes('eventlog'));
  assert.equal(complete('flux', 'pmi', 'ba'), ['barrier']);
});

test('options of a command and of a sub-command, from their specs', () => {
  assert.equal(complete('flux', 'run', '--nod'), ['--nodes']);
  const jobs = complete('flux', 'jobs', '-');
  for (const o of ['--all', '-a', '--include', '-i', '--format', '-o', '--help']) assert.ok(jobs.includes(o), o);
  assert.equal(complete('flux', 'job', 'taskmap', '--t'), ['--taskids', '--to']);
  assert.equal(complete('flux', '-p', 'hostlist', '--inter'), ['--intersect'], 'front-end options before the command are skipped');
});

test('file names elsewhere; an unsupported shell is refused', () => {
  fs.writeFileSync(path.join(t.dir, 'myscript.sh'), '');
  assert.equal(complete('flux', 'batch', 'mysc'), ['myscript.sh']);
  const r = flux(['completion', 'zsh']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-completion: zsh: only bash completion is supported\n']);
});

test.run();
