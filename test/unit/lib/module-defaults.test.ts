/**
 * The module host's default stats-clear, rusage and debug answers
 * (lib/module-defaults.ts), the debug word a module reads, and how
 * flux module stats / debug parse and print (stats-output.ts, debug.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { answerDefault, moduleDebugFlags, moduleDebugTest } from '../../../lib/module-defaults';
import { formatStats } from '../../../cli/commands/module/stats-output';
import { parseMask } from '../../../cli/commands/module/debug';

interface Msg {
  payload?: unknown;
}
function handle() {
  const out: Array<{ ok?: unknown; errno?: number; text?: string }> = [];
  return {
    out,
    respond: (_m: Msg, p?: unknown) => void out.push({ ok: p }),
    respondError: (_m: Msg, errno: number, text?: string) => void out.push({ errno, text }),
  };
}

test('debug ops keep one word per handle; moduleDebugTest clears a flag once seen', () => {
  const h = handle();
  const other = handle();
  const debug = (op: string, flags: number) => answerDefault(h, 'm', 'debug', { payload: { op, flags } });
  debug('setbit', 0x5);
  debug('setbit', 0x8);
  debug('clrbit', 0x1);
  assert.equal(h.out.map((o) => o.ok), [{ flags: 5 }, { flags: 13 }, { flags: 12 }]);
  assert.is(moduleDebugFlags(other), 0);
  assert.ok(moduleDebugTest(h, 4, true));
  assert.not.ok(moduleDebugTest(h, 4));
  debug('set', 0xffffffff);
  debug('clr', 0);
  assert.equal(h.out.slice(3).map((o) => o.ok), [{ flags: 0xffffffff }, { flags: 0 }]);
  debug('flip', 1);
  assert.equal(h.out[5], { errno: 71, text: 'debug: unknown op flip' });
  assert.not.ok(answerDefault(h, 'm', 'nosuch', {}));
});

test('rusage: self by default; children and thread refused; stats-clear refused', () => {
  const h = handle();
  answerDefault(h, 'm', 'rusage', {});
  const r = h.out[0]!.ok as Record<string, number>;
  assert.ok(r.utime! >= 0 && r.maxrss! > 0 && Object.keys(r).length === 16);
  answerDefault(h, 'm', 'rusage', { payload: { who: 'children' } });
  assert.equal(h.out[1], { errno: 22, text: 'children is unsupported' });
  answerDefault(h, 'm', 'stats-clear', {});
  assert.equal(h.out[2], { errno: 38, text: 'm keeps no stats that stats-clear can reset' });
});

test('stats output as flux-module.c: %d, %lf, JSON indented by one', () => {
  const o = { a: { b: 3 }, r: 0.25, s: 'x' };
  assert.is(formatStats(o, { scale: 1 }), '{\n "a": {\n  "b": 3\n },\n "r": 0.25,\n "s": "x"\n}\n');
  assert.is(formatStats(o, { parse: 'a.b', scale: 1.5 }), '4\n');
  assert.is(formatStats(o, { parse: 'a.b', type: 'double', scale: 1 }), '3.000000\n');
  assert.is(formatStats(o, { parse: 'r', scale: 1 }), '0.250000\n');
  assert.is(formatStats(o, { parse: 'r', type: 'int', scale: 10 }), '2\n');
  assert.is(formatStats(o, { parse: 's', scale: 1 }), '"x"\n');
  assert.is(formatStats(o, { parse: 's', type: 'int', scale: 1 }), '0\n');
  assert.is(formatStats(o, { parse: 'a.c', scale: 1 }), undefined);
});

test('MASK as strtoul base 0, whole word, 32 bits', () => {
  assert.equal(['0x1f', '010', '0', '12', 'zz', '1x', '-1', '0x100000000', '08'].map(parseMask), [31, 8, 0, 12, undefined, undefined, undefined, undefined, undefined]);
});

test.run();
