/**
 * Lint self-test: the layering rules of STYLE.md §1 (eslint.config.js) really
 * fire. A temporary module under modules/ that imports kernel/broker must be
 * refused by no-restricted-imports, and one that imports only kernel/api must
 * pass. The temporary folder starts with '.', so tsc and the docs-drift test
 * never see it, and it is removed whatever happens.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const RULE = 'no-restricted-imports';

/** Lint text as if it were the file `rel` (relative to the repository root). */
async function ruleHits(eslint: ESLint, rel: string, source: string): Promise<string[]> {
  const [r] = await eslint.lintText(source, { filePath: path.join(ROOT, rel) });
  return r!.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

test('a module that imports kernel/broker is refused (a real file on disk)', async () => {
  const dir = path.join(ROOT, 'modules', `.lint-selftest-${process.pid}`);
  const file = path.join(dir, 'index.ts');
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      file,
      "/** lint self-test (temporary) */\nimport { Broker } from '../../kernel/broker';\nexport const b = Broker;\n",
    );
    const eslint = new ESLint({ cwd: ROOT });
    const [r] = await eslint.lintFiles([file]);
    const hits = r!.messages.filter((m) => m.ruleId === RULE);
    assert.is(hits.length, 1, JSON.stringify(r!.messages));
    assert.match(hits[0]!.message, /'\.\.\/\.\.\/kernel\/broker' import is restricted/);
    assert.match(hits[0]!.message, /may import only kernel\/api/);
    assert.is(hits[0]!.line, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the same module importing kernel/api passes', async () => {
  const eslint = new ESLint({ cwd: ROOT });
  const ok = "import { defineModule } from '../../kernel/api';\nexport default defineModule;\n";
  assert.equal(await ruleHits(eslint, 'modules/selftest/index.ts', ok), []);
  const deep = "import { einval } from '../../../lib/errors';\nexport default einval;\n";
  assert.equal(await ruleHits(eslint, 'modules/selftest/sub/x.ts', deep), []);
});

test('the other layering rules fire where they should', async () => {
  const eslint = new ESLint({ cwd: ROOT });
  const imp = (spec: string) => `import x from '${spec}';\nexport default x;\n`;
  const refused: Array<[string, string]> = [
    ['kernel/broker.ts', '../modules/kvs'],
    ['kernel/router/router.ts', '../../cli/main'],
    ['kernel/router/router.ts', '../../plugins/sched/fifo'],
    ['modules/kvs/index.ts', '../job-manager/types'],
    ['modules/kvs/index.ts', '../../kernel/router/router'],
    ['modules/kvs/index.ts', '../../cli/api/client'],
    ['modules/kvs/index.ts', 'flux-ts/kernel/broker'],
    ['plugins/sched/fifo/index.ts', '../backfill/policy'],
    ['plugins/sched/fifo/index.ts', '../../../modules/sched/sched'],
    ['plugins/sched/fifo/index.ts', '../../../kernel/message/codec'],
    ['cli/commands/x.ts', '../../kernel/router/router'],
    ['cli/commands/x.ts', '../../modules/kvs/kvs'],
    ['cli/commands/x.ts', '../../plugins/sched/fifo'],
    ['cli/commands/x.ts', '../../kernel/boot/boot-info'],
    ['lib/formats/idset.ts', '../../kernel/api'],
    ['lib/pmi/server.ts', '../../kernel/message/codec'],
    ['lib/errors.ts', '../cli/api/client'],
    ['kernel/broker.ts', '../overlay/factory'],
    ['overlay/overlay.ts', '../kernel/broker'],
    ['overlay/overlay.ts', '../kernel/router/router'],
    ['overlay/overlay.ts', '../modules/kvs'],
    ['cli/commands/x.ts', '../../overlay/overlay'],
    ['lib/errors.ts', '../modules/kvs/kvs'],
  ];
  for (const [file, spec] of refused) {
    assert.is((await ruleHits(eslint, file, imp(spec))).length, 1, `${file}: ${spec} should be refused`);
  }
  const allowed: Array<[string, string]> = [
    ['kernel/broker.ts', './router/router'],
    ['modules/kvs/index.ts', './kvs'],
    ['modules/kvs/index.ts', 'flux-ts/kernel/api'],
    ['plugins/sched/fifo/index.ts', '../../../modules/sched/plugin-api'],
    ['plugins/sched/fifo/index.ts', '../../../kernel/api'],
    ['cli/commands/x.ts', '../../kernel/message/codec'],
    ['cli/commands/x.ts', '../../kernel/api/errors'],
    ['cli/main.ts', '../kernel/main'],
    ['cli/main.ts', '../kernel/broker'],
    ['cli/main.ts', '../overlay/factory'],
    ['overlay/overlay.ts', '../kernel/tree-host'],
    ['overlay/overlay.ts', '../kernel/message/message'],
    ['overlay/overlay.ts', '../lib/crypto/keys'],
    ['overlay/overlay.ts', './secure-link'],
    ['cli/commands/x.ts', '../base-command'],
    ['cli/commands/x.ts', '../../lib/pmi/client'],
    ['modules/kvs/index.ts', '../../lib/formats/idset'],
    ['plugins/sched/fifo/index.ts', '../../../lib/formats'],
    ['kernel/broker.ts', '../lib/crypto/keys'],
    ['lib/pmi/server.ts', './wire'],
    ['lib/formats/mnemonic.ts', '../errors'],
  ];
  for (const [file, spec] of allowed) {
    assert.equal(await ruleHits(eslint, file, imp(spec)), [], `${file}: ${spec} should be allowed`);
  }
});

test.run();
