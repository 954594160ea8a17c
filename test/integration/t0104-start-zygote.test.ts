/**
 * flux start --test-size forks its followers from a zygote (ADR 0024): each
 * is still a broker process of its own, as a spawned one is (its pid as
 * broker.pid, its command line and PMI_RANK in /proc, `flux uri pid:`, its
 * host name, its own UUID), FLUX_TS_BROKER_ZYGOTE=0 spawns them instead, and
 * a zygote that dies takes its brokers with it, reported, with nothing left.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLUX, ROOT, flux, tmpdir } from '../helpers/flux';
import { testWhen } from '../helpers/skip';
import { describe, findProcs } from '../helpers/procs';
import { spawn } from 'node:child_process';
import { waitUntil } from '../helpers/wait';

const tmp = tmpdir('flux-t0104-');
test.after(() => tmp.cleanup());

const addon = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(ROOT, 'dist', 'native', 'flux-ts.node')) as Record<string, unknown>;
  } catch {
    return {};
  }
})();
const noZygote = typeof addon['zygoteServe'] === 'function' && typeof addon['exitWithoutTeardown'] === 'function' ? undefined : 'this build cannot fork brokers (no addon, or no C++ part)';

/** a script for the initial program: per rank, "rank pid ppid parent-args | cmdline | PMI_RANK" */
const REPORT = path.join(tmp.dir, 'report.sh');
fs.writeFileSync(
  REPORT,
  `for r in 0 1 2; do
  pid=$(flux exec -r $r flux getattr broker.pid)
  ppid=$(awk '{print $4}' /proc/$pid/stat)
  echo "$r $pid $ppid $(tr '\\0' '\\n' </proc/$ppid/cmdline | grep -o '[^/]*\\.js$' | head -1) | $(tr '\\0' ' ' </proc/$pid/cmdline | sed 's/ *$//') | $(tr '\\0' '\\n' </proc/$pid/environ | grep '^PMI_RANK=')"
done
echo "front $PPID $(awk '{print $4}' /proc/$PPID/stat)"
echo "uri1 $(flux uri pid:$(flux exec -r 1 flux getattr broker.pid))"
echo "uuids $(flux exec -r all flux getattr broker.uuid | sort -u | wc -l)"
echo "hosts $(flux exec -r all flux getattr hostname | sort | tr '\\n' ' ')"
`,
);

interface Rank {
  pid: number;
  ppid: number;
  parent: string;
  cmdline: string;
  pmiRank: string;
}

function report(env: NodeJS.ProcessEnv): { ranks: Rank[]; frontEnd: number; lines: string[] } {
  const r = flux(['start', '--test-size=3', '--test-hosts=zy[0-2]', 'sh', REPORT], { env: { TMPDIR: tmp.dir, ...env } });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const ranks: Rank[] = [];
  for (const line of lines.slice(0, 3)) {
    const m = /^(\d) (\d+) (\d+) (\S*) \| (.*) \| (.*)$/.exec(line);
    assert.ok(m, line);
    ranks[Number(m![1])] = { pid: Number(m![2]), ppid: Number(m![3]), parent: m![4]!, cmdline: m![5]!, pmiRank: m![6]! };
  }
  // the initial program's parent is rank 0; rank 0's parent is flux start
  const front = /^front (\d+) (\d+)$/.exec(lines[3]!);
  assert.ok(front, lines[3]);
  assert.is(Number(front![1]), ranks[0]!.pid);
  return { ranks, frontEnd: Number(front![2]), lines };
}

testWhen(test, 'forked followers are brokers of their own, as spawned ones are', noZygote, () => {
  const { ranks, frontEnd, lines } = report({});
  assert.is(ranks[0]!.ppid, frontEnd, 'rank 0 is spawned by flux start');
  for (const r of [1, 2]) {
    const b = ranks[r]!;
    assert.is.not(b.ppid, frontEnd, `rank ${r} is forked, not spawned by flux start`);
    assert.is(b.parent, 'broker-zygote.js');
    assert.is(ranks[1]!.ppid, b.ppid, 'one zygote for all followers');
    assert.match(b.cmdline, new RegExp(`^\\S+ -- \\S+/cli/broker-entry\\.js --setattr=rundir=${tmp.dir}/flux-\\w+ --setattr=hostname=zy${r}$`));
    assert.is(b.pmiRank, `PMI_RANK=${r}`);
  }
  assert.is.not(ranks[1]!.pid, ranks[2]!.pid);
  assert.match(lines[4]!, new RegExp(`^uri1 local://${tmp.dir}/flux-\\w+/local-1$`));
  assert.is(lines[5], 'uuids 3');
  assert.is(lines[6], 'hosts zy0 zy1 zy2');
});

testWhen(test, 'FLUX_TS_BROKER_ZYGOTE=0 spawns every follower from flux start', noZygote, () => {
  const { ranks, frontEnd, lines } = report({ FLUX_TS_BROKER_ZYGOTE: '0' });
  for (const r of [0, 1, 2]) assert.is(ranks[r]!.ppid, frontEnd, `rank ${r}`);
  assert.is(ranks[1]!.pmiRank, 'PMI_RANK=1');
  assert.match(ranks[2]!.cmdline, /\/cli\/broker-entry\.js --setattr=rundir=\S+ --setattr=hostname=zy2$/);
  assert.is(lines[5], 'uuids 3');
});

testWhen(test, 'a zygote killed with SIGKILL: its brokers are killed and reported, the instance ends, nothing is left', noZygote, async () => {
  const marker = `t0104-${process.pid}`;
  const p = spawn(FLUX, ['start', '--test-size=3', 'sleep', '300'], {
    env: { ...process.env, TMPDIR: tmp.dir, T0104_MARK: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  try {
    // the zygote, once both followers are up (each with the marker in its environment)
    let zygote: number | undefined;
    await waitUntil(() => {
      const all = findProcs({ env: ['T0104_MARK', marker] });
      const followers = all.filter((q) => /broker-entry\.js/.test(q.args) && q.ppid !== p.pid);
      const z = all.find((q) => /broker-zygote\.js/.test(q.args));
      if (followers.length === 2 && z !== undefined && followers.every((f) => f.ppid === z.pid)) zygote = z.pid;
      return zygote !== undefined;
    }, { what: 'two followers forked by one zygote' });
    process.kill(zygote!, 'SIGKILL');
    const code = await done;
    assert.ok(code !== 0, `flux start exited ${code}`);
    assert.match(stderr, /flux-start: 1 \(pid \d+\) Killed/);
    assert.match(stderr, /flux-start: 2 \(pid \d+\) Killed/);
    await waitUntil(() => findProcs({ env: ['T0104_MARK', marker] }).length === 0, { what: 'no process of the instance left' }).catch(() => {
      assert.unreachable(`left running:\n${describe(findProcs({ env: ['T0104_MARK', marker] }))}`);
    });
  } finally {
    p.kill('SIGKILL');
    for (const q of findProcs({ env: ['T0104_MARK', marker] })) {
      try {
        process.kill(q.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
});

test.run();
