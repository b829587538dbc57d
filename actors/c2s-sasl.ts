import { Element } from "ltx";
import type { ConnectionEvent } from "../machines/connection.js";
import { Jid } from "../src/jid.js";
import {
  createServerMechanism, isSaslFailure, NS_SASL, parseSaslElement,
  type SaslMechanismName, type SaslServerMechanism, type SaslServerOptions, type SaslStep,
} from "../src/sasl/index.js";
import type { Server } from "../src/server.js";

type SaslEvent = Extract<ConnectionEvent, { type: "sasl.challenge" | "sasl.success" | "sasl.failure" }>;

/** What decides the mechanisms of one stream: TLS on or not, plaintext allowed, the domain. */
export interface SaslStreamState {
  secure: boolean;
  plaintextAllowed: boolean;
  domain?: string;
}

/**
 * One connection's SASL exchanges (RFC 6120 §6): mechanism steps become the statechart's
 * `sasl.*` events; credential lookups go to the worker pool; failures feed the auth throttle.
 */
export class SaslNegotiation {
  private mechanism: SaslServerMechanism | undefined;
  /** The account the running exchange is for (counted by the auth throttle on failure). */
  private account: string | undefined;
  private secure = false;

  constructor(
    private readonly server: Server,
    private readonly ip: string,
    private readonly connectionId: string,
    private readonly send: (event: SaslEvent) => void,
  ) {}

  /** `<auth/>` (RFC 6120 §6.4.2). */
  start(auth: Element, state: SaslStreamState): void {
    const message = parseSaslElement(auth);
    if (message?.kind !== "auth") return this.step({ kind: "failure", condition: "malformed-request" });
    const mechanism = createServerMechanism(message.mechanism, saslOptions(this.server, state));
    if (isSaslFailure(mechanism)) return this.step(mechanism);
    this.mechanism = mechanism;
    this.secure = state.secure;
    this.step(mechanism.start(message.initialResponse));
  }

  /** `<response/>` (RFC 6120 §6.4.3). */
  respond(response: Element): void {
    const message = parseSaslElement(response);
    if (!this.mechanism || message?.kind !== "response") return this.step({ kind: "failure", condition: "malformed-request" });
    this.step(this.mechanism.respond(message.data));
  }

  /** The exchange is over (a `<failure/>` went out): late lookups are ignored. */
  abandon(): void {
    this.mechanism = undefined;
  }

  private step(step: SaslStep): void {
    const mechanism = this.mechanism;
    switch (step.kind) {
      case "challenge":
        return this.send({ type: "sasl.challenge", data: step.data.toString("base64") });
      case "success":
        this.mechanism = undefined;
        this.server.log.info("authenticated", { id: this.connectionId, username: step.username, mechanism: mechanism?.name, secure: this.secure });
        return this.send({ type: "sasl.success", username: step.username, data: step.data?.toString("base64") });
      case "failure":
        if (step.condition !== "aborted" && step.condition !== "temporary-auth-failure") this.server.authThrottle.failed(this.ip, this.account);
        this.account = undefined;
        return this.send({ type: "sasl.failure", condition: step.condition, text: step.text });
    }
    // Storage lookups: refused at once while this address or account is throttled.
    const account = (this.account = accountName(step.username, this.server.domains[0]));
    if (this.server.authThrottle.blocked(this.ip, account)) {
      return this.step(mechanism!.fail("temporary-auth-failure", "too many failed attempts; try later"));
    }
    switch (step.kind) {
      case "need-credentials":
        return this.server.pool.submit("accounts.credentials", { username: account, mechanism: step.mechanism }, (err, creds) => {
          if (this.mechanism !== mechanism) return; // aborted meanwhile
          this.step(err ? mechanism!.fail("temporary-auth-failure") : mechanism!.provideCredentials(creds as never));
        });
      case "verify-plain":
        return this.server.pool.submit("accounts.verifyPlain", { username: account, password: step.password }, (err, ok) => {
          if (this.mechanism !== mechanism) return;
          this.step(err ? mechanism!.fail("temporary-auth-failure") : mechanism!.verified(ok === true));
        });
    }
  }
}

/** The SASL settings of one stream, from the server's config and the stream's state. */
export function saslOptions(server: Server, state: SaslStreamState): SaslServerOptions {
  return {
    secure: state.secure,
    enabled: server.config.sasl.mechanisms as SaslMechanismName[],
    allowPlainWithoutTls: state.plaintextAllowed,
    domain: state.domain ?? server.domains[0],
    // Unknown users get fake credentials with the same iteration count as real ones.
    fakeIterations: server.config.sasl.scram_iterations,
    ...(server.fakeSaltSecret ? { fakeSaltSecret: server.fakeSaltSecret } : {}),
  };
}

/** Accounts are stored under the JID-normalised local part (RFC 7622 §3.3: case-folded). */
function accountName(username: string, domain: string): string {
  try {
    return new Jid(username, domain).local;
  } catch {
    return username; // not a valid local part: the lookup simply finds nothing
  }
}

/** `<failure/>` with one defined condition and an optional `<text/>` (RFC 6120 §6.4.5). */
export function saslFailureElement(condition: string, text?: string): Element {
  const failure = new Element("failure", { xmlns: NS_SASL });
  failure.c(condition);
  if (text) failure.c("text", { "xml:lang": "en" }).t(text);
  return failure;
}
