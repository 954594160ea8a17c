/** flux ping (formats, targets, errors) and flux dmesg / flux logger against a singleton. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import { flux, startInstance, type Instance } from '../helpers/flux';

const HOST = os.hostname();

let inst: Instance;

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop();
});

const LINE = (prefix: string, seq: number) =>
  new RegExp(`^${prefix} pad=0 seq=${seq} time=\\d+\\.\\d{3} ms \\([0-9a-f]{8}(![0-9a-f]{8})+\\)$`);

test('ping a rank: header, then one line per response', () => {
  const r = inst.flux(['ping', '-c', '3', '-i', '10ms', '0']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines[0], 'flux-ping 0!broker');
  assert.is(lines.length, 4);
  for (let i = 0; i < 3; i++) assert.match(lines[i + 1]!, LINE('0!broker\\.ping', i));
});

test('ping a service: any! header, answering rank prefix; --pad; options end at TARGET', () => {
  let r = inst.flux(['ping', '-c1', '-p', '10', 'broker']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^flux-ping any!broker\n0!broker\.ping pad=10 seq=0 time=/);
  // Flux's optparse is POSIXLY_CORRECT: words after TARGET are operands, one too many
  r = inst.flux(['ping', 'broker', '-c', '1']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Usage: flux-ping \[OPTIONS\] TARGET\n/);
});

test('ping with -r and a bang target', () => {
  let r = inst.flux(['ping', '-c', '1', '-r', '0', 'rexec']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^flux-ping 0!rexec\n0!rexec\.ping pad=0 seq=0/);
  r = inst.flux(['ping', '-c', '1', '-r', '0', '0!broker']);
  assert.equal([r.code, r.stderr], [1, 'flux-ping: --rank and TARGET both try to specify a nodeid\n']);
});

test('ping errors: unknown service, missing rank, no target', () => {
  let r = inst.flux(['ping', '-c', '1', 'nosuch']);
  assert.equal([r.code, r.stdout, r.stderr], [1, 'flux-ping any!nosuch\n', 'flux-ping: nosuch.ping: Function not implemented\n']);
  r = inst.flux(['ping', '-c', '1', '7']);
  assert.equal([r.code, r.stderr], [1, 'flux-ping: 7!broker.ping: No route to host\n']);
  r = inst.flux(['ping']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Usage: flux-ping \[OPTIONS\] TARGET\n/);
  r = inst.flux(['ping', '--bogus', 'x']);
  assert.equal([r.code, r.stderr], [1, "flux-ping: unrecognized option '--bogus'\nTry `flux-ping --help' for more information.\n"]);
});

const DMESG = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d) [\w-]+\.(emerg|alert|crit|err|warning|notice|info|debug)\[\d+\]: .*$/;

test('dmesg: every line in Flux format, with insmod and state transitions', () => {
  const r = inst.flux(['dmesg']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  for (const l of lines) assert.match(l, DMESG);
  assert.ok(lines.some((l) => / broker\.debug\[0\]: insmod rexec$/.test(l)), r.stdout);
  assert.ok(lines.some((l) => / broker\.info\[0\]: quorum-full: quorum->run /.test(l)), r.stdout);
});

test('the state machine as Flux logs it at info: a broker with no children says children-none, rank 0 of two children-complete', () => {
  const events = (size: number | undefined) => {
    // without --test-size: one broker started with no PMI at all, as a bare `flux start` is
    const r = flux(['start', ...(size === undefined ? ['-Slog-stderr-level=6'] : [`--test-size=${size}`, '-o,-Slog-stderr-level=6']), 'true']);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, / broker\.info\[0\]: online: [^ ]+ \(ranks 0\)\n/);
    return [...r.stderr.matchAll(/ broker\.info\[0\]: ([\w-]+): ([\w-]+->[\w-]+) /g)].map((m) => `${m[1]}: ${m[2]}`);
  };
  const one = events(1);
  assert.equal(events(undefined), one);
  assert.equal(one, [
    'builtins-success: load-builtins->join',
    'parent-none: join->config-sync',
    'sync-none: config-sync->init',
    'rc1-success: init->quorum',
    'quorum-full: quorum->run',
    'rc2-success: run->cleanup',
    'cleanup-success: cleanup->shutdown',
    'children-none: shutdown->finalize',
    'rc3-success: finalize->goodbye',
    'goodbye: goodbye->unload-builtins',
    'builtins-done: unload-builtins->exit',
  ]);
  assert.ok(events(2).includes('children-complete: shutdown->finalize'));
  // rank 0 logs each change of the online set, as Flux does: all of them before quorum-full
  const r = flux(['start', '--test-size=3', '-o,-Slog-stderr-level=6', 'true']);
  const lines = r.stderr.split('\n').map((l) => / broker\.info\[0\]: (.*?)( [\d.]+m?s)?$/.exec(l)?.[1]).filter((l) => l !== undefined);
  const online = lines.filter((l) => l.startsWith('online: '));
  assert.is(online[0], 'online: vm (ranks 0)'.replace('vm', HOST), r.stderr);
  assert.is(online[online.length - 1], `online: ${HOST},${HOST},${HOST} (ranks 0-2)`, r.stderr);
  assert.ok(lines.indexOf(online[online.length - 1]!) < lines.findIndex((l) => l.startsWith('quorum-full')), r.stderr);
});

test('time stamps have real microseconds (not all ending in 000)', () => {
  const stamps = inst.flux(['dmesg']).stdout.trimEnd().split('\n').map((l) => l.slice(20, 26));
  assert.ok(stamps.some((s) => !s.endsWith('000')), stamps.join(' '));
});

test('logger adds entries; severity and appname options', () => {
  let r = inst.flux(['logger', 'hello', 'world']);
  assert.equal([r.code, r.stderr], [0, '']);
  r = inst.flux(['logger', '--severity=info', '--appname=myapp', 'second']);
  assert.equal([r.code, r.stderr], [0, '']);
  const out = inst.flux(['dmesg']).stdout;
  assert.match(out, / logger\.notice\[0\]: hello world\n/);
  assert.match(out, / myapp\.info\[0\]: second\n/);
  r = inst.flux(['logger', '--severity=loud', 'x']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-logger: invalid severity 'loud'/);
});

test('dmesg -H: anchor then offsets', () => {
  const lines = inst.flux(['dmesg', '-H']).stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^\[[A-Z][a-z]{2}\d\d \d\d:\d\d\] /);
  for (const l of lines.slice(1)) assert.match(l, /^(\[[A-Z][a-z]{2}\d\d \d\d:\d\d\]|\[ {0,3}\+\d+\.\d{6}\]) [\w-]+\.\w+\[\d+\]: /);
});

test('dmesg -L[WHEN] / --color: Flux\'s colours (time green, app.sev[rank] yellow, text by severity); none into a pipe by default', () => {
  inst.flux(['logger', '-s', 'debug', 't0004-dbg']);
  inst.flux(['logger', '-s', 'err', 't0004-err']);
  inst.flux(['logger', 't0004-notice']);
  const [green, bold, yellow, blue, red, reset] = ['\x1b[32m', '\x1b[1m', '\x1b[33m', '\x1b[34m', '\x1b[31m', '\x1b[0m'];
  /** the line that ends with `text`, its time stamp (what is between the first colour and its reset) cut out */
  const line = (out: string, text: string): string | undefined => {
    const l = out.split('\n').find((x) => x.includes(text));
    // eslint-disable-next-line no-control-regex -- the escape sequences are what is checked
    return l?.replace(/^(\x1b\[[\d;]*m)+[^\x1b]*/, '<time>');
  };
  for (const args of [['-L'], ['-Lalways'], ['--color'], ['--color=always']]) {
    const out = inst.flux(['dmesg', ...args]).stdout;
    assert.ok(out.startsWith(green), args.join(' '));
    assert.is(line(out, 't0004-dbg'), `<time>${reset} ${yellow}logger.debug[0]${reset}: ${blue}t0004-dbg${reset}`, args.join(' '));
    assert.is(line(out, 't0004-err'), `<time>${reset} ${yellow}logger.err[0]${reset}: ${red}t0004-err${reset}`, args.join(' '));
    assert.is(line(out, 't0004-notice'), `<time>${reset} ${yellow}logger.notice[0]${reset}: t0004-notice`, args.join(' '));
  }
  // -H: a new minute's anchor in bold green
  assert.ok(inst.flux(['dmesg', '-H', '-L']).stdout.startsWith(`${bold}${green}[`));
  for (const args of [[], ['-Lnever'], ['--color=never'], ['--color=auto']]) assert.not.ok(inst.flux(['dmesg', ...args]).stdout.includes('\x1b'), args.join(' '));
  const r = inst.flux(['dmesg', '--color=sometimes']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', "flux dmesg: Invalid argument to --color: 'sometimes'\n"]);
});

test('dmesg -c prints then clears; -C clears', () => {
  inst.flux(['logger', 'before-clear']);
  let r = inst.flux(['dmesg', '-c']);
  assert.match(r.stdout, /before-clear/);
  r = inst.flux(['dmesg']);
  assert.not.match(r.stdout, /before-clear/);
  inst.flux(['logger', 'again']);
  assert.is(inst.flux(['dmesg', '-C']).stdout, '');
  assert.not.match(inst.flux(['dmesg']).stdout, /again/);
});

test('dmesg usage errors', () => {
  let r = inst.flux(['dmesg', 'extra']);
  assert.equal([r.code, r.stderr], [1, 'flux-dmesg: flux-dmesg accepts no free arguments\n']);
  r = inst.flux(['dmesg', '-d']);
  assert.equal([r.code, r.stderr], [1, 'flux-dmesg: --delta can only be used with --human\n']);
});

test('dmesg -f follows new entries', async () => {
  const { spawn } = await import('node:child_process');
  const { FLUX } = await import('../helpers/flux');
  const child = spawn(FLUX, ['dmesg', '-f', '-n'], { env: { ...process.env, ...inst.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const seen = new Promise<void>((resolve) => {
      child.on('exit', () => resolve()); // a guard: never hang if the follower dies
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('followed-entry')) resolve();
      });
    });
    // -n: no backlog; keep logging until the follower has seen one
    const timer = setInterval(() => inst.flux(['logger', 'followed-entry']), 200);
    try {
      await seen;
    } finally {
      clearInterval(timer);
    }
    assert.match(out, /logger\.notice\[0\]: followed-entry\n/);
    assert.not.match(out, /insmod/);
  } finally {
    child.kill('SIGKILL');
  }
});

test.run();
