/**
 * Shared submission support for flux run, submit and bulksubmit: option parsing
 * (POSIX, typed-text aware) and the jobspec V1 builder.
 */
export * from './types';
export * from './options';
export * from './build';
export { jobEnvironment } from './environment';
export { currentRlimits } from './rlimit';
export { pyJson } from './pyjson';
export * from './job-info';
