/**
 * The package's public API for scripts (docs/guide/client-api.md): connect to
 * an instance, build jobspecs as the CLI does, submit and follow jobs, read the
 * KVS and resources, and run many jobs through an executor.
 *
 *   const { Client, Jobspec, submit, result } = require('flux-ts');
 *   const h = await Client.connect();
 *   const id = await submit(h, Jobspec.fromCommand(['hostname'], { numTasks: 2 }));
 *   console.log((await result(h, id)).returncode);
 */
export { Client, DEFAULT_URI, type RpcOptions, type StreamCall } from './client';
export { FluxError } from '../../lib/errors';
export { Errno, strerror } from '../../lib/errno';
export { NODEID_ANY, NODEID_UPSTREAM, type Message } from '../../kernel/message/message';
export { Jobspec, type JobspecV1, type JobOptions, type CommandOptions, type InstanceOptions, type BatchOptions } from './jobspec';
export {
  submit,
  wait,
  result,
  cancel,
  kill,
  raise,
  eventWatch,
  jobList,
  getJob,
  jobid,
  parseJobId,
  type JobId,
  type JobInfo,
  type JobListOptions,
  type SubmitOptions,
  type WaitResult,
  type EventLogEntry,
  type EventWatchOptions,
  type ResultName,
  type StateName,
} from './job';
export { outputWatch, type OutputChunk, type OutputWatchOptions } from './output';
export { kvs, type KvsWatchOptions } from './kvs';
export { resourceList, type ResourceList, type ResourceSet } from './resource';
export { FluxExecutor, FluxExecutorFuture, JobException, type FluxExecutorOptions, type ShutdownOptions } from './executor';
