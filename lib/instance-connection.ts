/**
 * A connection to another Flux instance, as a module sees it: the front end
 * lends the kernel its client (cli/start/connect-instance.ts), and the kernel
 * gives it to modules as IConnectInstance (a nested instance's resource module
 * reads its job's R from the enclosing instance, at `parent-uri`).
 */

/** Requests to the other instance and their responses. */
export interface InstanceConnection {
  rpc<T = unknown>(topic: string, payload?: unknown, opts?: { timeoutMs?: number }): Promise<T>;
  close(): void;
}

/** How a module reaches another instance by URI. */
export type ConnectInstance = (uri: string) => Promise<InstanceConnection>;
