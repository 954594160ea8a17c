/**
 * Broker attributes (flux-broker-attributes(7)). Each attribute has flags saying
 * who may change it: read-only ones are fixed by the broker, immutable ones may be
 * set on the command line only, runtime ones by `flux setattr` too. Unknown names
 * are refused everywhere.
 */
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';

export const AttrFlag = {
  /** set by the broker only (rank, size, version ...) */
  ReadOnly: 1,
  /** may be set on the command line, then never changes */
  Immutable: 2,
  /** may be changed at run time with `flux setattr` */
  Runtime: 4,
  /** may be changed at run time only with `flux setattr --force` */
  Forceable: 8,
  /** listed by `flux lsattr` (as "-") even while unset */
  ListUnset: 16,
  /**
   * flux-core defines it and flux-ts lists it, but does not implement it:
   * setting any value other than the one shown is refused with one line
   * (never accepted and ignored)
   */
  Unsupported: 32,
} as const;

interface Attr {
  value: string | undefined;
  flags: number;
  /** validates a new value (throw FluxError) and applies side effects */
  onSet?: (value: string) => void;
  /** computed on read */
  get?: () => string | undefined;
  /** Unsupported: why it means nothing in flux-ts (said when refused) */
  why?: string;
}

export class AttrStore {
  private readonly attrs = new Map<string, Attr>();

  /** Declare an attribute (value undefined = known but unset). */
  define(
    name: string,
    value: string | undefined,
    flags: number,
    hooks: { onSet?: (v: string) => void; get?: () => string | undefined; why?: string } = {},
  ): void {
    this.attrs.set(name, { value, flags, ...hooks });
  }

  has(name: string): boolean {
    return this.attrs.has(name);
  }

  get(name: string): string | undefined {
    const a = this.attrs.get(name);
    if (!a) return undefined;
    return a.get ? a.get() : a.value;
  }

  flags(name: string): number {
    return this.attrs.get(name)?.flags ?? 0;
  }

  /** Broker-internal update (no permission checks). */
  setInternal(name: string, value: string | undefined): void {
    const a = this.attrs.get(name);
    if (a) a.value = value;
    else this.attrs.set(name, { value, flags: AttrFlag.ReadOnly });
  }

  /** `-S NAME=VALUE` on the broker command line. */
  setFromCommandLine(name: string, value: string): void {
    const a = this.attrs.get(name);
    if (!a) throw new FluxError(Errno.ENOENT, `${name}: unknown attribute`);
    if (a.flags & AttrFlag.ReadOnly) {
      throw new FluxError(Errno.EPERM, `${name}: attribute may not be set on the command line`);
    }
    this.refuseUnsupported(name, a, value);
    a.onSet?.(value);
    a.value = value;
  }

  /** `flux setattr [--force] NAME VALUE` at run time. */
  setAtRuntime(name: string, value: string, force: boolean): void {
    const a = this.attrs.get(name);
    if (!a) throw new FluxError(Errno.ENOENT, `${name}: unknown attribute`);
    const allowed = (a.flags & AttrFlag.Runtime) !== 0 || (force && (a.flags & AttrFlag.Forceable) !== 0);
    if (!allowed) {
      if (!force && (a.flags & AttrFlag.Forceable) !== 0) {
        throw new FluxError(Errno.EPERM, `${name}: attribute may not be updated`);
      }
      if (!force && !(a.flags & (AttrFlag.ReadOnly | AttrFlag.Immutable))) {
        throw new FluxError(Errno.EPERM, `${name}: attribute may not be updated`);
      }
      throw new FluxError(Errno.EPERM, force ? `${name}: Operation not permitted` : `${name}: attribute may not be updated`);
    }
    this.refuseUnsupported(name, a, value);
    a.onSet?.(value);
    a.value = value;
  }

  private refuseUnsupported(name: string, a: Attr, value: string): void {
    if (a.flags & AttrFlag.Unsupported && value !== a.value) {
      const stays = a.value === undefined ? '' : ` (it stays "${a.value}")`;
      throw new FluxError(Errno.EINVAL, `${name}: setting this attribute is not supported by flux-ts${stays}${a.why ? `: ${a.why}` : ''}`);
    }
  }

  /** Names of attributes that have a value, sorted as strcmp does. */
  names(): string[] {
    const out: string[] = [];
    for (const [k, a] of this.attrs) {
      if (this.get(k) !== undefined || a.flags & AttrFlag.ListUnset) out.push(k);
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
