/**
 * The two calls the local connector takes from the flux-ts addon
 * (dist/native/flux-ts.node, ADR 0005): the credentials of the process behind a
 * client socket, for log lines, and malloc_trim. Both are optional: without
 * the addon a client is named by its number only and freed heap pages stay
 * with the process until reused.
 */
import * as path from 'node:path';
import type * as net from 'node:net';

interface ConnectorAddon {
  peerCred?(fd: number): { pid: number; uid: number } | undefined;
  trimMemory?(): boolean;
}

let addon: ConnectorAddon | null | undefined;

function load(): ConnectorAddon | null {
  if (addon === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      addon = require(path.join(__dirname, '..', '..', 'native', 'flux-ts.node')) as ConnectorAddon;
    } catch {
      addon = null;
    }
  }
  return addon;
}

/** pid of the process that connected `sock`, when the addon can tell. */
export function peerPid(sock: net.Socket): number | undefined {
  // N.B. _handle.fd is Node's (undocumented, stable) descriptor of a pipe handle.
  const fd = (sock as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  return load()?.peerCred?.(fd)?.pid;
}

/** malloc_trim(0), when the addon is built. */
export function trimMemory(): void {
  load()?.trimMemory?.();
}
