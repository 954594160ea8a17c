/**
 * Base class of every `flux` sub-command. A command is its option spec
 * (`static spec`, cli/options/spec.ts: parsing, --help and the man page synopsis
 * all come from it) and a run() that reads what was parsed (`this.args`).
 *
 * It connects to the instance named by FLUX_URI, renders errors on stderr the
 * way the real command does (`flux-<cmd>: <msg>` for Flux's C tools,
 * `flux-<cmd>: ERROR: <msg>` for its Python tools) and turns them into exit
 * codes. A lost broker is one line and a non-zero exit, never a false success.
 */
import { Client } from './api/client';
import { FluxError } from '../lib/errors';
import { strerror } from '../lib/errno';
import { endCommand, nameCommand, taintProcess } from './exit';
import { chooseFormat, type FormatSet } from './named-formats';
import { HelpRequest, ParsedArgs, UsageError, errorName, parse, renderHelp, usageErrorText, type CommandSpec } from './options';

/** Thrown to stop a command with a message and an exit code. */
export class CommandExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}

export abstract class FluxCommand {
  /** the command's options and operands; every command declares its own */
  static spec: CommandSpec;

  /** what the parser found on the command line */
  protected args = new ParsedArgs();
  /** the command line it was found in (the words after the command's path) */
  protected argv: readonly string[] = [];

  private client: Client | undefined;

  protected get spec(): CommandSpec {
    return (this.constructor as typeof FluxCommand).spec;
  }

  /** the name in run-time error lines, e.g. 'flux-getattr' */
  protected get prog(): string {
    return errorName(this.spec);
  }

  /** 'c': `flux-X: msg`; 'py': `flux-X: ERROR: msg` (Flux's Python commands log through logging) */
  protected get style(): 'c' | 'py' {
    return this.spec.grammar === 'getopt' ? 'c' : 'py';
  }

  /** Connect to the instance (FLUX_URI); errors as Flux prints them. */
  protected async connect(): Promise<Client> {
    if (this.client) return this.client;
    try {
      this.client = await Client.connect();
    } catch (e) {
      // anything but a FluxError is a fault of this process, reported as the connection's failure
      if (!(e instanceof FluxError)) taintProcess(`internal error while connecting: ${(e as Error).message}`);
      throw new CommandExit(1, this.connectError(e as FluxError));
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
    if (this.style === 'py') return `${this.prog}: ERROR: Unable to connect to Flux: ${e.message}`;
    return `${this.prog}: flux_open: ${e.message}`;
  }

  /** Format an error the way this command's Flux counterpart does. */
  protected errorLine(msg: string): string {
    return this.style === 'py' ? `${this.prog}: ERROR: ${msg}` : `${this.prog}: ${msg}`;
  }

  protected fail(msg: string, code = 1): never {
    throw new CommandExit(code, this.errorLine(msg));
  }

  /**
   * The format an -o/--format value asks for (cli/named-formats): `help` and
   * `get-config=NAME` print and end the command, an unknown name fails it.
   */
  protected formatOption(value: string | undefined, set: FormatSet): string {
    const c = chooseFormat(value, set);
    if ('error' in c) this.fail(c.error);
    if ('print' in c) {
      process.stdout.write(c.print);
      throw new CommandExit(0);
    }
    return c.format;
  }

  /**
   * A usage error found after parsing (a bad operand, a bad option value that
   * Flux reports as one): argparse's two lines and exit 2, or getopt's
   * `PROG: msg` and its `Try ... --help` line, exit 1.
   */
  protected usageError(msg: string): never {
    const code = this.spec.grammar === 'getopt' ? 1 : 2;
    throw new CommandExit(code, usageErrorText(this.spec, msg).trimEnd());
  }

  /** A wrong operand count in a C command: its help on stderr, exit 1. */
  protected usage(): never {
    throw new CommandExit(1, usageErrorText(this.spec, '', true).trimEnd());
  }

  /**
   * Parse more words with this command's spec (flux batch's directives, flux
   * submit's copy per --cc id): a usage error or a help request ends the
   * command as it would on the command line.
   */
  protected reparse(argv: readonly string[]): ParsedArgs {
    try {
      return parse(this.spec, argv);
    } catch (e) {
      if (e instanceof UsageError) {
        if (e.bare && this.spec.grammar === 'getopt') throw new CommandExit(1, `${this.spec.prog}: ${e.message}`);
        this.usageError(e.message);
      }
      if (e instanceof HelpRequest) {
        const r = renderHelp(this.spec, e.topic);
        (r.stream === 'stdout' ? process.stdout : process.stderr).write(r.text);
        throw new CommandExit(r.code);
      }
      throw e;
    }
  }

  abstract run(): Promise<number | void>;

  /** Run with what the parser found in argv; the exit status. */
  async execute(args: ParsedArgs, argv: readonly string[] = []): Promise<number> {
    this.args = args;
    this.argv = argv;
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

/** A command class: its spec and a constructor. */
export type CommandClass = (new () => FluxCommand) & { readonly spec: CommandSpec };

/** Is this a command class (for the loaders that scan a command file's exports)? */
export function isCommandClass(v: unknown): v is CommandClass {
  return typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof FluxCommand && (v as { spec?: unknown }).spec !== undefined;
}
