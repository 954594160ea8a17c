/**
 * The PMI-1 client interface the broker bootstraps with (pmi.md). The wire
 * implementation lives in pmi-client.ts; the overlay's tree factory only sees this.
 */
export interface PmiClient {
  readonly rank: number;
  readonly size: number;
  /** PMI kvsname (the enclosing job id when launched by Flux) */
  readonly kvsname: string;
  /** appnum, universe size etc. are not needed by the broker */
  put(key: string, value: string): Promise<void>;
  /** commit puts and wait for every rank (PMI_Barrier) */
  barrier(): Promise<void>;
  /** read a value; rejects with FluxError(ENOENT) if absent */
  get(key: string): Promise<string>;
  /** PMI_Abort: tell the launcher to kill the job */
  abort(code: number, msg: string): Promise<void>;
  finalize(): Promise<void>;
}

/** Variables that say a launcher meant this process to be part of something bigger. */
export const LAUNCHER_PREFIXES = ['PMI_', 'SLURM_', 'OMPI_', 'PMIX_', 'HYDRA_', 'MPIR_', 'PALS_'];
