/**
 * Jobspec V1 resources -> ResourceRequest (node>slot>core[,gpu] or slot>core[,gpu]).
 * Anything else is refused with a sentence saying what is wrong.
 */
import { checkConstraint, einval, type Constraint } from '../../kernel/api';
import type { ResourceRequest } from './plugin-api';

interface Vertex {
  type?: unknown;
  count?: unknown;
  exclusive?: unknown;
  with?: unknown;
  label?: unknown;
}

function count(v: Vertex): number {
  const c = v.count;
  if (typeof c === 'number' && Number.isInteger(c) && c >= 1) return c;
  throw einval(`${String(v.type)} count must be a positive integer (got ${JSON.stringify(c)})`);
}

function children(v: Vertex): Vertex[] {
  if (v.with === undefined) return [];
  if (!Array.isArray(v.with)) throw einval(`${String(v.type)}.with must be a list`);
  return v.with as Vertex[];
}

function slotShape(slot: Vertex): { cores: number; gpus: number } {
  let cores = 0;
  let gpus = 0;
  for (const c of children(slot)) {
    if (c.type === 'core') cores += count(c);
    else if (c.type === 'gpu') gpus += count(c);
    else throw einval(`unsupported resource type '${String(c.type)}' under slot`);
  }
  if (cores === 0) throw einval('slot must contain at least one core');
  return { cores, gpus };
}

/** Parse a jobspec's resources and duration. Throws FluxError(EINVAL). */
export function parseJobspec(jobspec: unknown): ResourceRequest {
  const js = jobspec as { resources?: unknown; attributes?: { system?: { duration?: unknown; constraints?: unknown } } } | null;
  if (!js || typeof js !== 'object') throw einval('jobspec must be an object');
  const res = js.resources;
  if (!Array.isArray(res) || res.length !== 1) throw einval('jobspec resources must be a list of one node or slot');
  const top = res[0] as Vertex;
  const dur = js.attributes?.system?.duration ?? 0;
  if (typeof dur !== 'number' || !(dur >= 0)) throw einval('attributes.system.duration must be a number >= 0');
  const req = shape(top, dur);
  const c = js.attributes?.system?.constraints;
  if (c !== undefined) {
    const why = checkConstraint(c);
    if (why) throw einval(`invalid constraint: ${why}`);
    if (Object.keys(c as object).length > 0) req.constraint = c as Constraint;
  }
  return req;
}

function shape(top: Vertex, dur: number): ResourceRequest {
  if (top.type === 'slot') {
    const s = slotShape(top);
    return { exclusive: false, nslots: count(top), coresPerSlot: s.cores, gpusPerSlot: s.gpus, duration: dur };
  }
  if (top.type === 'node') {
    const nnodes = count(top);
    const kids = children(top);
    if (kids.length !== 1 || kids[0]!.type !== 'slot') throw einval('node must contain exactly one slot');
    const slot = kids[0]!;
    const s = slotShape(slot);
    return {
      nnodes,
      exclusive: top.exclusive === true,
      nslots: count(slot) * nnodes,
      coresPerSlot: s.cores,
      gpusPerSlot: s.gpus,
      duration: dur,
    };
  }
  throw einval(`unsupported top level resource type '${String(top.type)}'`);
}
