/** Job dependencies without a broker: validation at submit, and release or exception as targets move. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FluxError, Errno, encodeJobId } from '../../../kernel/api';
import { DependencyTracker, planDependencies, type DependHost, type TargetInfo } from '../../../modules/job-manager/depend';
import { waitUntil } from '../../helpers/wait';

const UID = 1000;
const A = 1 << 24; // job ids with a timestamp part, as the ingest makes them
const B = 2 << 24;

const active = (o: Partial<TargetInfo> = {}): TargetInfo => ({
  userid: UID,
  inactive: false,
  alloc: false,
  started: false,
  completed: false,
  endedByException: false,
  ...o,
});
const succeeded = active({ inactive: true, alloc: true, started: true, completed: true });
const failed = active({ inactive: true, alloc: true, started: true });
const excepted = active({ inactive: true, alloc: true, started: true, endedByException: true });
const canceledPending = active({ inactive: true, endedByException: true });

/** A host that records what the tracker asks for. */
function host(targets: Map<number, TargetInfo>) {
  const calls: string[] = [];
  const h: DependHost = {
    lookup: (id) => targets.get(id),
    add: (job, d) => calls.push(`add ${job} ${d}`),
    remove: (job, d) => calls.push(`remove ${job} ${d}`),
    raise: (job, note) => calls.push(`raise ${job} ${note}`),
  };
  return { h, calls };
}

function rejects(fn: () => unknown, msg: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, FluxError);
    assert.is((e as FluxError).errno, Errno.EINVAL);
    assert.is((e as FluxError).message, msg);
    return;
  }
  assert.unreachable(`expected: ${msg}`);
}

const dep = (scheme: string, value: string) => [{ scheme, value }];

test('plan: schemes, the after alias, and job ids in any encoding', () => {
  const t = new Map([[A, active()]]);
  const f58 = encodeJobId(A, 'f58');
  const plans = planDependencies(
    [
      { scheme: 'after', value: String(A) },
      { scheme: 'afterstart', value: f58 },
      { scheme: 'afterany', value: encodeJobId(A, 'hex') },
      { scheme: 'afterok', value: encodeJobId(A, 'dothex') },
      { scheme: 'afternotok', value: encodeJobId(A, 'kvs') },
      { scheme: 'afterexcept', value: f58 },
    ],
    UID,
    (id) => t.get(id),
  );
  assert.equal(
    plans.map((p) => p.description),
    [`after-start=${A}`, `after-start=${f58}`, `after-finish=${encodeJobId(A, 'hex')}`, `after-success=${encodeJobId(A, 'dothex')}`,
      `after-failure=${encodeJobId(A, 'kvs')}`, `after-except=${f58}`],
  );
  assert.ok(plans.every((p) => p.kind === 'after' && p.target === A));
  assert.equal(planDependencies(undefined, UID, () => undefined), []);
});

test('plan: what flux-core rejects, with its words', () => {
  const t = new Map([[A, active()], [B, active({ userid: 7 })]]);
  const look = (id: number) => t.get(id);
  rejects(() => planDependencies(dep('foo', '1'), UID, look), 'dependency scheme "foo" not supported');
  rejects(() => planDependencies(dep('afterok', 'bar'), UID, look), 'dependency: afterok: "bar" is not a valid jobid');
  rejects(() => planDependencies(dep('afterok', '-1'), UID, look), 'dependency: afterok: "-1" is not a valid jobid');
  rejects(() => planDependencies(dep('afterany', 'f1234'), UID, look), 'dependency: afterany: id f1234: job not found');
  rejects(() => planDependencies(dep('afterany', String(B)), UID, look), `afterany: Permission denied for job ${B}`);
  rejects(() => planDependencies({}, UID, look), 'attributes.system.dependencies must be an array');
  rejects(() => planDependencies([{ value: '1' }], UID, look), 'dependency: missing scheme');
  rejects(() => planDependencies(dep('begin-time', 'soon'), UID, look), 'Invalid begin-time=soon');
  rejects(() => planDependencies(dep('begin-time', '-5'), UID, look), 'Invalid begin-time=-5');
});

test('plan: a target already inactive is judged at once', () => {
  const t = new Map([[A, succeeded], [B, failed]]);
  const look = (id: number) => t.get(id);
  const a = String(A);
  const b = String(B);
  assert.is(planDependencies(dep('afterok', a), UID, look).length, 1);
  assert.is(planDependencies(dep('afterany', b), UID, look).length, 1);
  assert.is(planDependencies(dep('afternotok', b), UID, look).length, 1);
  assert.is(planDependencies(dep('afterstart', a), UID, look).length, 1);
  rejects(() => planDependencies(dep('afterok', b), UID, look), `dependency: afterok: job ${b} failed or was canceled`);
  rejects(() => planDependencies(dep('afternotok', a), UID, look), `dependency: afternotok: job ${a} succeeded`);
  rejects(() => planDependencies(dep('afterexcept', b), UID, look), `dependency: afterexcept: job ${b}: no exception`);
  t.set(B, excepted);
  assert.is(planDependencies(dep('afterexcept', b), UID, look).length, 1);
  t.set(B, canceledPending);
  assert.is(planDependencies(dep('afterany', b), UID, look).length, 1);
  rejects(() => planDependencies(dep('afternotok', b), UID, look), `dependency: after: ${b} never started`);
  rejects(() => planDependencies(dep('after', b), UID, look), `dependency: after: ${b} never started`);
});

test('tracker: an inactive target that satisfies is removed at once, active ones wait', () => {
  const t = new Map([[A, succeeded], [B, active()]]);
  const { h, calls } = host(t);
  const tr = new DependencyTracker(h);
  const plans = planDependencies([...dep('afterok', String(A)), ...dep('afterok', String(B))], UID, h.lookup);
  tr.register(9, plans);
  assert.equal(calls, [`add 9 after-success=${A}`, `add 9 after-success=${B}`, `remove 9 after-success=${A}`]);
  assert.is(tr.size, 1);
});

test('tracker: afterstart is released by start, the others by the result', () => {
  const t = new Map([[A, active()]]);
  const { h, calls } = host(t);
  const tr = new DependencyTracker(h);
  const a = String(A);
  tr.register(10, planDependencies(dep('afterstart', a), UID, h.lookup));
  tr.register(11, planDependencies(dep('afterok', a), UID, h.lookup));
  tr.register(12, planDependencies(dep('afternotok', a), UID, h.lookup));
  tr.register(13, planDependencies(dep('afterany', a), UID, h.lookup));
  tr.register(14, planDependencies(dep('afterexcept', a), UID, h.lookup));
  calls.length = 0;
  tr.started(A);
  assert.equal(calls, [`remove 10 after-start=${a}`]);
  calls.length = 0;
  tr.inactive(A, succeeded);
  assert.equal(calls, [
    `remove 11 after-success=${a}`,
    `remove 13 after-finish=${a}`,
    `raise 12 dependency after-failure=${a} can never be satisfied`,
    `raise 14 dependency after-except=${a} can never be satisfied`,
  ]);
  assert.is(tr.size, 0);
});

test('tracker: failure, exception, and a target that never ran', () => {
  const a = String(A);
  const run = (outcome: TargetInfo): string[] => {
    const { h, calls } = host(new Map([[A, active()]]));
    const tr = new DependencyTracker(h);
    let id = 20;
    for (const s of ['afterstart', 'afterok', 'afternotok', 'afterany', 'afterexcept']) tr.register(id++, planDependencies(dep(s, a), UID, h.lookup));
    calls.length = 0;
    if (outcome.started) tr.started(A);
    tr.inactive(A, outcome);
    return calls;
  };
  assert.equal(run(failed), [
    `remove 20 after-start=${a}`,
    `remove 22 after-failure=${a}`,
    `remove 23 after-finish=${a}`,
    `raise 21 dependency after-success=${a} can never be satisfied`,
    `raise 24 dependency after-except=${a} can never be satisfied`,
  ]);
  assert.equal(run(excepted).filter((c) => c.startsWith('remove')), [
    `remove 20 after-start=${a}`,
    `remove 22 after-failure=${a}`,
    `remove 23 after-finish=${a}`,
    `remove 24 after-except=${a}`,
  ]);
  // allocated but the shell never started: afterstart can no longer be satisfied
  assert.equal(run(active({ inactive: true, alloc: true, endedByException: true })).filter((c) => c.includes('after-start')), [
    `raise 20 dependency after-start=${a} can never be satisfied`,
  ]);
  assert.equal(run(canceledPending), [
    `remove 23 after-finish=${a}`,
    `raise 20 dependency after-start=${a} job never started`,
    `raise 21 dependency after-success=${a} job never started`,
    `raise 22 dependency after-failure=${a} job never started`,
    `raise 24 dependency after-except=${a} job never started`,
  ]);
});

test('tracker: a canceled dependent is forgotten, and forgets its own waits when it goes inactive', () => {
  const t = new Map([[A, active()], [B, active()]]);
  const { h, calls } = host(t);
  const tr = new DependencyTracker(h);
  tr.register(B, planDependencies(dep('afterok', String(A)), UID, h.lookup));
  tr.register(30, planDependencies(dep('afterany', String(B)), UID, h.lookup));
  calls.length = 0;
  // B (waiting on A) is canceled: its wait on A goes, and 30's afterany on it is released
  tr.inactive(B, canceledPending);
  assert.equal(calls, [`remove 30 after-finish=${B}`]);
  calls.length = 0;
  tr.inactive(A, succeeded);
  assert.equal(calls, []);
  assert.is(tr.size, 0);
});

test('tracker: begin-time in the past is removed at once, in the future by a timer', async () => {
  const { h, calls } = host(new Map());
  const now = 1000;
  const tr = new DependencyTracker(h, () => now);
  tr.register(40, planDependencies(dep('begin-time', '999.5'), UID, h.lookup));
  assert.equal(calls, ['add 40 begin-time=999.500', 'remove 40 begin-time=999.500']);
  calls.length = 0;
  tr.register(41, planDependencies(dep('begin-time', '1000.05'), UID, h.lookup));
  tr.register(42, planDependencies(dep('begin-time', '1000.05'), UID, h.lookup));
  tr.forget(42);
  assert.equal(calls, ['add 41 begin-time=1000.050', 'add 42 begin-time=1000.050']);
  await waitUntil(() => calls.length > 2, { what: 'the begin-time timer of job 41' });
  assert.equal(calls.slice(2), ['remove 41 begin-time=1000.050']);
  assert.is(tr.size, 0);
  tr.shutdown();
});

test.run();
