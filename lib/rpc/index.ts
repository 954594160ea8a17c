/** The one RPC tracker and event subscriptions shared by the broker's handles and the client (ADR 0011). */
export * from './tracker';
export * from './events';
export { TagPool, MATCHTAG_MAX } from './tags';
