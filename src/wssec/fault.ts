/**
 * SOAP 1.1 faults for refused requests, with the WS-Security fault codes
 * (`wsse:FailedCheck`, `wsse:InvalidSecurity`, `wsse:MessageExpired`).
 * @module
 */
import { isSdkError } from "../errors.js";
import { SOAP11_NS, WSS_2004 } from "./namespaces.js";

/** A fault code and the HTTP status to send it with. */
export interface SecurityFaultCode {
  /** QName for `faultcode`, e.g. `wsse:FailedCheck`. */
  faultCode: string;
  /** HTTP status: 500 for SOAP faults, 413 for oversize bodies, 503 when busy. */
  httpStatus: number;
}

const FAILED_CHECK = new Set(["WSS_BAD_DIGEST", "WSS_BAD_SIGNATURE", "WSS_UNTRUSTED_KEY"]);
const EXPIRED = new Set(["WSS_EXPIRED", "WSS_NOT_YET_VALID", "WSS_LIFETIME"]);

/**
 * Maps an error to its SOAP 1.1 fault code: signature/digest/key failures are
 * `wsse:FailedCheck`, timestamp failures `wsse:MessageExpired`, a SOAP 1.2 envelope
 * `soap:VersionMismatch`, other `WSS_*` codes `wsse:InvalidSecurity`, anything else `soap:Server`.
 */
export function securityFaultCode(err: unknown): SecurityFaultCode {
  const code = isSdkError(err) ? err.code : "";
  if (FAILED_CHECK.has(code)) return { faultCode: "wsse:FailedCheck", httpStatus: 500 };
  if (EXPIRED.has(code)) return { faultCode: "wsse:MessageExpired", httpStatus: 500 };
  if (code === "WSS_VERSION_MISMATCH") return { faultCode: "soap:VersionMismatch", httpStatus: 500 };
  if (code === "WSS_TOO_LARGE") return { faultCode: "wsse:InvalidSecurity", httpStatus: 413 };
  if (code === "WSS_BUSY") return { faultCode: "soap:Server", httpStatus: 503 };
  if (code.startsWith("WSS_")) return { faultCode: "wsse:InvalidSecurity", httpStatus: 500 };
  return { faultCode: "soap:Server", httpStatus: 500 };
}

const escapeXml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));

/**
 * Renders the SOAP 1.1 fault envelope for a refused request: `faultstring` is
 * `<code>: <reason>` (first line, at most 200 characters), never a stack. Errors that
 * are not `SdkError`s become a generic `soap:Server` fault without details.
 *
 * @example
 * ```ts
 * try { verifier.verifyRequest(text); }
 * catch (err) { res.writeHead(securityFaultCode(err).httpStatus).end(securityFault(err)); }
 * ```
 */
export function securityFault(err: unknown): string {
  const { faultCode } = securityFaultCode(err);
  const reason = isSdkError(err)
    ? `${err.code}: ${String(err.message).split("\n")[0]}`.slice(0, 200)
    : "internal error while checking message security";
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP11_NS}" xmlns:wsse="${WSS_2004.wsse}"><soap:Body><soap:Fault>` +
    `<faultcode>${faultCode}</faultcode><faultstring>${escapeXml(reason)}</faultstring>` +
    `</soap:Fault></soap:Body></soap:Envelope>`
  );
}
