/**
 * The security hook of {@link CommunicationClient} and of the reference server. The
 * WS-Security signer and verifier (`src/wssec/`) implement these interfaces; the SOAP
 * layer knows nothing about XML signatures.
 * @module
 */

/** What a security object is told about the message it secures or checks. */
export interface SecurityContext {
  /** WSDL operation name, e.g. `SubmitBillingReads`. */
  operation: string;
  /** 1 for the first attempt, 2 for the first retry, ... (a fresh timestamp per attempt). */
  attempt: number;
}

/**
 * Client-side message security. `secureRequest` is called once per attempt, inside the
 * retry loop, with the complete SOAP envelope; it returns the envelope to put on the
 * wire (e.g. with a `wsse:Security` header). `verifyResponse`, when present, checks
 * the response envelope and throws a `SecurityError` if it must not be trusted.
 */
export interface MessageSecurity {
  /** Returns the envelope to send for this attempt (e.g. with a fresh signed `wsu:Timestamp`). */
  secureRequest(envelope: string, context: SecurityContext): string | Promise<string>;
  /** Throws a `SecurityError` when the response envelope must not be trusted. */
  verifyResponse?(envelope: string, context: SecurityContext): void | Promise<void>;
}

/** The identity a verifier established for a request. */
export interface VerifiedSender {
  /** SHA-256 thumbprint (hex) of the certificate whose key verified the signature. */
  thumbprintSha256: string;
  /** Subject DN of that certificate. */
  subject: string;
  /** The certificate, PEM. */
  certificatePem: string;
}

/**
 * Server-side request verification, run on the raw request text before any SOAP
 * parsing. Throws a `SecurityError` (code `WSS_*`) to refuse the request.
 */
export interface RequestVerifier {
  /** Returns who signed the request (undefined when unsigned requests are allowed), or throws `SecurityError`. */
  verifyRequest(envelope: string): VerifiedSender | undefined | Promise<VerifiedSender | undefined>;
}
