/**
 * Test execution (Flux's job-exec "testexec"): a job whose jobspec has
 * `attributes.system.exec.test` spawns nothing. It "starts" at once, "runs"
 * for `run_duration` (an FSD: "0.1s", "2m", or seconds; default 0) and
 * finishes with `wait_status` (default 0). A kill or a fatal exception ends it
 * early, terminated by the signal. `mock_exception` = "init" or "run" raises
 * an exec exception before the start or once it runs. No rank of R is
 * contacted: such a job may "run" on ranks that have no broker (a simulated
 * cluster, see the resource module's monitor-force-up).
 *
 * The job has its exec eventlog (init, starting, complete, done), as Flux's
 * test execution posts it; it has no tasks, so no output log: `flux run` and
 * `flux job attach` print nothing and exit with the job.
 */
import { Errno, fsd, type Handle, type Message } from '../../kernel/api';
import { ExecEventlog } from './exec-eventlog';
import type { Jobspec } from './taskmap';

/** keys of system.exec.test this job-exec implements (others are refused with the job's exception) */
const KNOWN = new Set(['run_duration', 'wait_status', 'mock_exception']);

export interface TestExecPlan {
  /** seconds */
  runDuration: number;
  /** the wait status the job finishes with */
  waitStatus: number;
  mockException?: 'init' | 'run';
}

/** The job's system.exec.test, or undefined for a real job; throws with one line when it is malformed. */
export function testExecPlan(jobspec: Jobspec): TestExecPlan | undefined {
  const exec = jobspec.attributes?.system?.['exec'];
  if (exec === undefined) return undefined;
  if (typeof exec !== 'object' || exec === null || Array.isArray(exec)) throw new Error('attributes.system.exec must be an object');
  const others = Object.keys(exec).filter((k) => k !== 'test');
  if (others.length > 0) throw new Error(`attributes.system.exec.${others[0]}: unknown key (only exec.test is supported)`);
  const test = (exec as Record<string, unknown>)['test'];
  if (test === undefined) return undefined;
  if (typeof test !== 'object' || test === null || Array.isArray(test)) throw new Error('attributes.system.exec.test must be an object');
  const t = test as Record<string, unknown>;
  for (const k of Object.keys(t)) {
    if (!KNOWN.has(k)) throw new Error(`attributes.system.exec.test.${k}: not supported (supported: ${[...KNOWN].join(', ')})`);
  }
  let runDuration = 0;
  const rd = t['run_duration'];
  if (typeof rd === 'number' && Number.isFinite(rd) && rd >= 0) runDuration = rd;
  else if (typeof rd === 'string') {
    const d = fsd.tryParse(rd);
    if (d === undefined || !Number.isFinite(d)) throw new Error(`attributes.system.exec.test.run_duration: invalid duration "${rd}"`);
    runDuration = d;
  } else if (rd !== undefined) throw new Error('attributes.system.exec.test.run_duration must be a duration ("0.1s", "2m") or seconds');
  if (runDuration > fsd.MAX_DURATION) throw new Error('attributes.system.exec.test.run_duration is too long');
  const ws = t['wait_status'] ?? 0;
  if (typeof ws !== 'number' || !Number.isInteger(ws) || ws < 0 || ws > 0xffff) {
    throw new Error('attributes.system.exec.test.wait_status must be an integer wait status (0-65535)');
  }
  const me = t['mock_exception'];
  if (me !== undefined && me !== 'init' && me !== 'run') throw new Error('attributes.system.exec.test.mock_exception must be "init" or "run"');
  return { runDuration, waitStatus: ws, mockException: me };
}

/** setTimeout's longest wait; a longer run waits in steps */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class TestExecJob {
  /** nothing runs on any rank: no shells, no placements, no tasks */
  readonly shells = new Map<number, never>();
  readonly placements: never[] = [];
  readonly ntasks = 0;
  stopping = false;
  private readonly execlog: ExecEventlog;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private ending = false;
  private status: number;

  constructor(
    private readonly h: Handle,
    readonly id: number,
    private readonly req: Message,
    private readonly plan: TestExecPlan,
    private readonly onDone: (job: TestExecJob) => void,
  ) {
    this.status = plan.waitStatus;
    this.execlog = new ExecEventlog(h, id);
  }

  private respond(type: string, data: Record<string, unknown> = {}): void {
    this.h.respond(this.req, { ...data, id: this.id, type, data });
  }

  start(): void {
    this.execlog.post('init');
    if (this.plan.mockException === 'init') {
      this.raise('mock initialization exception generated');
      return;
    }
    this.execlog.post('starting');
    this.started = true;
    this.respond('start');
    if (this.plan.mockException === 'run') {
      this.raise('mock run exception generated');
      return;
    }
    this.wait(this.plan.runDuration * 1000);
  }

  private wait(ms: number): void {
    const step = Math.min(ms, MAX_TIMER_MS);
    this.timer = setTimeout(() => (ms > step ? this.wait(ms - step) : void this.finish()), step);
  }

  /** an exec exception for the job (fatal: it ends, as if killed by SIGTERM) */
  private raise(note: string): void {
    if (this.ending) return;
    this.respond('exception', { type: 'exec', severity: 0, note });
    this.status = 15;
    void this.finish();
  }

  /** a signal "kills" the job: it finishes now, terminated by that signal */
  kill(signum: number): void {
    if (this.ending) return;
    this.status = signum & 0x7f;
    void this.finish();
  }

  fatalKill(signum?: number): void {
    this.kill(signum ?? 15);
  }

  /** there are no tasks: stdin is taken and dropped */
  async stdin(): Promise<void> {}

  /** the run ends after run_duration; job-manager raises the timeout itself at the expiration */
  setExpiration(): void {}

  private async finish(): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.started) {
      // a wait status: wait_status as given, or the signal in the low 7 bits
      this.execlog.post('complete', { status: this.status });
      this.respond('finish', { status: this.status });
    }
    this.execlog.post('done');
    await this.execlog.close();
    this.respond('release', { ranks: 'all', final: true });
    this.h.respondError(this.req, Errno.ENODATA);
    this.onDone(this);
  }
}
