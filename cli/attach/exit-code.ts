/**
 * The exit-code chain's last link (jobs.md §11): a `finish` wait status becomes
 * flux-job attach's exit code and its summary line.
 */
import { strsignal } from '../../lib/strsignal';

export interface JobResult {
  code: number;
  /** line to print on stderr (without the `flux-job: ` prefix), if any */
  line?: string;
}

/** wait status (exit code << 8, or a signal number) -> exit code and summary */
export function resultOf(status: number): JobResult {
  const sig = status & 0x7f;
  if (sig !== 0) return { code: 128 + sig, line: `job shell ${strsignal(sig)}` };
  const code = (status >> 8) & 0xff;
  if (code > 128) return { code, line: `task(s) ${strsignal(code - 128)}` };
  if (code > 0) return { code, line: `task(s) exited with exit code ${code}` };
  return { code: 0 };
}
