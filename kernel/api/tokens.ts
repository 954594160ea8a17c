/**
 * DI tokens the kernel provides to every module's child container. Token ids are
 * `flux.<owner>.<thing>`; modules inject them explicitly with @inject(TOKEN).
 * A token is `Symbol.for(id)`, so a site module written in plain JavaScript
 * names the same token with `token('flux.sched.policies')`.
 *
 * Not here on purpose: IBrokerCore (kernel/broker-services.ts), which lends the
 * Broker to the built-in `broker` module alone (ADR 0018).
 */
import type { Handle, LogLevelName } from './handle';
import type { ModuleRegistries } from '../../lib/registry';
import type { ConnectInstance } from '../../lib/instance-connection';

/** A typed token: a symbol that remembers what it resolves to. */
export type Token<T> = symbol & { readonly __type?: T };
export function token<T>(id: string): Token<T> {
  return Symbol.for(id) as Token<T>;
}

/** The broker attributes (flux-broker-attributes(7)), read-only. */
export interface Attributes {
  get(name: string): string | undefined;
}
/** The broker log ring, as this module (appname = its load name). */
export type Log = (level: LogLevelName, text: string) => void;

export const IHandle = token<Handle>('flux.kernel.handle');
export const IAttributes = token<Attributes>('flux.kernel.attributes');
export const ILog = token<Log>('flux.kernel.log');
export const IModuleArgs = token<readonly string[]>('flux.kernel.module-args');
export const IModuleName = token<string>('flux.kernel.module-name');
export const IConfig = token<Readonly<Record<string, unknown>>>('flux.kernel.config');
/** The broker's named registries (lib/registry.ts): a module provides or finds policies and plugins there. */
export const IRegistries = token<ModuleRegistries>('flux.kernel.registries');
/** Reaching another instance (a nested instance's resource module reads its job's R from the enclosing one). */
export const IConnectInstance = token<ConnectInstance>('flux.kernel.connect-instance');
