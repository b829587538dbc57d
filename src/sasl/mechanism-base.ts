// What every server mechanism shares: payload decoding, "finished" bookkeeping, fail().
import { decodeSaslPayload, decodeUtf8 } from "./base64.js";
import {
  saslFailure,
  type SaslFailureCondition,
  type SaslFailureStep,
  type SaslMechanismName,
  type SaslStep,
  type ScramCredentials,
} from "./types.js";

export abstract class MechanismBase {
  abstract readonly name: SaslMechanismName;
  #finished = false;

  get finished(): boolean {
    return this.#finished;
  }

  fail(condition: SaslFailureCondition, text?: string): SaslFailureStep {
    return this.finish(saslFailure(condition, text));
  }

  provideCredentials(_credentials: ScramCredentials | null): SaslStep {
    throw new Error(`${this.name}: provideCredentials() was not asked for`);
  }

  verified(_ok: boolean): SaslStep {
    throw new Error(`${this.name}: verified() was not asked for`);
  }

  /** Marks the exchange over when `step` is success or failure. */
  protected finish<S extends SaslStep>(step: S): S {
    if (step.kind === "success" || step.kind === "failure") this.#finished = true;
    return step;
  }

  /**
   * The text a wire payload carries, or the failure to send. RFC 6120 §6.5.2 incorrect-encoding:
   * "the base 64 encoding is incorrect"; text that is not UTF-8 is a malformed request.
   */
  protected decodeText(payload: string): string | SaslFailureStep {
    const bytes = decodeSaslPayload(payload);
    if (!bytes) return this.fail("incorrect-encoding");
    const text = decodeUtf8(bytes);
    return text ?? this.fail("malformed-request", "not UTF-8");
  }

  /** A response that arrives when none is expected (or after the end) ends the exchange. */
  protected unexpected(): SaslFailureStep {
    return this.fail("malformed-request", "unexpected response");
  }
}
