/**
 * An authenticated, encrypted link between two brokers over any byte stream
 * (unix or TCP socket). Handshake (ours, not ZMTP): the child sends its static
 * public key and a fresh ephemeral key; the parent refuses a static key that is
 * not on its allow-list, else answers with its own ephemeral key. Both derive
 * per-direction session keys from crypto_kx on the static pair and on the
 * ephemeral pair (so both static secrets are needed, and every connection has
 * fresh keys), then each proves it holds them with a sealed first frame.
 * After that every frame is `u32 length | crypto_secretbox(counter nonce)` of an
 * encoded Envelope message; lengths are checked against a maximum before
 * anything is buffered. An empty sealed frame is a keepalive.
 */
import type { Duplex } from 'node:stream';
import { sodium } from '../lib/crypto/sodium';
import { MAX_FRAME, decodeMessage, encodeMessage } from '../kernel/message/codec';
import { FrameSplitter } from './frames';
import { Errno } from '../lib/errno';
import { FluxError } from '../lib/errors';
import type { Message } from '../kernel/message/message';
import type { KeyPair } from '../lib/crypto/keys';

const MAGIC = Buffer.from('FLUXOV1\0', 'latin1');
const REFUSE = Buffer.from('FLUXNO1\0', 'latin1');
const KEY = 32;
// crypto_secretbox (XSalsa20-Poly1305) sizes, fixed by the algorithm; as
// literals so that loading this file does not load sodium (./sodium).
const MAC = 16; // crypto_secretbox_MACBYTES
const NONCE = 24; // crypto_secretbox_NONCEBYTES
const HANDSHAKE_MAX = 512;
const CLIENT_PROOF = Buffer.from('flux-overlay client proof');
const SERVER_PROOF = Buffer.from('flux-overlay server proof');

/** A handshake failure; `transient` when trying again may succeed (the peer went quiet or away mid-way). */
export class LinkError extends Error {
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
  }
}

export interface LinkOptions {
  /** largest message accepted (bytes of encoded envelope) */
  maxMessage?: number;
  /** keepalive interval (ms); the peer is lost after `timeoutMs` of silence */
  keepaliveMs?: number;
  timeoutMs?: number;
}

function ephemeral(): KeyPair {
  const publicKey = Buffer.alloc(KEY);
  const secretKey = sodium().sodium_malloc(KEY);
  sodium().crypto_kx_keypair(publicKey, secretKey);
  return { publicKey, secretKey };
}

function mix(a: Buffer, b: Buffer): Buffer {
  const out = sodium().sodium_malloc(sodium().crypto_secretbox_KEYBYTES);
  sodium().crypto_generichash(out, Buffer.concat([a, b]));
  return out;
}

function frame(body: Buffer): Buffer {
  const hdr = Buffer.allocUnsafe(4);
  hdr.writeUInt32BE(body.length, 0);
  return Buffer.concat([hdr, body]);
}

/** Session keys for one side: rx decrypts what the peer sends, tx seals what we send. */
interface Session {
  rx: Buffer;
  tx: Buffer;
}

function clientSession(self: KeyPair, eph: KeyPair, serverKey: Buffer, serverEph: Buffer): Session {
  const rx1 = sodium().sodium_malloc(KEY);
  const tx1 = sodium().sodium_malloc(KEY);
  const rx2 = sodium().sodium_malloc(KEY);
  const tx2 = sodium().sodium_malloc(KEY);
  sodium().crypto_kx_client_session_keys(rx1, tx1, self.publicKey, self.secretKey, serverKey);
  sodium().crypto_kx_client_session_keys(rx2, tx2, eph.publicKey, eph.secretKey, serverEph);
  return { rx: mix(rx1, rx2), tx: mix(tx1, tx2) };
}

function serverSession(self: KeyPair, eph: KeyPair, clientKey: Buffer, clientEph: Buffer): Session {
  const rx1 = sodium().sodium_malloc(KEY);
  const tx1 = sodium().sodium_malloc(KEY);
  const rx2 = sodium().sodium_malloc(KEY);
  const tx2 = sodium().sodium_malloc(KEY);
  sodium().crypto_kx_server_session_keys(rx1, tx1, self.publicKey, self.secretKey, clientKey);
  sodium().crypto_kx_server_session_keys(rx2, tx2, eph.publicKey, eph.secretKey, clientEph);
  return { rx: mix(rx1, rx2), tx: mix(tx1, tx2) };
}

/** Seals and opens frames with per-direction keys and counter nonces. */
class Box {
  private sendCount = 0n;
  private recvCount = 0n;
  constructor(private readonly s: Session) {}

  private nonce(n: bigint): Buffer {
    const b = Buffer.alloc(NONCE);
    b.writeBigUInt64LE(n, 0);
    return b;
  }

  seal(plain: Buffer): Buffer {
    const out = Buffer.allocUnsafe(plain.length + MAC);
    sodium().crypto_secretbox_easy(out, plain, this.nonce(this.sendCount++), this.s.tx);
    return out;
  }

  /** undefined when the frame was not sealed by the peer (or out of order) */
  open(cipher: Buffer): Buffer | undefined {
    if (cipher.length < MAC) return undefined;
    const out = Buffer.allocUnsafe(cipher.length - MAC);
    if (!sodium().crypto_secretbox_open_easy(out, cipher, this.nonce(this.recvCount), this.s.rx)) return undefined;
    this.recvCount++;
    return out;
  }
}

/** An established link; the overlay sets the callbacks. */
export class SecureLink {
  onMessage: (m: Message) => void = () => {};
  onClose: (why: string) => void = () => {};
  /** ms timestamp of the last frame received */
  lastRecv = Date.now();
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private lastTick = Date.now();

  constructor(
    private readonly sock: Duplex,
    private readonly box: Box,
    private readonly reader: FrameSplitter,
    /** the peer's static public key (for logs: name, never the key itself) */
    readonly peerKey: Buffer,
    readonly peerName: string,
    private readonly opts: LinkOptions,
  ) {
    sock.removeAllListeners('data');
    sock.on('data', (c: Buffer) => this.onData(c));
    sock.on('close', () => this.shut('lost connection'));
    sock.on('error', (e: Error) => this.shut(e.message));
    const keepalive = opts.keepaliveMs ?? 500;
    const timeout = opts.timeoutMs ?? 1500;
    this.timer = setInterval(() => this.tick(keepalive, timeout), keepalive);
    this.timer.unref();
    setImmediate(() => this.drain());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  private tick(keepalive: number, timeout: number): void {
    const now = Date.now();
    // Our own loop was blocked: the peer's frames may be sitting unread; give it grace.
    if (now - this.lastTick > 2 * keepalive) this.lastRecv = now;
    this.lastTick = now;
    if (now - this.lastRecv > timeout) {
      this.shut('Connection timed out');
      return;
    }
    this.writeSealed(Buffer.alloc(0));
  }

  private onData(chunk: Buffer): void {
    this.reader.push(chunk);
    this.drain();
  }

  private drain(): void {
    while (!this.closed) {
      let f: Buffer | undefined;
      try {
        f = this.reader.next();
      } catch (e) {
        this.shut(`protocol error: ${(e as Error).message}`);
        return;
      }
      if (!f) return;
      this.onFrame(f);
    }
  }

  private onFrame(f: Buffer): void {
    this.lastRecv = Date.now();
    const plain = this.box.open(f);
    if (!plain) {
      this.shut('protocol error: frame failed authentication');
      return;
    }
    if (plain.length === 0) return;
    let m: Message;
    try {
      m = decodeMessage(plain);
    } catch (e) {
      this.shut(`protocol error: ${(e as Error).message}`);
      return;
    }
    this.onMessage(m);
  }

  private writeSealed(plain: Buffer): boolean {
    if (this.closed) return false;
    return this.sock.write(frame(this.box.seal(plain))) || true;
  }

  /**
   * Seal and send one message; false if the link is down. A message that cannot
   * be encoded (EPROTO) or is over the maximum (EMSGSIZE) throws FluxError and
   * leaves the link as it was.
   */
  send(m: Message): boolean {
    if (this.closed) return false;
    const body = encodeMessage(m);
    const max = this.opts.maxMessage ?? MAX_FRAME;
    if (body.length > max) throw new FluxError(Errno.EMSGSIZE, `${m.topic}: message of ${body.length} bytes exceeds the maximum of ${max}`);
    return this.writeSealed(body);
  }

  private shut(why: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.sock.destroy();
    this.onClose(why);
  }

  /** Close without reporting a loss (orderly end). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.sock.end();
    setTimeout(() => this.sock.destroy(), 100).unref();
  }
}

/** Wait for the next handshake frame until `deadline` (ms timestamp); anything after it stays buffered. */
function readFrame(sock: Duplex, reader: FrameSplitter, deadline: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new LinkError('handshake timed out', true)), Math.max(0, deadline - Date.now()));
    const check = (): boolean => {
      let f: Buffer | undefined;
      try {
        f = reader.next();
      } catch (e) {
        done(new LinkError(`protocol error: ${(e as Error).message}`));
        return true;
      }
      if (f) done(undefined, f);
      return f !== undefined;
    };
    const onData = (c: Buffer) => {
      reader.push(c);
      check();
    };
    const onClose = () => done(new LinkError('connection closed during handshake', true));
    const onError = (e: Error) => done(e);
    function done(err?: Error, f?: Buffer) {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
      sock.off('error', onError);
      if (err) reject(err);
      else resolve(f!);
    }
    sock.on('data', onData);
    sock.once('close', onClose);
    sock.once('error', onError);
    check();
  });
}

export interface HandshakeOptions extends LinkOptions {
  /** the whole handshake's limit (default 10 s) */
  handshakeTimeoutMs?: number;
}

/** time a connection has to complete the whole handshake, both sides */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Run a handshake; whatever way it fails, the socket is closed (a refusal has already ended it). */
async function closingOnFailure<T>(sock: Duplex, steps: () => Promise<T>): Promise<T> {
  try {
    return await steps();
  } catch (e) {
    if (!sock.writableEnded) sock.destroy();
    throw e;
  }
}

/** Child side: prove our key, require the parent to hold `serverKey`. */
export function secureConnect(sock: Duplex, self: KeyPair, serverKey: Buffer, opts: HandshakeOptions = {}): Promise<SecureLink> {
  return closingOnFailure(sock, () => connectSteps(sock, self, serverKey, opts));
}

async function connectSteps(sock: Duplex, self: KeyPair, serverKey: Buffer, opts: HandshakeOptions): Promise<SecureLink> {
  const eph = ephemeral();
  const reader = new FrameSplitter(HANDSHAKE_MAX);
  const deadline = Date.now() + (opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
  sock.write(frame(Buffer.concat([MAGIC, self.publicKey, eph.publicKey])));
  const hello = await readFrame(sock, reader, deadline);
  if (hello.subarray(0, 8).equals(REFUSE)) {
    sock.destroy();
    throw new LinkError(`refused by parent: ${hello.subarray(8).toString('utf8')}`);
  }
  if (hello.length !== 8 + KEY || !hello.subarray(0, 8).equals(MAGIC)) {
    sock.destroy();
    throw new LinkError('protocol error: bad handshake from parent');
  }
  const box = new Box(clientSession(self, eph, serverKey, hello.subarray(8)));
  sock.write(frame(box.seal(CLIENT_PROOF)));
  const proof = box.open(await readFrame(sock, reader, deadline));
  if (!proof || !proof.equals(SERVER_PROOF)) {
    sock.destroy();
    throw new LinkError('parent failed to authenticate: its key is not the one published');
  }
  reader.max = (opts.maxMessage ?? MAX_FRAME) + MAC;
  return new SecureLink(sock, box, reader, serverKey, 'parent', opts);
}

/**
 * Parent side: accept a child whose static key `allow` names (returns the name,
 * e.g. its rank); otherwise refuse and reject with a LinkError naming the key.
 * Any failure closes the socket.
 */
export function secureAccept(
  sock: Duplex,
  self: KeyPair,
  allow: (publicKey: Buffer) => string | undefined,
  keyText: (publicKey: Buffer) => string,
  opts: HandshakeOptions = {},
): Promise<SecureLink> {
  return closingOnFailure(sock, () => acceptSteps(sock, self, allow, keyText, opts));
}

async function acceptSteps(
  sock: Duplex,
  self: KeyPair,
  allow: (publicKey: Buffer) => string | undefined,
  keyText: (publicKey: Buffer) => string,
  opts: HandshakeOptions,
): Promise<SecureLink> {
  const reader = new FrameSplitter(HANDSHAKE_MAX);
  const deadline = Date.now() + (opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
  const hello = await readFrame(sock, reader, deadline);
  if (hello.length !== 8 + 2 * KEY || !hello.subarray(0, 8).equals(MAGIC)) {
    sock.destroy();
    throw new LinkError('protocol error: bad handshake from child');
  }
  const clientKey = Buffer.from(hello.subarray(8, 8 + KEY));
  const clientEph = hello.subarray(8 + KEY);
  const name = allow(clientKey);
  if (name === undefined) {
    sock.end(frame(Buffer.concat([REFUSE, Buffer.from('key not authorized')])));
    setTimeout(() => sock.destroy(), 100).unref();
    throw new LinkError(`refused: unknown key ${keyText(clientKey)}`);
  }
  const eph = ephemeral();
  sock.write(frame(Buffer.concat([MAGIC, eph.publicKey])));
  const box = new Box(serverSession(self, eph, clientKey, clientEph));
  const proof = box.open(await readFrame(sock, reader, deadline));
  if (!proof || !proof.equals(CLIENT_PROOF)) {
    sock.destroy();
    throw new LinkError(`refused: key ${keyText(clientKey)} (rank ${name}) failed authentication`);
  }
  sock.write(frame(box.seal(SERVER_PROOF)));
  reader.max = (opts.maxMessage ?? MAX_FRAME) + MAC;
  return new SecureLink(sock, box, reader, clientKey, name, opts);
}
