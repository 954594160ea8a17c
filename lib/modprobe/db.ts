/**
 * The module table as flux-modprobe(1) reads it: entries by name, in the
 * order they were defined, and which entry a service name stands for. An
 * entry stands for its own name and for each name it `provides`; where
 * several do, the chosen one is the enabled entry of highest priority, the
 * last defined among equals, unless an alternative was set for the service
 * (`[modules] alternatives`, `--set-alternative`).
 */
import { applyUpdate, copyEntry, parseEntry, updateProblem, type ModuleEntry } from './entry';

export class ModuleDb {
  private readonly entries = new Map<string, ModuleEntry>();
  /** definition order (an entry defined again keeps its first place) */
  private readonly order = new Map<string, number>();
  private readonly alternatives = new Map<string, string>();

  /** Add an entry from its TOML table; one defined again replaces the earlier (Flux: the last one wins). */
  add(raw: unknown, where: string): ModuleEntry {
    const e = parseEntry(raw, where);
    if (!this.order.has(e.name)) this.order.set(e.name, this.order.size);
    this.entries.set(e.name, e);
    return e;
  }

  /** A db of the same entries (each its own copy) and alternatives, to change apart from this one. */
  copy(): ModuleDb {
    const c = new ModuleDb();
    for (const [name, e] of this.entries) {
      c.order.set(name, this.index(name));
      c.entries.set(name, copyEntry(e));
    }
    for (const [s, m] of this.alternatives) c.alternatives.set(s, m);
    return c;
  }

  /** `NAME.KEY = VALUE` of a table file or the broker config: the entry must exist. */
  update(name: string, raw: unknown, where: string): void {
    const e = this.entries.get(name);
    if (e === undefined) throw new Error(`${where}: no module ${name} in the module table (${this.names().join(', ')})`);
    const p = updateProblem(raw, where);
    if (p !== undefined) throw new Error(p);
    applyUpdate(e, raw as Record<string, unknown>);
  }

  /** the entry of exactly this name (not a service's provider) */
  entry(name: string): ModuleEntry | undefined {
    return this.entries.get(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** every entry, in definition order */
  all(): ModuleEntry[] {
    return [...this.entries.values()];
  }

  index(name: string): number {
    return this.order.get(name) ?? Number.MAX_SAFE_INTEGER;
  }

  /** Is NAME an entry's name or a service some entry provides? */
  has(name: string): boolean {
    return this.candidates(name).length > 0;
  }

  /** the entries standing for a name, lowest precedence first */
  private candidates(service: string): ModuleEntry[] {
    const forced = this.alternatives.get(service);
    return this.all()
      .filter((e) => e.name === service || e.provides.includes(service))
      .map((e) => ({ e, p: e.name === forced ? Number.MAX_SAFE_INTEGER : e.priority }))
      .sort((a, b) => a.p - b.p || this.index(a.e.name) - this.index(b.e.name))
      .map((x) => x.e);
  }

  /** The entry chosen for a name (an enabled one when there is one); throws for a name nothing stands for. */
  get(service: string): ModuleEntry {
    const c = this.candidates(service);
    if (c.length === 0) throw new Error(`no such task or module ${service}`);
    const enabled = c.filter((e) => !e.disabled);
    return (enabled.length > 0 ? enabled : c)[(enabled.length > 0 ? enabled : c).length - 1]!;
  }

  /** Choose MODULE for SERVICE; throws when MODULE does not provide it. */
  setAlternative(service: string, module: string): void {
    const e = this.entries.get(module);
    if (e === undefined || (e.name !== service && !e.provides.includes(service))) throw new Error(`no module ${module} provides ${service}`);
    this.alternatives.set(service, module);
  }

  /** Disable every entry standing for NAME; throws when nothing does. */
  disable(name: string): void {
    const c = this.all().filter((e) => e.name === name || e.provides.includes(name));
    if (c.length === 0) throw new Error(`no such module or task '${name}'`);
    for (const e of c) e.disabled = true;
  }
}
