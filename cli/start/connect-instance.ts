/**
 * The broker's way to reach another instance (kernel/api ConnectInstance):
 * the client library the `flux` command uses, lent to the kernel, which has
 * none of its own; a nested instance's resource module reads its job's R
 * through it.
 */
import type { ConnectInstance } from '../../kernel/api';
import { Client } from '../api/client';

export const connectInstance: ConnectInstance = (uri) => Client.connect(uri);
