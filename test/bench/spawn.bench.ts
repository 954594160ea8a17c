/**
 * The job shell's spawn of a task through flux-task (native-spawn.ts, the
 * addon's spawnTask), one after the other: how long each call holds the
 * event loop (the posix_spawn runs on a thread of Node's pool: only the
 * pipes, the arguments and the streams are made on the loop), the process's
 * CPU per spawn and the wall time of a whole task (`true`), beside the floor
 * of spawning /bin/true from Node. The environment is the bench's own with 40
 * more variables (a job's is its submitter's).
 */
import { spawnTask } from '../../modules/job-exec/native-spawn';
import { spawnFloor } from './job-time';

const N = 300;

async function main(): Promise<void> {
  if (!spawnTask.available()) {
    console.log('spawn: the addon or flux-task is not built here: nothing to measure');
    return;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (let i = 0; i < 40; i++) env[`BENCH_VAR_${i}`] = 'x'.repeat(40);
  let onLoop = 0n;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    await new Promise<void>((resolve, reject) => {
      const s = process.hrtime.bigint();
      const k = spawnTask(['true'], env, '/', { pmi: false })!;
      onLoop += process.hrtime.bigint() - s;
      k.stdout?.resume();
      k.stderr?.resume();
      k.once('error', reject);
      k.once('close', () => resolve());
    });
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e6 / N;
  const c = process.cpuUsage(cpu0);
  console.log(`\nspawn: ${N} tasks (true) through flux-task, one after the other, ${Object.keys(env).length} environment variables`);
  console.log('loop ms/spawn  cpu ms/spawn  wall ms/task  floor /bin/true (ms)');
  console.log(
    [(Number(onLoop) / 1e6 / N).toFixed(3).padStart(13), ((c.user + c.system) / 1000 / N).toFixed(3).padStart(13), wall.toFixed(2).padStart(13), spawnFloor(100).toFixed(2).padStart(21)].join(' '),
  );
}

main().catch((e: unknown) => {
  // the error written out before the exit
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`, () => process.exit(1));
});
