/**
 * Signing a guest's jobspec at submit (J, lib/signed-jobspec.ts; flux-imp(8)):
 * a client that is not the instance owner signs each jobspec with MUNGE (the
 * `munge` command, a child process), for the instance it submits to. The IMP
 * verifies the signature before it runs the job as the signer. The owner's
 * own jobs are not signed (they never go through the IMP). MUNGE's socket is
 * munge's default, or $FLUX_MUNGE_SOCKET. job-ingest refuses a guest's
 * unsigned job; submitJob's refusal then says why MUNGE did not sign it.
 */
import { spawn } from 'node:child_process';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { signingInput } from '../../lib/signed-jobspec';
import type { JobIngestProtocol, JobIngestSubmitRequest, JobIngestSubmitResponse } from '../../lib/protocol/job-ingest';
import type { Client } from './client';
import { service } from './protocol';

const ingest = service<JobIngestProtocol>('job-ingest');

/** job-ingest's refusal of a guest's unsigned job (modules/job-ingest/guest.ts) begins so */
const UNSIGNED = 'only instance owner can use sign-type=none';

interface Target {
  owner: number;
  instance: string;
}

/** per client: the instance to sign for, undefined when this client is its owner */
const targets = new WeakMap<Client, Promise<Target | undefined>>();

/** at most this many munge processes at once (a bulk submission) */
const MAX_MUNGE = 8;
let running = 0;
const queue: Array<() => void> = [];

async function target(h: Client): Promise<Target | undefined> {
  const owner = Number(await h.getattr('security.owner'));
  if (owner === process.getuid?.()) return undefined;
  const r = await h.rpc<{ value: string }>('attr.get', { name: 'broker.uuid' }, { nodeid: 0 });
  return { owner, instance: r.value };
}

function targetOf(h: Client): Promise<Target | undefined> {
  let t = targets.get(h);
  if (t === undefined) {
    t = target(h).catch(() => undefined);
    targets.set(h, t);
  }
  return t;
}

/** whether this client signs its jobspecs (it is a guest of h's instance) */
export async function signsJobspecs(h: Client): Promise<boolean> {
  return (await targetOf(h)) !== undefined;
}

/** the credential of `input` from `munge`, or the reason there is none */
function munge(input: string): Promise<{ cred?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = process.env['FLUX_MUNGE_SOCKET'];
    const p = spawn('munge', socket ? ['--socket', socket] : [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', (e) => resolve({ error: e.message }));
    // munge's own line is `munge: Error: WHY`
    const why = (code: number | null) => err.trim().split('\n')[0]?.replace(/^munge: (?:Error: )?/, '') || `exit ${code}`;
    p.on('close', (code) => resolve(code === 0 ? { cred: out.trim() } : { error: why(code) }));
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
  });
}

async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_MUNGE) await new Promise<void>((r) => queue.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    queue.shift()?.();
  }
}

/**
 * J for this jobspec when the client is a guest of h's instance (none for the
 * owner), or why MUNGE could not sign it.
 */
async function signJobspec(h: Client, jobspec: unknown): Promise<{ J?: string; error?: string }> {
  const to = await targetOf(h);
  if (to === undefined) return {};
  const input = signingInput({ version: 1, mechanism: 'munge', userid: process.getuid?.() ?? 0, owner: to.owner, instance: to.instance }, jobspec);
  const r = await limited(() => munge(input));
  return r.cred !== undefined ? { J: `${input}.${r.cred}` } : { error: r.error };
}

/**
 * job-ingest.submit of this request, its jobspec signed first when the client
 * is a guest. A guest's job that MUNGE could not sign goes unsigned, and
 * job-ingest's refusal of it says why it is not signed, in one line.
 */
export async function submitJob(h: Client, req: Omit<JobIngestSubmitRequest, 'J'>): Promise<JobIngestSubmitResponse> {
  const signed = await signJobspec(h, req.jobspec);
  try {
    return await ingest.call(h, 'submit', { ...req, J: signed.J });
  } catch (e) {
    const fe = e as FluxError;
    if (signed.error === undefined || fe.errno !== Errno.EPERM || !fe.message.startsWith(UNSIGNED)) throw e;
    throw new FluxError(Errno.EPERM, `${UNSIGNED}: the jobspec could not be signed: munge: ${signed.error}`);
  }
}
