/**
 * flux config load/reload for the resource module (BrokerModule.configReload):
 * `[resource] exclude` changes live (rank 0 moves the ranks it names in or
 * out of the scheduler's pool); any other [resource] key is read at load and
 * refused, with the key named, as the broker refuses a module's tables.
 */
import { einval } from '../../kernel/api';

type Obj = Record<string, unknown>;

const LIVE_KEYS = new Set(['exclude']);

/**
 * The new exclude value when it is what changed (`{exclude: undefined}`:
 * removed), undefined when the table did not change; throws for a change to
 * a key read only at load.
 */
export function excludeChange(next: Readonly<Obj>, prev: Readonly<Obj>): { exclude: string | undefined } | undefined {
  const tn = (next['resource'] ?? {}) as Obj;
  const tp = (prev['resource'] ?? {}) as Obj;
  for (const k of new Set([...Object.keys(tn), ...Object.keys(tp)])) {
    if (!LIVE_KEYS.has(k) && JSON.stringify(tn[k]) !== JSON.stringify(tp[k])) {
      throw einval(`resource.${k}: cannot be changed on a running instance (module resource reads it at load: flux module reload resource)`);
    }
  }
  if (tn['exclude'] === tp['exclude']) return undefined;
  return { exclude: tn['exclude'] as string | undefined };
}
