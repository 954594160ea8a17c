/**
 * The options of Flux's builtin CLI plugin "shape" (flux/shape/plugin):
 * `--resources-shape=SHAPE` (RFC 46, lib/formats/shape.ts) and
 * `--resources-json=FILE` give a job's resources whole, in place of what the
 * resource options would build; its tasks are then one per slot. flux-ts
 * loads no other CLI plugin (Flux's are Python): `--list-plugins` says so.
 */
import * as fs from 'node:fs';
import type { ParsedArgs } from '../options';
import { parseShape, ShapeError } from '../../lib/formats/shape';
import { SubmitOptionError, type ResourceVertex } from './types';

/** the largest --resources-json file read */
const MAX_JSON = 1 << 20;

/** the options the resources of a shape replace (batch's slot options are renamed to these before the build) */
const RESOURCE_OPTIONS = ['nodes', 'exclusive', 'ntasks', 'cores-per-task', 'gpus-per-task', 'cores', 'tasks-per-node', 'tasks-per-core', 'gpus-per-node'];

function fromJsonFile(file: string): unknown {
  let text: string;
  try {
    const st = fs.statSync(file);
    // a FIFO or a device would hold the command (or never end): a file only
    if (!st.isFile()) throw new SubmitOptionError(`--resources-json: ${file}: not a regular file`);
    if (st.size > MAX_JSON) throw new SubmitOptionError(`--resources-json: ${file}: larger than ${MAX_JSON} bytes`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof SubmitOptionError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new SubmitOptionError(`--resources-json: ${file}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new SubmitOptionError(`--resources-json: ${file}: not JSON: ${(e as Error).message}`);
  }
  // a jobspec (or anything with a resources key) or the list itself, as Flux's plugin takes it
  const list = typeof data === 'object' && data !== null && !Array.isArray(data) && 'resources' in data ? (data as { resources: unknown }).resources : data;
  if (!Array.isArray(list) || list.length === 0) throw new SubmitOptionError(`--resources-json: ${file}: not a resources list (a JSON array of resource vertices, or an object with a resources key)`);
  return list;
}

/** The labels of the slots in a resources list. */
export function slotLabels(res: readonly ResourceVertex[]): string[] {
  const out: string[] = [];
  const walk = (vs: readonly ResourceVertex[]) => {
    for (const v of vs) {
      if (v.type === 'slot' && typeof v.label === 'string') out.push(v.label);
      if (Array.isArray(v.with)) walk(v.with);
    }
  };
  walk(res);
  return out;
}

/** The resources --resources-shape or --resources-json give, or undefined when neither is given. */
export function shapedResources(p: ParsedArgs): ResourceVertex[] | undefined {
  const shape = p.get('resources-shape');
  const json = p.get('resources-json');
  if (shape === undefined && json === undefined) return undefined;
  if (shape !== undefined && json !== undefined) throw new SubmitOptionError('`--resources-shape` and `--resources-json` are mutually exclusive arguments. Use only one.');
  const other = RESOURCE_OPTIONS.map((k) => p.get(k)).find((o) => o !== undefined);
  if (other !== undefined) {
    throw new SubmitOptionError(`${other.typed || 'a resource option'}: the resources come from ${shape ? '--resources-shape' : '--resources-json'} (one task per slot): give them there instead`);
  }
  if (json !== undefined) return fromJsonFile(json.value) as ResourceVertex[];
  try {
    return parseShape(shape!.value) as unknown as ResourceVertex[];
  } catch (e) {
    if (e instanceof ShapeError) throw new SubmitOptionError(`--resources-shape: ${e.message}`);
    throw e;
  }
}

/** `--list-plugins`: what flux-ts has of Flux's CLI plugins, on stdout; the command's exit code. */
export function listPlugins(): number {
  process.stdout.write(pluginList());
  return 0;
}

function pluginList(): string {
  return [
    'CLI plugins:',
    '  shape (built in): --resources-shape=SHAPE  the resources as an RFC 46 shape',
    '                    --resources-json=FILE    the resources from a JSON file',
    ...(process.env['FLUX_CLI_PLUGINPATH'] ? [`FLUX_CLI_PLUGINPATH=${process.env['FLUX_CLI_PLUGINPATH']}: not loaded (Flux's CLI plugins are Python; flux-ts has only the one above)`] : []),
    '',
  ].join('\n');
}
