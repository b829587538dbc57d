/** Registration-time errors, each with a stable code (fastify-style) so callers can branch on it. */
export type PhaseErrorCode =
  | "BAD_EXPRESSION"
  | "UNKNOWN_HANDLER"
  | "DUPLICATE_HANDLER"
  | "DUPLICATE_PHASE"
  | "UNKNOWN_PHASE"
  | "BAD_PHASE";

export class PhaseError extends Error {
  constructor(readonly code: PhaseErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "PhaseError";
  }
}
