/**
 * The only import surface for modules, plugins and site modules. Everything a
 * module needs from the kernel is re-exported here (lint forbids deeper imports).
 */
import 'reflect-metadata';
export { inject, injectable, singleton } from 'tsyringe';
export type { DependencyContainer } from 'tsyringe';
export * from '../../lib/errno';
export * from '../../lib/errors';
export * from './handle';
export * from './module';
export * from '../../lib/config-schema';
export * from './tokens';
export type { ConnectInstance, InstanceConnection } from '../../lib/instance-connection';
export * from '../../lib/registry';
export * from '../../lib/strsignal';
export * from '../../lib/lineage';
export * from '../../lib/long-timer';
export * from '../../lib/event-time';
export { moduleDebugFlags, moduleDebugTest } from '../../lib/module-defaults';
export {
  MsgType,
  MsgFlag,
  NODEID_ANY,
  NODEID_UPSTREAM,
  Role,
  serviceOf,
  type Message,
} from '../message/message';
export { STATE_NUMBER, type BrokerState } from '../state/state-machine';
export * from '../../lib/formats';
export { PmiServer, pmiAbortNote, type PmiServerOptions } from '../../lib/pmi/server';
