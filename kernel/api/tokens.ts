/**
 * DI tokens the kernel provides to every module's child container. Token ids are
 * `flux.<owner>.<thing>`; modules inject them explicitly with @inject(TOKEN).
 */
import type { Handle } from './handle';

/** A typed token: a symbol that remembers what it resolves to. */
export type Token<T> = symbol & { readonly __type?: T };
export function token<T>(id: string): Token<T> {
  return Symbol.for(id) as Token<T>;
}

export const IHandle = token<Handle>('flux.kernel.handle');
export const IModuleArgs = token<readonly string[]>('flux.kernel.module-args');
export const IModuleName = token<string>('flux.kernel.module-name');
export const IConfig = token<Readonly<Record<string, unknown>>>('flux.kernel.config');
