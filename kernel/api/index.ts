/**
 * The only import surface for modules, plugins and site modules. Everything a
 * module needs from the kernel is re-exported here (lint forbids deeper imports).
 */
import 'reflect-metadata';
export { inject, injectable, singleton } from 'tsyringe';
export type { DependencyContainer } from 'tsyringe';
export * from './errno';
export * from './errors';
export * from './handle';
export * from './module';
export * from './config-schema';
export * from './tokens';
export * from './strsignal';
export * from './lineage';
export * from './long-timer';
export * from './event-time';
export {
  MsgType,
  MsgFlag,
  NODEID_ANY,
  NODEID_UPSTREAM,
  Role,
  serviceOf,
  type Message,
} from '../message/message';
export * from './formats';
export { PmiServer, pmiAbortNote, type PmiServerOptions } from './pmi-server';
