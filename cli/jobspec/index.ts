/**
 * Shared submission support for flux run, submit and bulksubmit: their option
 * specs and the jobspec V1 builder.
 */
export * from './types';
export * from './submit-options';
export * from './build';
export { jobEnvironment } from './environment';
export { currentRlimits } from './rlimit';
export { pyJson } from './pyjson';
export * from './job-info';
