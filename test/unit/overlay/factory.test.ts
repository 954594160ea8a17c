/**
 * The PMI tree factory against an in-memory PMI: no PMI means a singleton (with
 * a one-line reason when launcher variables exist), a bad tbon.topo is a clear
 * error, and three in-process brokers wire up a secure tree: attributes, the
 * JOIN/QUORUM rules, requests routed across ranks, and broker.online.
 */
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Errno } from '../../../lib/errno';
import { FluxError } from '../../../lib/errors';
import { AttrStore } from '../../../kernel/attr/attrs';
import { defineDefaultAttrs } from '../../../kernel/attr/defaults';
import type { PmiClient } from '../../../lib/pmi/pmi';
import { LogRing } from '../../../kernel/log/log-ring';
import { LocalHandle } from '../../../kernel/router/local-handle';
import { Router } from '../../../kernel/router/router';
import { IBrokerCore, brokerModule, treeService, type BrokerCore } from '../../../kernel/broker-services';
import { ModuleHost } from '../../../kernel/module/module-host';
import type { TreeHost } from '../../../kernel/tree-host';
import { makeTreeFactory, singletonWarning } from '../../../overlay/factory';
import type { TreeFactory } from '../../../kernel/tree-host';
import type { Overlay } from '../../../overlay/overlay';
import { waitUntil } from '../../helpers/wait';

/** A PMI-1 job of `size` ranks held in memory (barrier releases when all entered). */
function fakePmi(size: number, preload: Record<string, string> = {}): PmiClient[] {
  const kvs = new Map(Object.entries(preload));
  let waiting: Array<() => void> = [];
  return Array.from({ length: size }, (_, rank) => ({
    rank,
    size,
    kvsname: '-',
    put: async (k: string, v: string) => void kvs.set(k, v),
    get: async (k: string) => {
      const v = kvs.get(k);
      if (v === undefined) throw new FluxError(Errno.ENOENT, `${k}: not found`);
      return v;
    },
    barrier: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === size) {
          const w = waiting;
          waiting = [];
          w.forEach((f) => f());
        }
      }),
    abort: async () => {},
    finalize: async () => {},
  }));
}

type FakeBroker = TreeHost & { router: Router; self: LocalHandle; attrs: AttrStore };

/** Just enough of a broker for the overlay: attrs, log, router, and the broker module on the broker's endpoint. */
async function fakeBroker(rank: number, size: number, rundir: string, setattrs: Record<string, string> = {}): Promise<FakeBroker> {
  const attrs = new AttrStore();
  defineDefaultAttrs(attrs);
  attrs.setInternal('hostname', `node${rank}`);
  attrs.setFromCommandLine('rundir', rundir);
  for (const [k, v] of Object.entries(setattrs)) attrs.setFromCommandLine(k, v);
  const logRing = new LogRing();
  logRing.printer = () => {};
  const uuid = randomUUID();
  const log = (sev: number, app: string, text: string) => logRing.append(sev, app, text, String(rank));
  const router = new Router(rank, uuid);
  const modules = new ModuleHost({ router, rank, size, getattr: (n: string) => attrs.get(n), log, publish: async () => {} }, () => ({}));
  const core = { uuid, rank, attrs, logRing, log, modules } as unknown as BrokerCore;
  const self = (await modules.loadBuiltin(brokerModule, uuid, [[IBrokerCore, core]])).handle;
  const host: FakeBroker = {
    attrs,
    logRing,
    uuid,
    config: {},
    // the factory settles the tbon liveness attributes: -S values win over [tbon]
    args: { setattrs: Object.entries(setattrs) },
    rank,
    router,
    self,
    extraServices: { set: (topic, fn) => modules.serveBuiltin(treeService(topic, (m) => fn(host, m))) },
    log,
    // rank 0 announces online-set changes; the fake broker has no event fan-out
    publish: (): Promise<void> => Promise.resolve(),
  };
  return host;
}

test('no PMI: singleton, and a reason on stderr only when a launcher was there', async () => {
  const f = makeTreeFactory(async () => undefined, {});
  const b = await fakeBroker(0, 1, os.tmpdir());
  const booted = await f(b);
  assert.equal([booted?.boot.rank, booted?.boot.size, booted?.boot.method], [0, 1, 'single']);
  // a broker alone: no descendants (its state machine says children-none, as Flux's)
  assert.is(b.attrs.get('tbon.descendants'), '0');
  assert.is(singletonWarning({ HOME: '/root' }), undefined);
  assert.is(
    singletonWarning({ SLURM_JOB_ID: '12', SLURM_NODEID: '0' }),
    'flux-broker: no PMI found (PMI_FD/PMI_PORT unset) but SLURM_JOB_ID is set: running as a singleton; under Slurm use srun --mpi=pmi2',
  );
  assert.match(singletonWarning({ PMIX_RANK: '0' })!, /PMIX_RANK is set: running as a singleton/);
});

test('an unknown topology scheme is a clear error', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovf-'));
  try {
    const pmi = fakePmi(2);
    const f = makeTreeFactory(async () => pmi[0]);
    const err = await f(await fakeBroker(0, 2, dir, { 'tbon.topo': 'bogus' })).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.is(err?.message, "error creating 'bogus' topology: unknown topology scheme 'bogus'");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('three brokers: tree attributes, join/quorum rules, routing, broker.online', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovf-'));
  const pmi = fakePmi(3, { PMI_process_mapping: '(vector,(0,1,3))' });
  const brokers = await Promise.all([0, 1, 2].map((r) => fakeBroker(r, 3, dir)));
  const trees: Overlay[] = [];
  try {
    const booted = await Promise.all(brokers.map((b, r) => makeTreeFactory(async () => pmi[r])(b)));
    for (const [r, x] of booted.entries()) {
      assert.ok(x, `rank ${r} booted as a singleton`);
      assert.equal(x!.boot.hostlist, ['node0', 'node1', 'node2']);
      assert.is(x!.boot.mapping, '[[0,1,3,1]]');
      trees.push(x!.tree as Overlay);
      brokers[r]!.router.overlay = x!.tree.port;
    }
    const a0 = brokers[0]!.attrs;
    assert.is(a0.get('tbon.endpoint'), `ipc://${dir}/tbon-0`);
    assert.is(a0.get('tbon.maxlevel'), '1');
    assert.is(a0.get('tbon.descendants'), '2');
    assert.is(brokers[2]!.attrs.get('tbon.level'), '1');
    assert.is(brokers[2]!.attrs.get('tbon.parent-endpoint'), `ipc://${dir}/tbon-0`);
    assert.is(brokers[1]!.attrs.get('tbon.endpoint'), undefined);

    // JOIN: followers wait for rank 0 to reach QUORUM.
    await trees[0]!.parentReady();
    let joined = 0;
    const joins = [1, 2].map((r) => trees[r]!.parentReady().then(() => joined++));
    await new Promise((r) => setTimeout(r, 100));
    assert.is(joined, 0, 'a follower joined before its parent was in QUORUM');
    trees[0]!.stateChanged('quorum');
    await Promise.all(joins);

    // QUORUM on rank 0 waits for every broker to be online.
    const q0 = trees[0]!.quorum();
    trees[1]!.stateChanged('quorum');
    trees[2]!.stateChanged('quorum');
    await q0;
    const online = await brokers[1]!.self.rpc<{ members: string }>('groups.get', { name: 'broker.online' });
    assert.is(online.members, '0-2');

    // Followers enter RUN when the parent does.
    const q1 = trees[1]!.quorum();
    trees[0]!.stateChanged('run');
    await q1;

    // A request from rank 1 to rank 2 goes up and back down, over sealed links.
    const attr = await brokers[1]!.self.rpc<{ value: string }>('attr.get', { name: 'hostname' }, { nodeid: 2 });
    assert.is(attr.value, 'node2');
    const st = await brokers[1]!.self.rpc<{ status: string; children: unknown[] }>('overlay.status', {}, { nodeid: 0 });
    assert.is(st.status, 'full');
    assert.is(st.children.length, 2);
  } finally {
    await Promise.all(trees.map((t) => t.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the cards go through PMI in O(N): a rank reads its parent\'s and children\'s, rank 0 all of them and publishes the hosts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovf-'));
  const size = 16;
  const gets = new Array<string[]>(size).fill([]).map(() => [] as string[]);
  const pmi = fakePmi(size).map((c, r) => ({ ...c, get: (k: string) => (gets[r]!.push(k), c.get(k)) }));
  const brokers = await Promise.all(Array.from({ length: size }, (_v, r) => fakeBroker(r, size, dir, { 'tbon.topo': 'kary:2' })));
  const trees: Overlay[] = [];
  try {
    const booted = await Promise.all(brokers.map((b, r) => makeTreeFactory(async () => pmi[r])(b)));
    for (const [r, x] of booted.entries()) {
      trees.push(x!.tree as Overlay);
      assert.equal(x!.boot.hostlist, Array.from({ length: size }, (_v, i) => `node${i}`), `rank ${r}'s hostlist`);
      const cards = gets[r]!.filter((k) => /^\d+$/.test(k));
      // kary:2: parent (r-1)>>1, children 2r+1 and 2r+2
      const want = r === 0 ? Array.from({ length: size }, (_v, i) => String(i)) : [String((r - 1) >> 1), ...[2 * r + 1, 2 * r + 2].filter((k) => k < size).map(String)];
      assert.equal(cards, want, `rank ${r} read the cards ${cards.join(',')}`);
      assert.is(gets[r]!.includes('flux.hosts'), r !== 0);
    }
  } finally {
    await Promise.all(trees.map((t) => t.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a child's hello that comes before its parent knows the hosts waits for them instead of being refused", async () => {
  // kary:1 (0 -> 1 -> 2): rank 1 is a parent that reads the hosts from PMI
  // after the second barrier; here its answer comes only once rank 2 has
  // connected and said hello (on a loaded machine the launcher can answer
  // the child first)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovf-'));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const pmi = fakePmi(3).map((c, r) => (r === 1 ? { ...c, get: async (k: string) => (k === 'flux.hosts' && (await held), c.get(k)) } : c));
  const brokers = await Promise.all([0, 1, 2].map((r) => fakeBroker(r, 3, dir, { 'tbon.topo': 'kary:1' })));
  const trees: Overlay[] = [];
  let booting: ReturnType<TreeFactory>[] = [];
  const heard: string[] = [];
  brokers[1]!.logRing.listen((e) => void heard.push(e.text));
  const log1 = () => heard;
  try {
    booting = brokers.map((b, r) => makeTreeFactory(async () => pmi[r])(b));
    const tree = async (r: number) => (await booting[r]!)!.tree as Overlay;
    trees.push(await tree(0), await tree(2));
    // rank 2 dials rank 1 and says hello while rank 1 still waits for the hosts
    void trees[1]!.parentReady().catch(() => {});
    const first = await waitUntil(() => log1().find((t) => /hello held|hello from rank 2/.test(t)), { what: 'rank 1 to hear the hello', intervalMs: 5 });
    assert.is(first, "rank 2: hello held until the instance's hosts are known");
    release();
    trees.push(await tree(1));
    await waitUntil(() => log1().find((t) => t.startsWith('accepting connection from node2 (rank 2)')), { what: 'rank 1 to accept rank 2', intervalMs: 5 });
    assert.not.ok(log1().some((t) => t.includes('mismatched')), log1().join('\n'));
  } finally {
    release();
    // every rank's tree, booted or booting when an assertion failed
    for (const b of await Promise.allSettled(booting)) if (b.status === 'fulfilled' && b.value) await (b.value.tree as Overlay).close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
