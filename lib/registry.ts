/**
 * Named registries shared by the modules of one broker (ADR 0018): the
 * scheduler's policies, the job shell's plugins. A registry is found by its
 * token in the broker's instance-wide DI container (kernel/module/module-host.ts
 * puts a Registries there); any module may provide an entry, and the host
 * withdraws a module's entries when it unloads.
 *
 * Several parties may provide the same name: the last one provided wins, and
 * when it is withdrawn the one before it answers again. A built-in (`fallback`)
 * answers only while nobody else provides its name.
 */
export interface RegistryEntry<T> {
  readonly name: string;
  readonly value: T;
  /** a built-in: below every other entry of its name */
  readonly fallback: boolean;
  /** who provided it (a module's host withdraws by it) */
  readonly owner: unknown;
}

export class Registry<T> {
  private entries: Array<RegistryEntry<T>> = [];

  /** Provide `value` under `name`; returns what withdraws it. */
  provide(name: string, value: T, opts: { owner?: unknown; fallback?: boolean } = {}): () => void {
    if (typeof name !== 'string' || name === '') throw new Error('a registry name must be a non-empty string');
    const e: RegistryEntry<T> = { name, value, fallback: opts.fallback === true, owner: opts.owner };
    this.entries.push(e);
    return () => {
      this.entries = this.entries.filter((x) => x !== e);
    };
  }

  /** Whether a built-in of this name is there already (built-ins are provided once). */
  hasFallback(name: string): boolean {
    return this.entries.some((e) => e.fallback && e.name === name);
  }

  /** The entry that answers for `name`: the last provided, else the last built-in. */
  entry(name: string): RegistryEntry<T> | undefined {
    let fb: RegistryEntry<T> | undefined;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.name !== name) continue;
      if (!e.fallback) return e;
      fb ??= e;
    }
    return fb;
  }

  get(name: string): T | undefined {
    return this.entry(name)?.value;
  }

  /** Every name provided, sorted. */
  names(): string[] {
    return [...new Set(this.entries.map((e) => e.name))].sort();
  }

  /**
   * The answering entry of each name: built-ins first (in the order given),
   * then the others in the order their answering entries were provided (a
   * replaced built-in moves to where its replacement was provided).
   */
  active(): Array<RegistryEntry<T>> {
    const wins = new Set(this.names().map((n) => this.entry(n)!));
    const inOrder = this.entries.filter((e) => wins.has(e));
    return inOrder.filter((e) => e.fallback).concat(inOrder.filter((e) => !e.fallback));
  }

  /** Drop everything `owner` provided; returns how many. */
  withdraw(owner: unknown): number {
    const n = this.entries.length;
    this.entries = this.entries.filter((e) => e.owner !== owner);
    return n - this.entries.length;
  }
}

/** A registry's DI token: `token<Registry<T>>('flux.<owner>.<things>')` (kernel/api/tokens.ts). */
export type RegistryToken<T> = symbol & { readonly __type?: Registry<T> };

/** Every registry of one broker, by token: made on first use, so a provider may come before its consumer. */
export class Registries {
  private readonly map = new Map<symbol, Registry<unknown>>();

  of<T>(token: RegistryToken<T>): Registry<T> {
    let r = this.map.get(token);
    if (!r) this.map.set(token, (r = new Registry<unknown>()));
    return r as Registry<T>;
  }

  /** Drop what `owner` provided, in every registry. */
  withdraw(owner: unknown): void {
    for (const r of this.map.values()) r.withdraw(owner);
  }
}

/**
 * What a module resolves as IRegistries: the broker's registries, and
 * provide(), whose entries are withdrawn when this module unloads.
 */
export class ModuleRegistries {
  constructor(
    private readonly all: Registries,
    private readonly owner: unknown,
  ) {}

  of<T>(token: RegistryToken<T>): Registry<T> {
    return this.all.of(token);
  }

  provide<T>(token: RegistryToken<T>, name: string, value: T): () => void {
    return this.all.of(token).provide(name, value, { owner: this.owner });
  }
}
