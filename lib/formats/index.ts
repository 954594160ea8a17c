/**
 * Generic Flux formats usable by modules, plugins and the cli: idsets (RFC 22),
 * hostlists (RFC 29), durations (RFC 23) and job ids (RFC 19).
 */
export * as idset from './idset';
export * as hostlist from './hostlist';
export * as fsd from './fsd';
export { IdsetError } from './idset';
export { HostlistError } from './hostlist';
export { FsdError } from './fsd';
export * from './fluid';
export * from './rv1';
export * from './output-format';
export * from './constraint';
export { parseSize } from './size';
export * from './py-float';
export { countHosts, HostRanges } from './hostlist-ranges';
