/**
 * Reaching instances: flux uri --wait, nested job id paths, ?local/?remote,
 * the pid: and slurm: resolvers, and flux exec --jobid — through the real
 * commands against a real 3-broker instance.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;
let tmp: { dir: string; cleanup(): void };

const ok = (args: string[], env?: NodeJS.ProcessEnv): string => {
  // in the temporary folder: batch jobs write flux-ID.out there
  const r = inst.flux(args, { env, cwd: tmp.dir });
  assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

test.before(async () => {
  tmp = tmpdir('flux-uri-');
  inst = await startInstance(['--test-size=3']);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

test('uri --wait: waits for a held batch job to start and post its URI; nested ID/ID paths; ?local ?remote', async () => {
  const outer = ok(['batch', '-N1', '--urgency=hold', '--wrap', 'sleep', '300']);
  // without --wait a held job is an error: it is not running (Flux's words)
  let r = inst.flux(['uri', outer]);
  assert.equal([r.code, r.stderr], [1, `flux-uri: ERROR: jobid ${outer} is not running\n`]);
  const waiting = inst.fluxAsync(['uri', '--wait', outer]);
  ok(['job', 'urgency', outer, 'default']);
  r = await waiting;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^local:\/\/\/.*\/local-0\n$/);
  const local = r.stdout.trim();
  assert.is(ok(['uri', `${outer}?local`]), local);
  assert.is(ok(['uri', `${outer}?remote`]), `ssh://${os.hostname()}${local.slice('local://'.length)}`);
  assert.is(ok(['uri', '--remote', local]), `ssh://${os.hostname()}${local.slice('local://'.length)}`);
  r = inst.flux(['uri', `${outer}?nosuch`]);
  assert.equal([r.code, r.stderr], [1, `flux-uri: ERROR: ${outer}?nosuch: unknown query (?local or ?remote)\n`]);
  // a child of the child, by path
  const inner = ok(['proxy', outer, 'flux', 'batch', '-N1', '--wrap', 'sleep', '300']);
  const innerUri = ok(['uri', '--wait', `${outer}/${inner}`]);
  assert.match(innerUri, /^local:\/\//);
  assert.is.not(innerUri, local);
  assert.is(ok(['proxy', innerUri, 'flux', 'getattr', 'instance-level']), '2');
  // --wait on a job that ends without being an instance, and an unknown job
  const plain = ok(['submit', 'true']);
  r = inst.flux(['uri', '--wait', plain]);
  assert.equal([r.code, r.stderr], [1, `flux-uri: ERROR: jobid ${plain} is not running\n`]);
  r = inst.flux(['uri', '--wait', 'f1234']);
  assert.equal([r.code, r.stderr], [1, 'flux-uri: ERROR: jobid f1234 not found\n']);
  ok(['cancel', outer]);
});

test('pid: a job process gives the instance it runs in (its FLUX_URI); a broker gives the instance it serves; errors', async () => {
  const pidfile = path.join(tmp.dir, 'pid');
  // the job may run on any rank: pid: answers with the URI the job itself was given
  const id = ok(['submit', 'sh', '-c', `echo $$ $FLUX_URI > ${pidfile}; exec sleep 300`]);
  try {
    await waitUntil(() => fs.existsSync(pidfile) && fs.readFileSync(pidfile, 'utf8').endsWith('\n'), { what: 'the job wrote its pid' });
    const [jobPid, jobUri] = fs.readFileSync(pidfile, 'utf8').trim().split(' ');
    assert.match(jobUri!, /^local:\/\/\/.*\/local-[0-2]$/);
    assert.is(ok(['uri', `pid:${jobPid}`]), jobUri);
    const brokerPid = ok(['getattr', 'broker.pid']);
    assert.is(ok(['uri', `pid:${brokerPid}`], { FLUX_URI: '' }), inst.uri);
    let r = inst.flux(['uri', 'pid:999999999']);
    assert.equal([r.code, r.stderr], [1, 'flux-uri: ERROR: pid:999999999: no such process\n']);
    r = inst.flux(['uri', 'pid:abc']);
    assert.equal([r.code, r.stderr], [1, 'flux-uri: ERROR: pid:abc: PID must be a process id\n']);
    // a process outside any instance
    r = inst.flux(['uri', `pid:${process.pid}`], { env: {} });
    if (!process.env['FLUX_URI']) assert.equal([r.code, r.stderr], [1, `flux-uri: ERROR: pid:${process.pid}: process ${process.pid} has no FLUX_URI in its environment\n`]);
  } finally {
    // a failed assertion must not leave the job holding its node for the next test
    inst.flux(['cancel', id]);
  }
});

test('slurm: refused with one line naming why when Slurm is not there', () => {
  // a PATH with flux and node alone (node's own folder may hold srun)
  const nodebin = path.join(tmp.dir, 'nodebin');
  fs.mkdirSync(nodebin, { recursive: true });
  fs.symlinkSync(process.execPath, path.join(nodebin, 'node'));
  let r = inst.flux(['uri', 'slurm:12'], { env: { PATH: `${path.join(ROOT, 'bin')}:${nodebin}` } });
  assert.equal([r.code, r.stderr], [1, 'flux-uri: ERROR: slurm:12: Slurm is not available here (srun not found in PATH)\n']);
  // where srun is installed but no Slurm controller answers, srun's error names why
  r = inst.flux(['uri', 'slurm:12']);
  if (r.stderr.includes('srun scontrol listpids failed')) assert.match(r.stderr, /^flux-uri: ERROR: slurm:12: srun scontrol listpids failed: .*\n$/);
  r = inst.flux(['uri', 'slurm:x']);
  assert.equal([r.code, r.stderr], [1, 'flux-uri: ERROR: slurm:x: JOBID must be a Slurm job id\n']);
});

test('exec --jobid: runs on the nodes of the job, -r/-x index them, -l labels job ranks; errors', async () => {
  const id = ok(['submit', '-N2', '--requires=rank:1-2', 'sleep', '300']);
  try {
    ok(['job', 'wait-event', '-t', '30', id, 'start']);
    let r = inst.flux(['exec', '-l', '--jobid', id, 'sh', '-c', 'echo $(flux getattr rank) $FLUX_JOB_ID']);
    assert.is(r.code, 0, r.stderr);
    const dec = ok(['job', 'id', '--to=dec', id]);
    assert.equal(r.stdout.split('\n').filter(Boolean).sort(), [`0: 1 ${dec}`, `1: 2 ${dec}`]);
    assert.is(ok(['exec', '-j', id, '-r', '1', 'flux', 'getattr', 'rank']), '2');
    assert.is(ok(['exec', '-j', id, '-x', '1', 'flux', 'getattr', 'rank']), '1');
    r = inst.flux(['exec', '-j', id, '-r', '2', 'true']);
    assert.equal([r.code, r.stderr], [1, 'flux-exec: One or more invalid --ranks specified: 2\n']);
    r = inst.flux(['exec', '-j', 'f1234', 'true']);
    assert.equal([r.code, r.stderr], [1, 'flux-exec: job f1234 not found\n']);
    const done = ok(['submit', '--wait', 'true']);
    r = inst.flux(['exec', '-j', done, 'true']);
    assert.equal([r.code, r.stderr], [1, `flux-exec: job ${done} is not running\n`]);
  } finally {
    inst.flux(['cancel', id]);
  }
});

test.run();
