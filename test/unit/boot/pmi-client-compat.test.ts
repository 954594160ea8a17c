/**
 * The PMI-1 client against scripted servers that answer exactly as Slurm 22.05
 * (`srun --mpi=pmi2`) and MPICH 4.0.2 hydra do (peers/PMI1-TRANSCRIPTS.md),
 * including hydra's PMI_PORT initack handshake, and a server that never answers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import { pmiConnect } from '../../../lib/pmi/client';

type Script = (cmd: string, line: string) => string[];

const slurm: Script = (cmd, line) => {
  switch (cmd) {
    case 'init': return ['cmd=response_to_init rc=0 pmi_version=1 pmi_subversion=1'];
    case 'get_maxes': return ['cmd=maxes rc=0 kvsname_max=256 keylen_max=64 vallen_max=1024'];
    case 'get_appnum': return ['cmd=appnum rc=0 appnum=-1'];
    case 'get_my_kvsname': return ['cmd=my_kvsname rc=0 kvsname=3.0'];
    case 'put': return ['cmd=put_result rc=0'];
    case 'barrier_in': return ['cmd=barrier_out rc=0'];
    case 'get': return line.includes('key=there') ? ['cmd=get_result rc=0 value=hello-from-1'] : ['cmd=get_result rc=1'];
    case 'finalize': return ['cmd=finalize_ack rc=0'];
    default: return [];
  }
};

const hydra: Script = (cmd, line) => {
  switch (cmd) {
    case 'initack': return ['cmd=initack', 'cmd=set size=2', 'cmd=set rank=1', 'cmd=set debug=0'];
    case 'init': return ['cmd=response_to_init pmi_version=1 pmi_subversion=1 rc=0'];
    case 'get_maxes': return ['cmd=maxes kvsname_max=256 keylen_max=64 vallen_max=1024'];
    case 'get_appnum': return ['cmd=appnum appnum=0'];
    case 'get_my_kvsname': return ['cmd=my_kvsname kvsname=kvs_9762_0_113471045_vm'];
    case 'put': return ['cmd=put_result rc=0 msg=success'];
    case 'barrier_in': return ['cmd=barrier_out'];
    case 'get':
      return line.includes('key=there')
        ? ['cmd=get_result rc=0 msg=success value=hello-from-0 found=TRUE']
        : ['cmd=get_result rc=-1 msg=key_nope_not_found value=unknown'];
    case 'finalize': return ['cmd=finalize_ack'];
    default: return [];
  }
};

function fakeServer(script: Script): Promise<{ port: number; seen: string[]; close(): void }> {
  const seen: string[] = [];
  const socks: net.Socket[] = [];
  return new Promise((resolve) => {
    const srv = net.createServer((s) => {
      socks.push(s);
      let buf = '';
      s.on('data', (d) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          seen.push(line);
          const cmd = /^cmd=(\S+)/.exec(line)?.[1] ?? '';
          for (const r of script(cmd, line)) s.write(r + '\n');
        }
      });
    });
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        port: (srv.address() as net.AddressInfo).port,
        seen,
        close: () => {
          for (const s of socks) s.destroy();
          srv.close();
        },
      }),
    );
  });
}

/** true when the promise rejects */
const fails = (p: Promise<unknown>): Promise<boolean> => p.then(() => false, () => true);

test('hydra replies (no rc, msg before value, found=TRUE, rc=-1 miss) over PMI_PORT', async () => {
  const srv = await fakeServer(hydra);
  try {
    const c = (await pmiConnect({ PMI_PORT: `127.0.0.1:${srv.port}`, PMI_ID: '1' }))!;
    assert.equal([c.rank, c.size, c.kvsname], [1, 2, 'kvs_9762_0_113471045_vm']);
    await c.put('1', 'card');
    await c.barrier();
    assert.is(await c.get('there'), 'hello-from-0');
    assert.ok(await fails(c.get('nope')));
    await c.finalize();
    assert.equal(srv.seen.slice(0, 5), [
      'cmd=initack pmiid=1',
      'cmd=init pmi_version=1 pmi_subversion=1',
      'cmd=get_maxes',
      'cmd=get_appnum',
      'cmd=get_my_kvsname',
    ]);
    assert.ok(srv.seen.includes('cmd=put kvsname=kvs_9762_0_113471045_vm key=1 value=card'));
  } finally {
    srv.close();
  }
});

test('slurm replies (rc first, rc=1 miss, kvsname jobid.step)', async () => {
  // Slurm speaks PMI_FD only; the client logic after the transport is the same,
  // so drive it through PMI_PORT with a server that skips straight to slurm's lines.
  const srv = await fakeServer((cmd, line) => (cmd === 'initack' ? hydra(cmd, line) : slurm(cmd, line)));
  try {
    const c = (await pmiConnect({ PMI_PORT: `127.0.0.1:${srv.port}`, PMI_ID: '1' }))!;
    assert.is(c.kvsname, '3.0');
    await c.barrier();
    assert.is(await c.get('there'), 'hello-from-1');
    assert.ok(await fails(c.get('nope')));
    await c.finalize();
  } finally {
    srv.close();
  }
});

test('a server that never answers: a clear timeout error', async () => {
  const srv = await fakeServer((cmd, line) => (cmd === 'initack' ? hydra(cmd, line) : []));
  try {
    const e = await pmiConnect({ PMI_PORT: `127.0.0.1:${srv.port}`, PMI_ID: '1' }, { timeoutMs: 300 }).catch((x: Error) => x);
    assert.instance(e, Error);
    assert.match((e as Error).message, /PMI server did not answer 'cmd=init' within/);
  } finally {
    srv.close();
  }
});

test('nothing listening on PMI_PORT: connection error', async () => {
  const e = await pmiConnect({ PMI_PORT: '127.0.0.1:1', PMI_ID: '0' }).catch((x: Error) => x);
  assert.match((e as Error).message, /^PMI_PORT=127\.0\.0\.1:1: .*ECONNREFUSED/);
});

test.run();
