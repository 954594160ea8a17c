/**
 * The package's public API for scripts: connect to an instance and talk to it.
 *
 *   const { Client } = require('flux-ts');
 *   const h = await Client.connect();
 *   console.log(await h.getattr('size'));
 */
export { Client, DEFAULT_URI, type RpcOptions } from './client';
export { FluxError } from '../../kernel/api/errors';
export { Errno, strerror } from '../../kernel/api/errno';
export { NODEID_ANY, NODEID_UPSTREAM, type Message } from '../../kernel/message/message';
