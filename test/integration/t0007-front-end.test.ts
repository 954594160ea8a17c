/** The flux front end: --help, CMD --help, unknown commands with suggestions, flux-CMD on FLUX_EXEC_PATH. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, OWN_BIN, ROOT, tmpdir } from '../helpers/flux';

test('flux --help lists the commands by group as Flux does, exit 0 (t1100 has the details)', () => {
  const r = flux(['--help']);
  assert.is(r.code, 0);
  assert.match(r.stderr, /^Usage: flux \[OPTIONS\] COMMAND ARGS\n/);
  for (const c of ['submit', 'run', 'jobs', 'resource', 'uptime', 'version']) {
    assert.match(r.stderr, new RegExp(`^   ${c} +\\S`, 'm'), `${c} missing`);
  }
});

test('flux with no command: usage, exit 1', () => {
  const r = flux([]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Usage: flux /);
});

test('flux CMD --help prints that command’s usage, exit 0', () => {
  let r = flux(['setattr', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stderr, /^Usage: flux setattr name value\n/);
  r = flux(['exec', '-h']);
  assert.is(r.code, 0);
  assert.match(r.stderr, /^Usage: flux-exec /);
  r = flux(['ping', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stderr, /^Usage: flux-ping /);
});

test('unknown command: Flux message and exit 1', () => {
  const r = flux(['nosuchcmd']);
  assert.is(r.code, 1);
  assert.is(r.stderr, "flux: `nosuchcmd' is not a flux command.  See 'flux --help'\n");
});

test('a near miss gets suggestions', () => {
  const r = flux(['uptim']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux: `uptim' is not a flux command\.  See 'flux --help'\nflux: The most similar commands? (is|are)\n/);
  assert.match(r.stderr, /^flux: \tuptime$/m);
});

test("a command of Flux's that flux-ts does not have: Flux's line, then what to use instead", () => {
  const mini = flux(['mini', 'submit', 'true']);
  assert.is(mini.code, 1);
  assert.is(
    mini.stderr,
    "flux: `mini' is not a flux command.  See 'flux --help'\nflux: mini is Flux's, not flux-ts's: flux mini was removed in Flux 0.59: use flux run, flux submit, flux batch or flux alloc\n",
  );
  const content = flux(['content', 'load', 'sha1-0']);
  assert.is(content.code, 1);
  assert.match(content.stderr, /\nflux: content is Flux's, not flux-ts's: the kvs keeps its values in LMDB under statedir, not in a content store: flux dump and flux restore copy it\n$/);
});

test('flux-hello on FLUX_EXEC_PATH runs as flux hello', () => {
  const t = tmpdir();
  try {
    const f = path.join(t.dir, 'flux-hello');
    fs.writeFileSync(f, '#!/bin/sh\necho "hello from flux-hello: $*"\nexit 4\n', { mode: 0o755 });
    const r = flux(['hello', 'a', 'b'], { env: { FLUX_EXEC_PATH: t.dir } });
    assert.equal([r.code, r.stdout], [4, 'hello from flux-hello: a b\n']);
  } finally {
    t.cleanup();
  }
});

test('every command has a man page whose one-line description is its spec summary', () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const index = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'cli', 'command-index.json'), 'utf8')) as Record<string, string[]>;
  const mine = ['setattr', 'lsattr', 'ping', 'dmesg', 'logger', 'uptime', 'version', 'exec', 'module'];
  for (const word of mine) {
    assert.ok(index[word], `${word} not in the command index`);
    const page = fs.readFileSync(path.join(root, 'docs', 'man1', `flux-${word}.md`), 'utf8');
    const m = /## NAME\n+\S+ - (.+)\n/.exec(page);
    assert.ok(m, `flux-${word}.md has no NAME line`);
    for (const f of index[word]!) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(root, 'dist', 'cli', f)) as Record<string, unknown>;
      for (const v of Object.values(mod)) {
        const cls = v as { spec?: { path: string[]; summary: string } };
        if (typeof v !== 'function' || !cls.spec || cls.spec.path.length !== 1) continue;
        assert.is(cls.spec.summary, m![1], `flux-${word}`);
      }
    }
  }
});

test('every command answers --help with exit 0, sub-command groups list their sub-commands', () => {
  const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'cli', 'command-index.json'), 'utf8')) as Record<string, string[]>;
  for (const word of Object.keys(index)) {
    const r = flux([word, '--help']);
    assert.is(r.code, 0, `flux ${word} --help: ${r.stderr}`);
    assert.ok((r.stdout + r.stderr).length > 0, `flux ${word} --help printed nothing`);
  }
  const job = flux(['job', '--help']);
  assert.match(job.stdout, /^Usage: flux job SUBCOMMAND \[OPTIONS\]\n/);
  assert.match(job.stdout, /\n  attach +Interactively attach to job\n/);
});

test('flux env prints the front end environment and runs a command in it', () => {
  const r = flux(['env'], { env: { PATH: '/usr/bin:/bin', FLUX_URI: 'local:///nowhere/local-0', FLUX_EXEC_PATH: '' } });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `export PATH="${OWN_BIN}:/usr/bin:/bin"\nexport FLUX_URI="local:///nowhere/local-0"\n`);
  const q = flux(['env', 'sh', '-c', 'echo "$PATH"; exit 5'], { env: { PATH: '/usr/bin:/bin' } });
  assert.equal([q.code, q.stdout], [5, `${OWN_BIN}:/usr/bin:/bin\n`]);
  const bad = flux(['env', 'no-such-command-here']);
  assert.equal([bad.code, bad.stderr], [1, 'flux: execvp (no-such-command-here): No such file or directory\n']);
});

test.run();
