/**
 * Job-shell plugins loaded by path (`-o plugin=FILE`, flux-shell-options(7)),
 * through the real `flux` in a size-2 instance: the guide's example
 * (docs/examples/shell/task-banner.js) sets an env var in task.init and logs
 * in shell.exit; async callbacks are awaited; a leader plugin sees the job's
 * exec events; a plugin named like a built-in replaces it; a bad path, a file
 * that is no plugin, a syntax error and a plugin that throws each fail the job
 * with one exception line naming it, and the broker runs on; `[exec]
 * shell-plugins` (flux-config-exec(5)) loads a site's plugin for every job.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance | undefined;
const tmp = tmpdir('flux-ts-t1023-');
const EXAMPLE = path.join(ROOT, 'docs', 'examples', 'shell', 'task-banner.js');

const write = (name: string, text: string) => fs.writeFileSync(path.join(tmp.dir, name), text);

test.before(async () => {
  inst = await startInstance(['--test-size=2'], { brokerEnv: { FLUX_RESOURCE_FAKE_CORES: '2' } });
  write(
    'slow.js',
    `module.exports = {
  name: 'slow',
  shell(ctx) {
    return {
      async 'shell.init'() {
        await new Promise((r) => setTimeout(r, 300));
        ctx.env.SLOW_PLUGIN = 'waited';
      },
    };
  },
  leader(ctx) {
    return { 'job.event'(e) { if (e.name === 'shell.start') ctx.log(5, 'slow: saw shell.start of ' + ctx.ntasks + ' tasks'); } };
  },
};
`,
  );
  write('boom.js', `module.exports = { name: 'boom', shell: () => ({ 'task.init'() { throw new Error('kaboom'); } }) };\n`);
  write('lboom.js', `module.exports = { name: 'lboom', leader: () => ({ async 'shell.init'() { throw new TypeError('no thanks'); } }) };\n`);
  write('notaplugin.js', `module.exports = { hello: 1 };\n`);
  write('syntax.js', `module.exports = { name: 'x', shell() { return { ; } } };\n`);
  write('needs.js', `require('left-pad');\nmodule.exports = { name: 'needs', shell() {} };\n`);
  // a plugin named like a built-in replaces it: this affinity binds nothing and takes any map
  write('affinity.js', `module.exports = { name: 'affinity', shell: (ctx) => ({ 'task.init'(t) { t.env.MY_AFFINITY = 'mine'; } }) };\n`);
});

test.after(async () => {
  await inst?.stop().catch(() => inst?.kill());
  tmp.cleanup();
});

const flux = (args: string[]) => inst!.flux(args, { cwd: tmp.dir, timeoutMs: 60_000 });
const ok = (args: string[]) => {
  const r = flux(args);
  assert.is(r.code, 0, `flux ${args.join(' ')}: ${r.stderr}`);
  return r;
};
const sorted = (s: string) => s.trim().split('\n').sort().join('\n');
/** the job failed with exactly one exec exception, whose note matches */
const failsWith = (args: string[], note: RegExp) => {
  const r = flux(args);
  assert.is.not(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => / job\.exception /.test(l));
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /type=exec severity=0 /);
  assert.match(lines[0]!, note);
  return r;
};

test("the guide's example: TASK_BANNER in every task, one log line per shell at exit", () => {
  const r = ok(['run', '-N2', '-n2', '-o', `plugin=${EXAMPLE}`, 'printenv', 'TASK_BANNER']);
  const host = ok(['run', '-n1', 'hostname']).stdout.trim();
  assert.is(sorted(r.stdout), `task 0 of 2 on ${host}\ntask 1 of 2 on ${host}`);
  assert.match(r.stderr, /flux-shell\[0\]: task-banner: 1 tasks, 0 failed\n/);
  assert.match(r.stderr, /flux-shell\[1\]: task-banner: 1 tasks, 0 failed\n/);
  // task.exit sees the status; a relative path is from the job's cwd
  fs.copyFileSync(EXAMPLE, path.join(tmp.dir, 'banner.js'));
  const f = flux(['run', '-n2', '-o', 'plugin=banner.js', 'sh', '-c', 'exit $FLUX_TASK_RANK']);
  assert.is(f.code, 1, f.stderr);
  assert.match(f.stderr, /flux-shell\[0\]: task-banner: 2 tasks, 1 failed\n/);
});

test('async callbacks are awaited; a leader plugin sees the exec eventlog; plugins load in order', () => {
  const r = ok(['run', '-n2', '-o', 'plugin=["slow.js","banner.js"]', 'sh', '-c', 'echo $SLOW_PLUGIN $TASK_BANNER']);
  assert.match(r.stdout, /^waited task 0 of 2 on /m);
  assert.match(r.stderr, /flux-shell\[0\]: slow: saw shell.start of 2 tasks\n/);
});

test('a plugin named like a built-in replaces it', () => {
  // the built-in refuses a map naming a CPU the broker lacks; the replacement does not look
  failsWith(['run', '-o', 'cpu-affinity=map:999', 'true'], /cpu-affinity: /);
  const r = ok(['run', '-o', 'plugin=affinity.js', '-o', 'cpu-affinity=map:999', 'printenv', 'MY_AFFINITY']);
  assert.is(r.stdout, 'mine\n');
});

test('a bad path, a file that is no plugin, a syntax error: one exception line naming the file', () => {
  failsWith(['run', '-o', 'plugin=nosuch.js', 'true'], /plugin: cannot load nosuch\.js: No such file or directory$/);
  failsWith(['run', '-o', 'plugin=.', 'true'], /plugin: cannot load \.: /);
  failsWith(['run', '-o', 'plugin=notaplugin.js', 'true'], /plugin: notaplugin\.js: not a shell plugin /);
  failsWith(['run', '-o', 'plugin=syntax.js', 'true'], /plugin: syntax\.js: SyntaxError: /);
  failsWith(['run', '-o', 'plugin=needs.js', 'true'], /plugin: needs\.js: Error: .*require\('left-pad'\): a shell plugin may require only/);
  const r = flux(['run', '-o', 'plugin=', 'true']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-run: ERROR: shell option plugin: must be a file name or a list of file names\n');
});

test('a plugin that throws fails the job with one line naming it and the callback; the broker runs on', () => {
  failsWith(['run', '-n2', '-o', 'plugin=boom.js', 'echo', 'never'], /host \S+: shell plugin boom: task\.init: kaboom$/);
  const l = failsWith(['run', '-o', 'plugin=lboom.js', 'echo', 'never'], /shell plugin lboom: shell\.init: no thanks$/);
  assert.is(l.stdout, '');
  assert.is(ok(['run', '-N2', '-n2', 'echo', 'still here']).stdout, 'still here\nstill here\n');
});

test('[exec] shell-plugins: every job loads the site plugins; a relative path is refused at config load', () => {
  let r = inst!.flux(['config', 'load'], { input: `[exec]\nshell-plugins = [${JSON.stringify(EXAMPLE)}]\n` });
  assert.is(r.code, 0, r.stderr);
  const j = ok(['run', '-n1', 'printenv', 'TASK_BANNER']);
  assert.match(j.stdout, /^task 0 of 1 on /);
  assert.match(j.stderr, /flux-shell\[0\]: task-banner: 1 tasks, 0 failed\n/);
  // a job's own plugin of the same name comes later and replaces the site's
  write('banner2.js', `module.exports = { name: 'task-banner', shell: () => ({ 'task.init'(t) { t.env.TASK_BANNER = 'the job\\'s'; } }) };\n`);
  assert.is(ok(['run', '-o', 'plugin=banner2.js', 'printenv', 'TASK_BANNER']).stdout, "the job's\n");
  r = inst!.flux(['config', 'load'], { input: '[exec]\nshell-plugins = ["relative.js"]\n' });
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /exec\.shell-plugins: must be a list of absolute paths of shell plugin files/);
  r = inst!.flux(['config', 'load'], { input: '' });
  assert.is(r.code, 0, r.stderr);
  assert.is(ok(['run', 'sh', '-c', 'echo ${TASK_BANNER:-none}']).stdout, 'none\n');
});

test.run();
