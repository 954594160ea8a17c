/**
 * Reaching an instance on another host over ssh, as Flux's ssh connector
 * does: an instance runs in host test1 (a network namespace with its own
 * hostname, shared/peers/hosts), and from host test0 `flux proxy
 * ssh://test1/PATH`, `FLUX_URI=ssh://... flux CMD` and `flux uri` reach it
 * through `ssh test1 flux relay PATH` (the peers' ssh look-alike as FLUX_SSH).
 * Skipped, and reported so, where the hosts cannot be made (needs root,
 * iproute2 and ../shared/peers). The relay and the ssh errors are also
 * checked on this host with a stand-in ssh.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLUX, flux, run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { skipped } from '../helpers/skip';
import { HOSTS_SSH, fluxInHost, hosts, hostsUsable, lockHosts, unlockHosts, type HostProc } from '../helpers/hosts-peer';
import { waitUntil } from '../helpers/wait';

const tmp = tmpdir('flux-ssh-');
const NO_HOSTS = 'needs root, iproute2 and ../shared/peers';
let far: HostProc | undefined;
let farPath = '';
let local: Instance;

/** an ssh stand-in that runs the command on this host (options and host dropped) */
const FAKE_SSH = path.join(tmp.dir, 'fake-ssh');
const BAD_SSH = path.join(tmp.dir, 'bad-ssh');

test.before(async () => {
  fs.writeFileSync(FAKE_SSH, '#!/bin/sh\nwhile [ $# -gt 0 ]; do case $1 in -p) shift 2;; -*) shift;; *) break;; esac; done\nshift\nexec "$@"\n', { mode: 0o755 });
  fs.writeFileSync(BAD_SSH, '#!/bin/sh\necho "ssh: connect to host $1 port 22: Connection refused" >&2\nexit 255\n', { mode: 0o755 });
  local = await startInstance(['--test-size=1']);
  if (!hostsUsable) return;
  await lockHosts();
  const up = hosts(['up', '2']);
  assert.is(up.code, 0, up.stderr);
  far = fluxInHost('test1', ['start', '--test-size=1', 'sh', '-c', 'echo "$FLUX_URI"; exec sleep 600']);
  const line = await waitUntil(() => /^local:\/\/(\S+)\n/.exec(far!.stdout()), { what: `the instance in test1 to start; stderr: ${far.stderr()}`, timeoutMs: 60_000 });
  farPath = line[1]!;
});
test.after(async () => {
  await local.stop().catch(() => local.kill());
  if (hostsUsable) {
    far?.proc.kill('SIGKILL');
    hosts(['down']);
    unlockHosts();
  }
  tmp.cleanup();
});

/** run flux ARGS in host test0 with the peers' ssh */
const inTest0 = (args: string[], env: Record<string, string> = {}) =>
  hosts(['exec', 'test0', 'env', `FLUX_SSH=${HOSTS_SSH}`, `FLUX_SSH_RCMD=${FLUX}`, 'FLUX_URI=', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), FLUX, ...args]);

test('from test0: flux proxy ssh://test1/PATH runs commands against the instance on test1', () => {
  const name = 'from test0: flux proxy ssh://test1/PATH runs commands against the instance on test1';
  if (!hostsUsable) return skipped(name, NO_HOSTS);
  const uri = `ssh://test1${farPath}`;
  let r = inTest0(['proxy', uri, 'sh', '-c', 'hostname; flux getattr hostname; flux run hostname; echo $FLUX_URI']);
  assert.is(r.code, 0, r.stderr);
  const [here, attr, ran, proxyUri] = r.stdout.trim().split('\n');
  assert.equal([here, attr, ran], ['test0', 'test1', 'test1']);
  assert.match(proxyUri!, /^local:\/\/.*flux-proxy-.*\/local$/);
  // FLUX_URI=ssh://... works for any command
  r = inTest0(['getattr', 'hostname'], { FLUX_URI: uri });
  assert.equal([r.code, r.stdout], [0, 'test1\n'], r.stderr);
  // a job id of the far instance, resolved there: its URI names test1
  const id = inTest0(['batch', '-N1', `--output=${path.join(tmp.dir, 'batch.out')}`, '--wrap', 'sleep', '300'], { FLUX_URI: uri }).stdout.trim();
  r = inTest0(['uri', '--wait', id], { FLUX_URI: uri });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ssh:\/\/test1\/.*\/local-0\n$/);
  // and that child instance is reached from test0 through ssh too
  r = inTest0(['proxy', r.stdout.trim(), 'flux', 'getattr', 'instance-level']);
  assert.equal([r.code, r.stdout], [0, '1\n'], r.stderr);
  r = inTest0(['proxy', `${uri.replace('test1', 'nosuchhost')}`, 'true']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-proxy: ssh:\/\/nosuchhost\/.*: .+\n$/);
  inTest0(['cancel', id], { FLUX_URI: uri });
});

test('the ssh connector on this host: relay, FLUX_SSH, errors as one line', () => {
  const p = local.uri.slice('local://'.length);
  const env = { FLUX_SSH: FAKE_SSH, FLUX_SSH_RCMD: FLUX };
  let r = local.flux(['proxy', `ssh://elsewhere${p}`, 'flux', 'getattr', 'size'], { env });
  assert.equal([r.code, r.stdout], [0, '1\n'], r.stderr);
  r = local.flux(['uptime'], { env: { ...env, FLUX_URI: `ssh://elsewhere:2222${p}` } });
  assert.is(r.code, 0, r.stderr);
  r = local.flux(['proxy', `ssh://vmx${p}`, 'true'], { env: { FLUX_SSH: BAD_SSH } });
  assert.equal([r.code, r.stderr], [1, `flux-proxy: ssh://vmx${p}: ssh: connect to host vmx port 22: Connection refused\n`]);
  r = local.flux(['proxy', 'ssh://elsewhere/nonexistent/sock', 'true'], { env });
  assert.equal([r.code, r.stderr], [1, 'flux-proxy: ssh://elsewhere/nonexistent/sock: flux-relay: /nonexistent/sock: No such file or directory\n']);
  // flux relay itself: the socket's bytes on stdout (the broker's handshake byte first)
  r = run(FLUX, ['relay', p], { input: '' });
  assert.is(r.code, 0, r.stderr);
  r = flux(['relay', '/nonexistent/sock']);
  assert.equal([r.code, r.stderr], [1, 'flux-relay: /nonexistent/sock: No such file or directory\n']);
});

test.run();
