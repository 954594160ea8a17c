/**
 * flux job submit [-u N] [-f FLAGS] [FILE]: submit a jobspec read from FILE or
 * stdin (`flux run --dry-run ... | flux job submit`), print its id.
 */
import * as fs from 'node:fs';
import { JobCommand } from '../../jobspec/job-command';
import { optInt } from '../../jobspec/job-options';
import { encodeF58 } from '../../../lib/formats';
import { errnoFromCode, strerror } from '../../../lib/errno';
import { CLIENT_PAYLOAD_DEPTH, MAX_FRAME } from '../../../kernel/message/limits';
import { jsonDepthExceeds } from '../../../lib/json-depth';
import type { FluxError } from '../../../lib/errors';
import type { CommandSpec } from '../../options';
import { submitJob } from '../../api/sign';


/** submit flags by name (RFC 27's FLUX_JOB_*); `signed` is Flux's pre-signed J */
const FLAGS: Record<string, number> = { debug: 2, waitable: 4, novalidate: 8, signed: 1 };
const NO_SECURITY = 'flux-ts has no flux-security: jobspecs are not signed';

export class JobSubmitCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'submit'],
    grammar: 'getopt',
    prog: 'flux-job submit',
    summary: 'Run job',
    docLine: true,
    usage: '[OPTIONS] [jobspec]',
    options: [
      { name: 'urgency', short: 'u', arg: 'N', description: 'Set job urgency (0-31), hold=0, default=16, expedite=31' },
      { name: 'flags', short: 'f', arg: 'FLAGS', repeatable: true, description: 'Set submit comma-separated flags (e.g. debug, waitable)' },
      // Flux built with flux-security signs J with these; parsed so that using one is a one-line refusal
      { name: 'security-config', short: 'c', arg: 'pattern', hidden: true, description: NO_SECURITY },
      { name: 'sign-type', short: 's', arg: 'TYPE', hidden: true, description: NO_SECURITY },
    ],
    operands: [{ name: 'jobspec', nargs: '?' }],
  };

  async run(): Promise<number> {
    const p = this.args;
    let flags = 0;
    for (const name of p.values('flags').flatMap((v) => v.split(',')).filter((v) => v !== '')) {
      const bit = FLAGS[name];
      if (bit === undefined) this.fail(`unknown flag: ${name}`);
      if (name === 'signed') this.fail(`--flags=signed: ${NO_SECURITY}`);
      flags |= bit;
    }
    for (const o of ['security-config', 'sign-type']) if (p.has(o)) this.fail(`--${o}: ${NO_SECURITY}`);
    const h = await this.connect();
    const input = p.operands[0] ?? '-';
    const text = await this.readJobspec(input);
    if (text.length === 0) this.fail('required jobspec is empty');
    const urgency = optInt('submit', p, 'urgency', 16);
    // the broker refuses a payload nested deeper than CLIENT_PAYLOAD_DEPTH, and the jobspec is one level down in it
    const maxDepth = CLIENT_PAYLOAD_DEPTH - 1;
    if (jsonDepthExceeds(text, maxDepth)) this.fail(`${input === '-' ? 'stdin' : input}: jobspec nested too deeply (more than ${maxDepth} levels)`);
    let jobspec: unknown;
    try {
      jobspec = JSON.parse(text.toString('utf8'));
    } catch (e) {
      this.fail(`${input === '-' ? 'stdin' : input}: jobspec is not JSON: ${(e as Error).message}`);
    }
    let id: number;
    try {
      id = (await submitJob(h, { jobspec, urgency, flags })).id;
    } catch (e) {
      this.fail((e as FluxError).message);
    }
    process.stdout.write(`${encodeF58(id)}\n`);
    return 0;
  }

  /** The whole of FILE ("-": stdin), at most one message's worth; errors as Flux's `FILE: strerror`. */
  private async readJobspec(name: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    const stream = name === '-' ? process.stdin : fs.createReadStream(name);
    try {
      for await (const c of stream as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > MAX_FRAME) break;
        chunks.push(c);
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (typeof code !== 'string') throw e;
      this.fail(`${name}: ${strerror(errnoFromCode(code))}`);
    }
    if (size > MAX_FRAME) {
      stream.destroy();
      this.fail(`${name}: jobspec is larger than ${MAX_FRAME} bytes`);
    }
    return Buffer.concat(chunks);
  }
}
