/**
 * [job-manager.housekeeping] and flux housekeeping (Flux 0.88) through the
 * real `flux start --test-size=2 -c`: after a job, its command runs on each of
 * the job's ranks while the job goes INACTIVE; the ranks stay allocated
 * (`housekeeping` in flux resource status, allocated in flux resource list, a
 * new job waits) until it ends there; release-after frees them per rank; a
 * failed command drains its rank; flux housekeeping list shows it and flux
 * housekeeping kill ends it; a reloaded table applies to later jobs; the
 * instance shuts down with housekeeping still running; bad values are refused.
 *
 * The command (hk.sh) waits for a file this test writes per job and rank
 * (go.ID.RANK, holding its exit code), so each state is observed for sure.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

const tmp = tmpdir('flux-t1027-');
const started: Instance[] = [];
test.after(() => {
  for (const i of started) i.kill();
  tmp.cleanup();
});

const HK = path.join(tmp.dir, 'hk.sh');
fs.writeFileSync(
  HK,
  [
    '#!/bin/sh',
    'r=$(flux getattr rank)',
    `echo "$FLUX_JOB_ID $FLUX_JOB_USERID" > ${tmp.dir}/env.$FLUX_JOB_ID.$r`,
    'echo "cleaning rank $r"',
    // (it ends should the test's directory go away: nothing outlives a failed test)
    `while [ ! -e ${tmp.dir}/go.$FLUX_JOB_ID.$r ]; do [ -d ${tmp.dir} ] || exit 0; sleep 0.05; done`,
    `exit $(cat ${tmp.dir}/go.$FLUX_JOB_ID.$r)`,
    '',
  ].join('\n'),
  { mode: 0o755 },
);
const CONF_DIR = path.join(tmp.dir, 'conf');
fs.mkdirSync(CONF_DIR);
const CONF = path.join(CONF_DIR, 'hk.toml');
const conf = (extra = '') => `[job-manager.housekeeping]\ncommand = [ "${HK}" ]\n${extra}`;

/** let the job's housekeeping end on rank with this exit code */
function go(id: string, rank: number, code = 0): void {
  const f = path.join(tmp.dir, `go.${id}.${rank}`);
  fs.writeFileSync(`${f}.tmp`, `${code}\n`);
  fs.renameSync(`${f}.tmp`, f);
}

let inst: Instance;
const fx = (...args: string[]) => {
  const r = inst.flux(args);
  if (r.code !== 0) throw new Error(`flux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
/** run a -N2 job to its end: its decimal id and f58 */
function job(): { id: string; f58: string } {
  const f58 = fx('submit', '-N2', 'true').trim();
  fx('job', 'wait-event', '-t', '30', f58, 'clean');
  return { id: fx('job', 'id', '--to=dec', f58).trim(), f58 };
}
const nodes = (state: string) => fx('resource', 'list', '-s', state, '-no', '{nnodes}').trim();
const hkList = (...args: string[]) => fx('housekeeping', 'list', ...args);
const until = (what: string, cond: () => boolean) => waitUntil(cond, { what, timeoutMs: 30_000 });

test.before(async () => {
  fs.writeFileSync(CONF, conf('use-systemd-unit = false\n'));
  inst = await startInstance(['--test-size=2', '-c', CONF_DIR]);
  started.push(inst);
});

test('the job ends at once; its ranks stay allocated until housekeeping ends on all of them', async () => {
  const j = job();
  assert.is(fx('jobs', '-no', '{state}', j.f58).trim(), 'INACTIVE');
  await until('housekeeping on both ranks', () => fs.existsSync(`${tmp.dir}/env.${j.id}.0`) && fs.existsSync(`${tmp.dir}/env.${j.id}.1`));
  // the job's id (decimal) and its owner, as Flux gives them
  assert.is(fs.readFileSync(`${tmp.dir}/env.${j.id}.1`, 'utf8'), `${j.id} ${process.getuid!()}\n`);
  assert.match(hkList(), new RegExp(`^       JOBID NNODES #ACTIVE  RUNTIME NODELIST\n {0,12}${j.f58}      2       2 +\\S+s \\S+\n$`));
  assert.match(fx('resource', 'status', '-s', 'housekeeping'), /^\s+STATEUP NNODES NODELIST\nhousekeeping ✔      2 \S+\n$/);
  assert.is(nodes('allocated'), '2');
  // a new job waits for the nodes
  const next = fx('submit', '-N2', 'true').trim();
  assert.is(fx('jobs', '-no', '{state}', next).trim(), 'SCHED');
  // release-after unset: nothing goes back before the last rank ends
  go(j.id, 1);
  await until('rank 1 done', () => hkList('--no-header', '--format={pending.ranks} {allocated.ranks}') === '0 0-1\n');
  assert.is(nodes('free'), '0');
  assert.is(hkList('-o', 'pending', '-n').trim().split(/\s+/)[1], '1');
  go(j.id, 0);
  fx('job', 'wait-event', '-t', '30', next, 'clean');
  const n = fx('job', 'id', '--to=dec', next).trim();
  go(n, 0);
  go(n, 1);
  await until('all free', () => nodes('free') === '2');
  assert.is(hkList('-n'), '');
  // its output went to the broker log, tagged with host, rank and job
  assert.match(fx('dmesg'), new RegExp(`job-manager\\.info\\[0\\]: housekeeping: \\S+ \\(rank 1\\) ${j.f58}: cleaning rank 1\n`));
  assert.match(fx('dmesg'), /job-manager\.err\[0\]: job-manager\.housekeeping\.use-systemd-unit is deprecated - ignoring\n/);
});

test('a failed housekeeping command drains its rank; the others go back', async () => {
  const j = job();
  go(j.id, 1, 3);
  go(j.id, 0);
  await until('rank 1 drained', () => fx('resource', 'drain', '-no', '{ranks}').trim() === '1');
  const reason = fx('resource', 'drain', '-no', '{reason}').trim();
  assert.is(reason, `housekeeping@${fx('job', 'id', '--to=f58plain', j.f58).trim()} exit-code: exited 3`);
  assert.match(fx('dmesg'), new RegExp(`job-manager\\.err\\[0\\]: housekeeping: \\S+ \\(rank 1\\) ${j.f58}: nonzero exit code\n`));
  await until('both ranks free to the scheduler', () => nodes('allocated') === '0');
  fx('resource', 'undrain', '1');
});

test('flux housekeeping kill: by job and targets, then --all; a killed run does not drain', async () => {
  const j = job();
  await until('listed', () => hkList('-n', '-o', '{pending.nnodes}') === '2\n');
  let r = inst.flux(['housekeeping', 'kill']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-housekeeping: ERROR: specify at least one of --targets, --jobid, or --all\n');
  r = inst.flux(['housekeeping', 'kill', '--all', '--jobid', j.f58]);
  assert.is(r.stderr, 'flux-housekeeping: ERROR: do not specify --jobid with --all\n');
  // only rank 1 of the job, with SIGKILL
  fx('housekeeping', 'kill', '--jobid', j.f58, '--targets', '1', '--signal', '9');
  await until('rank 1 killed', () => hkList('-n', '-o', '{pending.ranks}') === '0\n');
  // --include filters by rank: rank 1 is no longer active, but still allocated (release-after unset)
  assert.is(hkList('-n', '--include', '1', '-o', '{pending.nnodes} {allocated.ranks}'), '0 1\n');
  fx('housekeeping', 'kill', '--all');
  await until('all free', () => nodes('free') === '2');
  assert.is(hkList('-n'), '');
  assert.is(fx('resource', 'drain', '-no', '{ranks}'), '');
  assert.match(fx('dmesg'), new RegExp(`housekeeping: \\S+ \\(rank 1\\) ${j.f58}: Killed\n`));
});

test('config reload: release-after = "0" frees each rank as it ends, a duration after a timer', async () => {
  fs.writeFileSync(CONF, conf('release-after = "0"\n'));
  fx('config', 'reload');
  let j = job();
  go(j.id, 1);
  await until('rank 1 freed alone', () => nodes('free') === '1');
  assert.is(hkList('-n', '-o', '{allocated.ranks} {pending.ranks}'), '0 0\n');
  assert.is(fx('resource', 'status', '-s', 'housekeeping', '-no', '{ranks}'), '0\n');
  // a reloaded scheduler is told what housekeeping still holds (hello)
  fx('module', 'reload', 'sched');
  await until('sched back', () => inst.flux(['resource', 'list', '-s', 'free', '-no', '{nnodes}']).stdout === '1\n');
  assert.is(nodes('allocated'), '1');
  go(j.id, 0);
  await until('all free', () => nodes('free') === '2');

  fs.writeFileSync(CONF, conf('release-after = "1s"\n'));
  fx('config', 'reload');
  j = job();
  go(j.id, 0);
  // the timer started at rank 0's end frees it; rank 1 runs on
  await until('rank 0 freed by the timer', () => nodes('free') === '1');
  assert.is(hkList('-n', '-o', '{allocated.ranks}'), '1\n');
  go(j.id, 1);
  await until('all free', () => nodes('free') === '2');
});

test('the instance shuts down with housekeeping still running: it is killed', async () => {
  const j = job();
  await until('running', () => fs.existsSync(`${tmp.dir}/env.${j.id}.1`));
  const t0 = Date.now();
  const rc = await inst.stop();
  assert.is(rc, 0, inst.stderr());
  assert.ok(Date.now() - t0 < 15_000, `shutdown took ${Date.now() - t0} ms`);
  await until('no housekeeping process left', () => !fs.readdirSync('/proc').some((p) => /^\d+$/.test(p) && readCmdline(p).includes(HK)));
});

function readCmdline(pid: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

test('bad values are refused at start in one line', () => {
  const start = (toml: string) => {
    const f = path.join(tmp.dir, `bad${Math.random().toString(36).slice(2)}.toml`);
    fs.writeFileSync(f, toml);
    return flux(['start', '-c', f, 'true'], { timeoutMs: 60_000 });
  };
  let r = start('[job-manager.housekeeping]\ncommand = [ "true" ]\nrelease-after = "soon"\n');
  assert.is(r.code, 1);
  assert.match(r.stderr, /Config file error: \S+:3: job-manager\.housekeeping\.release-after: "soon": FSD parse error/);
  r = start('[job-manager.housekeeping]\ncommand = "true"\n');
  assert.is(r.code, 1);
  assert.match(r.stderr, /job-manager\.housekeeping\.command: must be a non-empty array of strings/);
  r = start('[job-manager.housekeeping]\nrelease-after = "1m"\n');
  assert.is(r.code, 1);
  assert.match(r.stderr, /job-manager\.housekeeping implies IMP but exec\.imp is undefined/);
  // Flux's default command is the IMP's `run housekeeping`, which flux-ts's IMP lacks
  r = start('[exec]\nimp = "/usr/bin/true"\n[job-manager.housekeeping]\nrelease-after = "1m"\n');
  assert.is(r.code, 1);
  assert.match(r.stderr, /job-manager\.housekeeping: no command: flux-ts's flux-imp has no 'run housekeeping' \(set command\)/);
});

test.run();
