/**
 * The initial program's rules (kernel/state/initial-program.ts, flux-start(1)):
 * nothing or a lone shell name is an interactive $SHELL; one word naming an
 * executable file runs it; one other word goes through `$SHELL -c`; several
 * words are argv. Also the environment the program gets.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planInitialProgram, programEnv } from '../../../../kernel/state/initial-program';
import { childLineage } from '../../../../lib/lineage';
import { strsignalName as strsignal } from '../../../../lib/strsignal';

const Plan = suite('planInitialProgram');

Plan('no words: interactive $SHELL', () => {
  assert.equal(planInitialProgram([], { SHELL: '/bin/bash' }), {
    argv: ['/bin/bash'],
    interactive: true,
    words: ['/bin/bash'],
  });
});

Plan('no words and no SHELL (or an empty one): /bin/sh', () => {
  assert.equal(planInitialProgram([], {}).argv, ['/bin/sh']);
  assert.equal(planInitialProgram([], { SHELL: '' }).argv, ['/bin/sh']);
});

Plan('a lone shell name or path is interactive', () => {
  assert.equal(planInitialProgram(['sh'], { SHELL: '/bin/bash' }), { argv: ['sh'], interactive: true, words: ['sh'] });
  assert.ok(planInitialProgram(['/bin/sh'], {}).interactive);
});

Plan('true and false are commands, not shells', () => {
  const p = planInitialProgram(['true'], { SHELL: '/bin/sh' });
  assert.not.ok(p.interactive);
  assert.equal(p.argv, ['/bin/sh', '-c', 'true']);
});

Plan('one word naming an executable file runs it directly', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-ts-plan-'));
  try {
    const exe = path.join(dir, 'prog');
    fs.writeFileSync(exe, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    assert.equal(planInitialProgram([exe], { SHELL: '/bin/sh' }), { argv: [exe], interactive: false, words: [exe] });
    // not executable: through the shell
    const plain = path.join(dir, 'plain');
    fs.writeFileSync(plain, 'x', { mode: 0o644 });
    assert.equal(planInitialProgram([plain], { SHELL: '/bin/sh' }).argv, ['/bin/sh', '-c', plain]);
    // a directory is not a program
    assert.equal(planInitialProgram([dir], { SHELL: '/bin/sh' }).argv, ['/bin/sh', '-c', dir]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Plan('one other word runs through $SHELL -c', () => {
  assert.equal(planInitialProgram(['echo one; echo two'], { SHELL: '/bin/zsh' }), {
    argv: ['/bin/zsh', '-c', 'echo one; echo two'],
    interactive: false,
    words: ['echo one; echo two'],
  });
});

Plan('several words are argv as given', () => {
  assert.equal(planInitialProgram(['sh', '-c', 'exit 3'], { SHELL: '/bin/bash' }), {
    argv: ['sh', '-c', 'exit 3'],
    interactive: false,
    words: ['sh', '-c', 'exit 3'],
  });
});

Plan.run();

const Env = suite('programEnv');

Env('sets FLUX_URI and strips what a job or launcher leaked', () => {
  const env = programEnv(
    {
      PATH: '/bin',
      HOME: '/home/u',
      FLUX_URI: 'local:///old',
      FLUX_JOB_ID: 'ƒ1',
      FLUX_KVS_NAMESPACE: 'job-1',
      PMI_FD: '3',
      PMI_RANK: '0',
      SLURM_JOBID: '9',
      PMIX_RANK: '0',
      PALS_RANKID: '0',
      NOTIFY_SOCKET: '/run/x',
      FLUX_MODULE_PATH: '/keep',
    },
    'local:///tmp/flux-x/local-0',
  );
  assert.equal(env, {
    PATH: '/bin',
    HOME: '/home/u',
    FLUX_MODULE_PATH: '/keep',
    FLUX_URI: 'local:///tmp/flux-x/local-0',
  });
});

Env('a job id becomes FLUX_ENCLOSING_ID', () => {
  assert.is(programEnv({}, 'local:///x', 'ƒ2')['FLUX_ENCLOSING_ID'], 'ƒ2');
  assert.not.ok('FLUX_ENCLOSING_ID' in programEnv({}, 'local:///x'));
});

Env('the lineage goes into FLUX_TS_LINEAGE, below the one inherited', () => {
  assert.is(programEnv({}, 'local:///x', undefined, childLineage('b0'))['FLUX_TS_LINEAGE'], 'b0');
  assert.is(childLineage('b1', { FLUX_TS_LINEAGE: 'a:b0' }), 'a:b0:b1');
  assert.not.ok('FLUX_TS_LINEAGE' in programEnv({}, 'local:///x'));
});

Env('strsignal texts', () => {
  assert.is(strsignal('SIGKILL'), 'Killed');
  assert.is(strsignal('SIGTERM'), 'Terminated');
  assert.is(strsignal('SIGWINCH'), 'Window changed');
  assert.is(strsignal('SIGNOPE'), 'SIGNOPE');
});

Env.run();
