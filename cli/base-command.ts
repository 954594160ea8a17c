/**
 * Base class of every `flux` sub-command: connects to the instance named by
 * FLUX_URI, renders errors on stderr the way the real command does
 * (`flux-<cmd>: <msg>` for Flux's C tools, `flux-<cmd>: ERROR: <msg>` for its
 * Python tools) and turns them into exit codes. A lost broker is one line and a
 * non-zero exit, never a false success.
 */
import { Command } from 'clipanion';
import { Client } from './api/client';
import { FluxError } from '../kernel/api/errors';
import { strerror } from '../kernel/api/errno';
import { endCommand, nameCommand } from './exit';

/** Thrown to stop a command with a message and an exit code. */
export class CommandExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}

export abstract class FluxCommand extends Command {
  /** 'c': `flux-X: msg`, usage errors exit 1; 'py': `flux-X: ERROR: msg`, usage errors exit 2 */
  static fluxStyle: 'c' | 'py' = 'c';
  /** program name used in error messages, e.g. 'flux-getattr' */
  static prog = 'flux';
  /** one-line usage shown for wrong argument counts, e.g. 'Usage: flux getattr name' */
  static usageLine = '';

  private client: Client | undefined;

  protected get prog(): string {
    return (this.constructor as typeof FluxCommand).prog;
  }

  /** Connect to the instance (FLUX_URI); errors as Flux prints them. */
  protected async connect(): Promise<Client> {
    if (this.client) return this.client;
    try {
      this.client = await Client.connect();
    } catch (e) {
      const fe = e as FluxError;
      throw new CommandExit(1, this.connectError(fe));
    }
    this.client.onLost((e) => this.connectionLost(e));
    return this.client;
  }

  /**
   * The broker went away while the command ran: one line and status 1, by
   * default. A command that expects it (flux shutdown) overrides this.
   */
  protected connectionLost(e: FluxError): void {
    process.stderr.write(`${this.prog}: ${e.message}\n`);
    endCommand(1);
  }

  /** The connection-failure line; commands may override (C built-ins print `flux: flux_open: ...`). */
  protected connectError(e: FluxError): string {
    const style = (this.constructor as typeof FluxCommand).fluxStyle;
    if (style === 'py') return `${this.prog}: ERROR: Unable to connect to Flux: ${e.message}`;
    return `${this.prog}: flux_open: ${e.message}`;
  }

  /** Format an error the way this command's Flux counterpart does. */
  protected errorLine(msg: string): string {
    const style = (this.constructor as typeof FluxCommand).fluxStyle;
    return style === 'py' ? `${this.prog}: ERROR: ${msg}` : `${this.prog}: ${msg}`;
  }

  protected fail(msg: string, code = 1): never {
    throw new CommandExit(code, this.errorLine(msg));
  }

  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    nameCommand(this.prog);
    try {
      const rc = await this.run();
      return rc ?? 0;
    } catch (e) {
      if (e instanceof CommandExit) {
        if (e.message) process.stderr.write(e.message + '\n');
        return e.code;
      }
      if (e instanceof FluxError) {
        process.stderr.write(this.errorLine(e.message || strerror(e.errno)) + '\n');
        return 1;
      }
      throw e;
    } finally {
      this.client?.close();
    }
  }
}
