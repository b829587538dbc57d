// SASL for XMPP streams (RFC 6120 §6): SCRAM-SHA-1/256/512 and PLAIN, server side.
export * from "./types.js";
export { decodeBase64, decodeSaslPayload, encodeSaslPayload } from "./base64.js";
export { saslprep } from "./saslprep.js";
export {
  scramCredentials,
  passwordMatches,
  constantTimeEqual,
  SaslprepError,
  DEFAULT_SCRAM_ITERATIONS,
  SCRAM_SALT_BYTES,
} from "./scram-keys.js";
export { ScramServerMechanism, type ScramServerOptions } from "./scram.js";
export { PlainServerMechanism, parsePlainMessage, type PlainServerOptions, type PlainMessage } from "./plain.js";
export { authorize } from "./authorization.js";
export {
  SASL_MECHANISMS,
  offeredMechanisms,
  createServerMechanism,
  isSaslFailure,
  type SaslServerOptions,
} from "./mechanisms.js";
export {
  NS_SASL,
  parseSaslElement,
  mechanismsElement,
  saslStepElement,
  type SaslClientMessage,
} from "./elements.js";
