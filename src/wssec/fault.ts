/**
 * The one table of WS-Security refusals: for each `WSS_*` code the SOAP 1.1 fault code
 * (WS-Security 1.0 §12 `wsse:FailedCheck`, `wsse:InvalidSecurity`, `wsse:MessageExpired`),
 * the HTTP status it is sent with, whether a resend can succeed, and what it means. The
 * reference server's faults (`server/faults.ts`), {@link securityFault} and `esol verify`
 * all read it.
 * @module
 */
import { isSdkError } from "../errors.js";
import { SOAP11_NS, WSS_2004 } from "./namespaces.js";

/** How a refusal is answered: a fault code, the HTTP status to send it with, and more. */
export interface SecurityFaultCode {
  /** QName for `faultcode`, e.g. `wsse:FailedCheck`. */
  faultCode: string;
  /**
   * HTTP status: 500 for SOAP faults (SOAP 1.1 §6.2), 413 for oversize bodies
   * (RFC 9110 §15.5.14), 503 when busy (RFC 9110 §15.6.4).
   */
  httpStatus: number;
  /** Whether resending the same message later may succeed (only a busy replay cache). */
  retryable: boolean;
  /** What the code means, one line (the same words as docs/error-codes.md). */
  summary: string;
}

const failedCheck = (summary: string): SecurityFaultCode => ({
  faultCode: "wsse:FailedCheck",
  httpStatus: 500,
  retryable: false,
  summary,
});
const expired = (summary: string): SecurityFaultCode => ({
  faultCode: "wsse:MessageExpired",
  httpStatus: 500,
  retryable: false,
  summary,
});
const invalid = (summary: string, httpStatus = 500): SecurityFaultCode => ({
  faultCode: "wsse:InvalidSecurity",
  httpStatus,
  retryable: false,
  summary,
});

/**
 * Every `WSS_*` code the verifier, the signer and the server raise, with its answer.
 * Signature, digest and key failures are `wsse:FailedCheck`; timestamp failures
 * `wsse:MessageExpired`; a header that is missing, malformed, outside the profile, replayed
 * or too large `wsse:InvalidSecurity`; a SOAP 1.2 envelope `soap:VersionMismatch` (SOAP 1.1
 * §4.4.1); a full replay cache `soap:Server` with 503, retryable.
 */
export const SECURITY_FAULTS: Readonly<Record<string, SecurityFaultCode>> = Object.freeze({
  WSS_UNSIGNED: invalid("the request has no signature and the server requires one"),
  WSS_UNTRUSTED_KEY: failedCheck("signed by a certificate the server does not trust"),
  WSS_BAD_DIGEST: failedCheck("a signed part (Body or Timestamp) was changed after signing"),
  WSS_BAD_SIGNATURE: failedCheck("the signature value does not verify with the trusted key"),
  WSS_EXPIRED: expired("the Timestamp's Expires is past (beyond the allowed skew)"),
  WSS_NOT_YET_VALID: expired("the Timestamp's Created is in the future (beyond the allowed skew)"),
  WSS_LIFETIME: expired("Expires − Created is longer than the server allows"),
  WSS_REPLAY: invalid("this exact signed message was already accepted"),
  WSS_BUSY: {
    faultCode: "soap:Server",
    httpStatus: 503,
    retryable: true,
    summary: "the replay cache is full; retry later",
  },
  WSS_WRAPPING: invalid("the references are not exactly the envelope's Body and the header's Timestamp"),
  WSS_ALGORITHM: invalid("an algorithm outside the profile"),
  WSS_MALFORMED: invalid("the security header or the XML is malformed"),
  WSS_NAMESPACE: invalid("a Security header in a namespace that is not accepted"),
  WSS_VERSION_MISMATCH: {
    faultCode: "soap:VersionMismatch",
    httpStatus: 500,
    retryable: false,
    summary: "not a SOAP 1.1 envelope",
  },
  WSS_TOO_LARGE: invalid("the envelope exceeds the verifier's size limit", 413),
  // The server answers this one before verification as 415 UNSUPPORTED_MEDIA_TYPE; the entry
  // is what `esol verify --fault` and securityFault() say for it (RFC 9110 §15.5.16).
  WSS_UNSUPPORTED_CHARSET: invalid(
    "the body is not UTF-8 or UTF-16, or its charset declarations disagree",
    415,
  ),
  WSS_INTERNAL: invalid("the verifier failed unexpectedly"),
});

const OTHER_WSS = invalid("the message failed a WS-Security check");
const NOT_SECURITY: SecurityFaultCode = {
  faultCode: "soap:Server",
  httpStatus: 500,
  retryable: false,
  summary: "internal error while checking message security",
};

/**
 * Looks an error up in {@link SECURITY_FAULTS}: a `WSS_*` code not in the table is
 * `wsse:InvalidSecurity` with 500; anything that is not an `SdkError` with a `WSS_*`
 * code is `soap:Server` with 500.
 * @example
 * ```ts
 * securityFaultCode(new SecurityError("WSS_TOO_LARGE", "…")); // { faultCode: "wsse:InvalidSecurity", httpStatus: 413, … }
 * ```
 */
export function securityFaultCode(err: unknown): SecurityFaultCode {
  const code = isSdkError(err) ? err.code : "";
  if (!code.startsWith("WSS_")) return NOT_SECURITY;
  return Object.hasOwn(SECURITY_FAULTS, code) ? (SECURITY_FAULTS[code] as SecurityFaultCode) : OTHER_WSS;
}

/** Longest `faultstring` of a security fault. */
const MAX_REASON_CHARS = 200;

/**
 * The `faultstring` of a refusal: `<code>: <reason>` (the reason's first line, at most 200
 * characters in all), or a generic text for an error that is not an `SdkError`. Clients of
 * servers that send no `CommunicationFault` detail read the code from this prefix.
 */
export function securityFaultReason(err: unknown): string {
  return isSdkError(err)
    ? `${err.code}: ${String(err.message).split("\n")[0]}`.slice(0, MAX_REASON_CHARS)
    : NOT_SECURITY.summary;
}

const escapeXml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));

/**
 * Renders the SOAP 1.1 fault envelope for a refused request, for a server of your own
 * around the verifier: fault code from {@link securityFaultCode}, `faultstring` from
 * {@link securityFaultReason}, never a stack. (The reference server sends the same fault
 * with its contract's `CommunicationFault` detail added.)
 *
 * @example
 * ```ts
 * try { verifier.verifyRequest(text); }
 * catch (err) { res.writeHead(securityFaultCode(err).httpStatus).end(securityFault(err)); }
 * ```
 */
export function securityFault(err: unknown): string {
  const { faultCode } = securityFaultCode(err);
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP11_NS}" xmlns:wsse="${WSS_2004.wsse}"><soap:Body><soap:Fault>` +
    `<faultcode>${faultCode}</faultcode><faultstring>${escapeXml(securityFaultReason(err))}</faultstring>` +
    `</soap:Fault></soap:Body></soap:Envelope>`
  );
}
