/**
 * SOAP fault → {@link SoapFaultError}. The server's `CommunicationFault` detail gives the
 * stable code and whether a resend can succeed, for WS-Security refusals too; faults
 * without that detail (older reference servers, other WS-Security stacks) fall back to a
 * `WSS_…:` prefix of the fault string, then to the `wsse:` fault code
 * (`wsse:FailedCheck`, `wsse:InvalidSecurity`, `wsse:MessageExpired`… become `WSS_*` codes).
 * @module
 */
import { X509Certificate } from "node:crypto";
import { SOAP_FAULT_ERROR_CODES } from "../error-codes.js";
import { SoapFaultError, type SoapFaultErrorCode, TransportError } from "../errors.js";
import { type ParsedFault, SOAP12_NAMESPACE } from "./envelope.js";
import { readXml, textContent, type XmlElement } from "./xml-reader.js";

const WSSE_NAMESPACES = new Set([
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  "http://schemas.xmlsoap.org/ws/2003/06/secext",
  "http://schemas.xmlsoap.org/ws/2002/07/secext",
]);

/** The fault codes of WS-Security 1.0 (SOAP Message Security 1.0, §12, tables 4 and 5). */
const WSSE_FAULT_CODES: Readonly<Record<string, SoapFaultErrorCode>> = {
  UnsupportedSecurityToken: "WSS_UNSUPPORTED_SECURITY_TOKEN",
  UnsupportedAlgorithm: "WSS_UNSUPPORTED_ALGORITHM",
  InvalidSecurity: "WSS_INVALID_SECURITY",
  InvalidSecurityToken: "WSS_INVALID_SECURITY_TOKEN",
  FailedAuthentication: "WSS_FAILED_AUTHENTICATION",
  FailedCheck: "WSS_FAILED_CHECK",
  SecurityTokenUnavailable: "WSS_SECURITY_TOKEN_UNAVAILABLE",
  MessageExpired: "WSS_MESSAGE_EXPIRED",
};

/**
 * The SDK code of a WS-Security fault code (SOAP Message Security 1.0 §12), or undefined
 * when `faultCode` is not one.
 * @example
 * ```ts
 * wssCodeOf("wsse:MessageExpired"); // "WSS_MESSAGE_EXPIRED"
 * ```
 */
export function wssCodeOf(faultCode: string, faultCodeNamespace?: string): SoapFaultErrorCode | undefined {
  const colon = faultCode.indexOf(":");
  const prefix = colon < 0 ? "" : faultCode.slice(0, colon);
  const local = faultCode.slice(colon + 1);
  const isWsse =
    faultCodeNamespace !== undefined ? WSSE_NAMESPACES.has(faultCodeNamespace) : prefix === "wsse";
  if (!isWsse || !Object.hasOwn(WSSE_FAULT_CODES, local)) return undefined;
  return WSSE_FAULT_CODES[local];
}

const MAX_REASON = 300;

/**
 * The facts an operator needs to trust a signing certificate, from its PEM: subject and
 * SHA-256 thumbprint (the certificate's DER digest, colon-separated hex as `openssl x509
 * -fingerprint -sha256` prints it).
 */
export function signingCertificateFacts(pem: string): string {
  try {
    const cert = new X509Certificate(pem);
    return `this client signs with "${cert.subject.replace(/\n/g, ", ")}", SHA-256 ${cert.fingerprint256}`;
  } catch {
    return "this client's signing certificate cannot be read";
  }
}

/**
 * Builds the error a caller sees for a fault the server sent with HTTP `status`. The code
 * comes from the `CommunicationFault` detail (every fault of the reference server carries
 * one), else from a `WSS_…:` prefix of the fault string (what older reference servers sent
 * for security faults), else from a `wsse:` fault code. Without a `Retryable`
 * detail, only a fault sent with 503 or 429 (server busy) is retryable. A code this SDK
 * does not know (docs/error-codes.md) becomes `SOAP_FAULT`, the server's code kept in the message.
 * A `WSS_UNTRUSTED_KEY` names the signing certificate (`context.signingCertificatePem`): its
 * subject and SHA-256 thumbprint, what the server's operator needs to trust it.
 */
export function faultToError(
  fault: ParsedFault,
  status: number,
  context: { signingCertificatePem?: string | undefined } = {},
): SoapFaultError {
  const fromString = /^(WSS_[A-Z0-9_]+):/.exec(fault.faultString)?.[1];
  const wire = fault.detail?.code ?? fromString;
  const known = wire !== undefined && SOAP_FAULT_ERROR_CODES.has(wire);
  const code: SoapFaultErrorCode =
    (known ? (wire as SoapFaultErrorCode) : undefined) ??
    wssCodeOf(fault.faultCode, fault.faultCodeNamespace) ??
    "SOAP_FAULT";
  const unknownCode = wire !== undefined && !known ? ` [server code ${wire}]` : "";
  // Our verifier's fault strings start with the code: the code is printed once, by toLine().
  const text = fault.faultString.startsWith(`${code}: `)
    ? fault.faultString.slice(code.length + 2)
    : fault.faultString;
  const reason = text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text;
  const field = fault.detail?.field === undefined ? "" : ` (field ${fault.detail.field})`;
  const untrusted =
    code === "WSS_UNTRUSTED_KEY" && context.signingCertificatePem
      ? ` — ${signingCertificateFacts(context.signingCertificatePem)}: ask the server's operator to trust this certificate (reference server: \`esol server --trust <cert.pem>\`)`
      : "";
  return new SoapFaultError(
    code,
    `the server refused the request: ${reason || fault.faultCode || "SOAP fault"}${field}${unknownCode}${untrusted}`,
    {
      faultCode: fault.faultCode,
      status,
      retryable: fault.detail?.retryable ?? (status === 503 || status === 429),
    },
  );
}

/**
 * The error for an answer in SOAP 1.2 (its Envelope in `http://www.w3.org/2003/05/soap-envelope`,
 * SOAP 1.2 Part 1 §5.1) to this client's SOAP 1.1 request, or undefined when `text` is not one.
 * Either way a `TransportError` `BAD_RESPONSE`, not retryable (a resend is the same SOAP 1.1
 * request), whose message says the endpoint speaks SOAP 1.2 and, for a SOAP 1.2 Fault (Part 1
 * §5.4, typically `env:VersionMismatch`), shows its Code/Subcode values and first `Reason/Text`.
 * It is a failure of the endpoint, not a refusal of this message: it carries no HTTP `status`
 * (so an agent does not park the message as refused, see `isPermanent`) and no fault of the
 * server's own (an unsigned SOAP 1.2 body cannot pass for a verified server fault).
 */
export function soap12AnswerError(text: string, status: number): TransportError | undefined {
  let root: XmlElement;
  try {
    root = readXml(text, status);
  } catch {
    return undefined;
  }
  if (root.local !== "Envelope" || root.ns !== SOAP12_NAMESPACE) return undefined;
  const child = (el: XmlElement | undefined, local: string) =>
    el?.children.find((k) => k.local === local && k.ns === SOAP12_NAMESPACE);
  const fault = child(child(root, "Body"), "Fault");
  if (!fault) {
    return new TransportError(
      "BAD_RESPONSE",
      `the server answered in SOAP 1.2 (HTTP ${status}); this client speaks SOAP 1.1 — check the endpoint (a SOAP 1.1 port of the WSDL)`,
      { retryable: false },
    );
  }
  const codes: string[] = [];
  for (let c = child(fault, "Code"); c && codes.length < 8; c = child(c, "Subcode")) {
    const value = child(c, "Value");
    if (value) codes.push(textContent(value).trim());
  }
  const reasonText = child(child(fault, "Reason"), "Text");
  const reason = reasonText ? textContent(reasonText).replace(/\s+/g, " ").trim() : "";
  const shown = reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason;
  return new TransportError(
    "BAD_RESPONSE",
    `the server answered in SOAP 1.2 with a fault to this SOAP 1.1 request (HTTP ${status}): Code ${codes.join(" / ") || "(none)"}${shown ? `, Reason ${JSON.stringify(shown)}` : ""} — check the endpoint (a SOAP 1.1 port of the WSDL)`,
    { retryable: false },
  );
}
