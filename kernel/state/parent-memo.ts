/**
 * An instance that runs as a job tells its parent where it can be reached:
 * once rank 0 is in RUN it posts a `memo {uri}` on its job in the enclosing
 * instance (job-manager.memo), which `flux uri JOBID` and `flux proxy JOBID`
 * read. One request over the parent's local socket, best effort: a parent that
 * does not answer only costs the log line.
 */
import * as net from 'node:net';
import * as os from 'node:os';
import { FrameReader, decodeMessage, encodeFrame } from '../message/codec';
import { MsgType, request } from '../message/message';

const TIMEOUT_MS = 5000;

/** Send one request to the instance at local:// `uri`; resolves with the response's errnum (0 = success). */
export function requestOnce(uri: string, topic: string, payload: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    if (!uri.startsWith('local://')) return reject(new Error(`unsupported parent URI ${uri}`));
    const sock = net.createConnection(uri.slice('local://'.length));
    const reader = new FrameReader();
    let handshake = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('no answer'));
    }, TIMEOUT_MS);
    timer.unref();
    const done = (f: () => void) => {
      clearTimeout(timer);
      sock.destroy();
      f();
    };
    sock.once('error', (e) => done(() => reject(e)));
    sock.once('connect', () => {
      const m = request(topic, { payload, matchtag: 1 });
      sock.write(encodeFrame(m));
    });
    sock.on('data', (chunk: Buffer) => {
      if (!handshake) {
        handshake = true;
        if (chunk[0] !== 0) return done(() => reject(new Error(`connection refused (${chunk[0]})`)));
        chunk = chunk.subarray(1);
      }
      try {
        for (const f of reader.push(chunk)) {
          const m = decodeMessage(f);
          if (m.type === MsgType.Response && m.matchtag === 1) return done(() => resolve(m.errnum));
        }
      } catch (e) {
        done(() => reject(e as Error));
      }
    });
  });
}

/** The URI a memo carries: ssh://HOST/PATH, as Flux posts it; `flux uri --local` turns it back. */
export function memoUri(localUri: string, host = os.hostname()): string {
  return `ssh://${host}${localUri.slice('local://'.length)}`;
}
