/** Why a job submitted to the WorkerPool did not produce a result. */
export type JobErrorCode = "JOB_THREW" | "JOB_TIMEOUT" | "WORKER_DIED" | "UNKNOWN_JOB" | "POOL_CLOSED";

/**
 * A job's failure, delivered only to the caller that submitted it. For JOB_THREW the message is the
 * job's own error message, and `originalName` / `originalStack` are the thrown error's name and stack.
 */
export class JobError extends Error {
  override readonly name = "JobError";

  constructor(
    readonly job: string,
    readonly code: JobErrorCode,
    message: string,
    readonly originalName?: string,
    readonly originalStack?: string,
  ) {
    super(message);
  }
}
