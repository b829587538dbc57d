// SCRAM-SHA-1 (RFC 5802), SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-512, server side, without
// channel binding (no -PLUS variants). The caller looks the credentials up between start() and
// provideCredentials(); everything here is synchronous and does no I/O.
import { createHmac, randomBytes } from "node:crypto";
import { authorize } from "./authorization.js";
import { MechanismBase } from "./mechanism-base.js";
import { saslprep } from "./saslprep.js";
import { parseClientFinal, parseClientFirst, isParseFailure, type ClientFirst } from "./scram-messages.js";
import { constantTimeEqual, DEFAULT_SCRAM_ITERATIONS, hash, hashLength, hmac, SCRAM_SALT_BYTES } from "./scram-keys.js";
import type {
  SaslFailureCondition,
  SaslFailureStep,
  SaslServerMechanism,
  SaslStep,
  ScramCredentials,
  ScramMechanismName,
} from "./types.js";

export interface ScramServerOptions {
  /** The server's domain, to accept an authzid that is the user's own bare JID. */
  domain?: string;
  /** The server's part of the nonce (printable ASCII without ","); random by default. */
  nonce?: () => string;
  /**
   * Iteration count announced for unknown users: keep it equal to the count real accounts are
   * created with, or the count itself tells them apart.
   */
  fakeIterations?: number;
  /**
   * Key for the fake salts of unknown users. They must not change between restarts (or a salt
   * that changed reveals a fake), so give a persistent secret; the default lives per process.
   */
  fakeSaltSecret?: Uint8Array;
}

const processSecret = randomBytes(32);
const randomNonce = (): string => randomBytes(18).toString("base64");

type State =
  | { at: "start" }
  | { at: "client-first" }
  | { at: "credentials"; first: ClientFirst }
  | { at: "client-final"; first: ClientFirst; serverFirst: string; nonce: string; credentials: ScramCredentials; known: boolean }
  | { at: "done" };

export class ScramServerMechanism extends MechanismBase implements SaslServerMechanism {
  #state: State = { at: "start" };

  constructor(
    readonly name: ScramMechanismName,
    private readonly options: ScramServerOptions = {},
  ) {
    super();
  }

  start(initialResponse: string | undefined): SaslStep {
    if (this.#state.at !== "start") return this.unexpected();
    // RFC 6120 §6.4.2: without an initial response the server sends an empty challenge.
    if (initialResponse === undefined) {
      this.#state = { at: "client-first" };
      return { kind: "challenge", data: Buffer.alloc(0) };
    }
    return this.clientFirst(initialResponse);
  }

  respond(response: string): SaslStep {
    switch (this.#state.at) {
      case "client-first":
        return this.clientFirst(response);
      case "client-final":
        return this.clientFinal(response, this.#state);
      default:
        return this.unexpected();
    }
  }

  /** The stored credentials for the user from `need-credentials`, or null when there are none. */
  override provideCredentials(stored: ScramCredentials | null): SaslStep {
    if (this.#state.at !== "credentials") return super.provideCredentials(stored);
    const first = this.#state.first;
    // An unknown user gets a plausible challenge and fails only after the proof, so that the
    // exchange does not tell who has an account.
    const credentials = stored ?? this.fakeCredentials(first.username);
    const nonce = first.clientNonce + (this.options.nonce ?? randomNonce)();
    // RFC 5802 §7: server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count
    const serverFirst = `r=${nonce},s=${Buffer.from(credentials.salt).toString("base64")},i=${credentials.iterations}`;
    this.#state = { at: "client-final", first, serverFirst, nonce, credentials, known: stored !== null };
    return { kind: "challenge", data: Buffer.from(serverFirst) };
  }

  override fail(condition: SaslFailureCondition, text?: string): SaslFailureStep {
    this.#state = { at: "done" };
    return super.fail(condition, text);
  }

  private clientFirst(payload: string): SaslStep {
    const text = this.decodeText(payload);
    if (typeof text !== "string") return text;
    const first = parseClientFirst(text);
    if (isParseFailure(first)) return this.fail(first.error, first.text);
    // RFC 5802 §5.1: the server prepares the username with SASLprep.
    const username = saslprep(first.username);
    if (!username) return this.fail("malformed-request", "username is not allowed by SASLprep");
    this.#state = { at: "credentials", first: { ...first, username } };
    return { kind: "need-credentials", username, mechanism: this.name };
  }

  private clientFinal(payload: string, state: Extract<State, { at: "client-final" }>): SaslStep {
    const text = this.decodeText(payload);
    if (typeof text !== "string") return text;
    const final = parseClientFinal(text);
    if (isParseFailure(final)) return this.fail(final.error, final.text);

    // RFC 5802 §7: c= is base64 of the gs2-header (no channel binding data without -PLUS).
    if (!final.channelBinding.equals(Buffer.from(state.first.gs2Header))) {
      return this.fail("not-authorized", "channel binding does not match");
    }
    // RFC 5802 §5.1 r: "the server MUST verify that the nonce sent by the client in the second
    // message is the same as the one sent by the server in its first message".
    if (final.nonce !== state.nonce) return this.fail("not-authorized", "nonce does not match");

    // RFC 5802 §3: AuthMessage := client-first-message-bare + "," + server-first-message + ","
    //   + client-final-message-without-proof; ClientKey := ClientProof XOR ClientSignature;
    //   the proof is right when H(ClientKey) = StoredKey.
    const authMessage = `${state.first.bare},${state.serverFirst},${final.withoutProof}`;
    const { storedKey, serverKey } = state.credentials;
    const clientSignature = hmac(this.name, storedKey, authMessage);
    if (final.proof.length !== hashLength(this.name)) return this.fail("not-authorized");
    const clientKey = Buffer.alloc(clientSignature.length);
    for (let i = 0; i < clientKey.length; i++) clientKey[i] = final.proof[i]! ^ clientSignature[i]!;
    if (!constantTimeEqual(hash(this.name, clientKey), storedKey) || !state.known) {
      return this.fail("not-authorized");
    }

    // RFC 5802 §7: server-final-message = "v=" base64(ServerSignature), sent as additional data
    // of <success/> (RFC 6120 §6.4.6).
    const serverSignature = hmac(this.name, serverKey, authMessage);
    const data = Buffer.from(`v=${serverSignature.toString("base64")}`);
    this.#state = { at: "done" };
    return this.finish(authorize(state.first.username, state.first.authzid, this.options.domain, data));
  }

  // Deterministic per user and mechanism (a repeated probe sees the same salt), random keys.
  private fakeCredentials(username: string): ScramCredentials {
    const salt = createHmac("sha256", this.options.fakeSaltSecret ?? processSecret)
      .update(`${this.name}\0${username}`)
      .digest()
      .subarray(0, SCRAM_SALT_BYTES);
    const length = hashLength(this.name);
    return {
      salt,
      iterations: this.options.fakeIterations ?? DEFAULT_SCRAM_ITERATIONS,
      storedKey: randomBytes(length),
      serverKey: randomBytes(length),
    };
  }
}
