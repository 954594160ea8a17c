/** local-uri values: local://PATH, anything else refused in one line (lib/formats/local-uri.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { localUriPath } from '../../../lib/formats/local-uri';

test('the socket path of a local:// URI', () => {
  assert.is(localUriPath('local:///tmp/flux-x/local-0'), '/tmp/flux-x/local-0');
});

test('empty, another scheme, a bare path, no path: refused with what is wrong', () => {
  assert.throws(() => localUriPath(''), (e: Error) => e.message === 'local-uri: empty value');
  assert.throws(() => localUriPath('bogus'), (e: Error) => e.message === "local-uri 'bogus': not a local:// URI");
  assert.throws(() => localUriPath('ssh://host/tmp/s'), (e: Error) => e.message === "local-uri 'ssh://host/tmp/s': not a local:// URI");
  assert.throws(() => localUriPath('local://'), (e: Error) => e.message === "local-uri 'local://': no socket path");
});

test.run();
