/** Jobspec V1 (RFC 25) types shared by the submission commands. */

export interface ResourceVertex {
  type: string;
  count: number;
  exclusive?: boolean;
  with?: ResourceVertex[];
  label?: string;
}

export interface TaskSpec {
  command: string[];
  slot: string;
  count: { per_slot: number } | { total: number };
}

export interface JobspecV1 {
  resources: ResourceVertex[];
  tasks: TaskSpec[];
  attributes: {
    system: Record<string, unknown> & {
      duration: number;
      cwd?: string;
      environment?: Record<string, string>;
      shell?: { options: Record<string, unknown> };
    };
    user?: Record<string, unknown>;
  };
  version: 1;
}

/** A user error in submission options: one line, exit 1 (usage errors are the parser's: cli/options). */
export class SubmitOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubmitOptionError';
  }
}
