/**
 * SOAP 1.1 faults of the reference server. Every fault carries a
 * `detail/CommunicationFault { Code, Retryable, Field }` (see the WSDL), a short
 * `faultstring`, never a stack trace and never more than a short excerpt of the input.
 * @module
 */
import { isSdkError, SdkError, type SdkErrorCode } from "../errors.js";
import { SERVICE_NAMESPACE, SOAP11_NAMESPACE } from "../soap/envelope.js";
import { decodeEnvelope } from "../wssec/charset.js";
import { securityFaultCode, securityFaultReason } from "../wssec/fault.js";

const WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

/** Longest `faultstring` the server sends; longer reasons are cut (no long echo of input). */
const MAX_REASON_CHARS = 240;
const MAX_FIELD_CHARS = 120;

/** Options of {@link CommunicationFaultError}. */
export interface CommunicationFaultOptions {
  /** The request field at fault, e.g. `Read[3].Meter[0].Value`. */
  field?: string;
  /** Whether resending the same message later may succeed. Default false. */
  retryable?: boolean;
  /** SOAP 1.1 `faultcode`. Default `soap:Client`, or `soap:Server` when retryable. */
  faultCode?: string;
  /** HTTP status carrying the fault. Default 500 (SOAP 1.1 over HTTP). */
  httpStatus?: number;
  /** The lower-level error (logged, never sent). */
  cause?: unknown;
}

/**
 * A request the server refuses with a SOAP fault. `code` is the stable code sent in
 * `detail/CommunicationFault/Code` (`INVALID_VALUE`, `UNKNOWN_DEVICE`, `UNKNOWN_PROXY`,
 * `UNKNOWN_OPERATION`, `INVALID_XML`, `SOAP_VERSION_MISMATCH`, `REQUEST_TOO_LARGE`, `INTERNAL`, …).
 *
 * @example
 * ```ts
 * throw new CommunicationFaultError("UNKNOWN_DEVICE", "device X1 is not registered", { field: "Read[0].Serial" });
 * ```
 */
export class CommunicationFaultError extends SdkError {
  /** The request field at fault, when one is. */
  readonly field: string | undefined;
  /** SOAP 1.1 `faultcode` (QName with the `soap:` or `wsse:` prefix). */
  readonly faultCode: string;
  /** HTTP status the fault is sent with. */
  readonly httpStatus: number;

  constructor(code: SdkErrorCode, message: string, options: CommunicationFaultOptions = {}) {
    const retryable = options.retryable ?? false;
    super(code, message, options.cause === undefined ? { retryable } : { retryable, cause: options.cause });
    this.field = options.field;
    this.faultCode = options.faultCode ?? (retryable ? "soap:Server" : "soap:Client");
    this.httpStatus = options.httpStatus ?? 500;
  }
}

/** Escapes text for an XML element. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : c === '"' ? "&quot;" : "&apos;",
  );
}

/** Cuts `text` to at most `max` characters and drops control characters, for safe echoing. */
export function shorten(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, " ");
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/**
 * Builds the SOAP 1.1 fault envelope for `fault`.
 * @example
 * ```ts
 * res.end(faultEnvelope(new CommunicationFaultError("INVALID_XML", "malformed XML")));
 * ```
 */
export function faultEnvelope(fault: CommunicationFaultError): string {
  const wsse = fault.faultCode.startsWith("wsse:") ? ` xmlns:wsse="${WSSE_NS}"` : "";
  const field =
    fault.field === undefined ? "" : `<Field>${escapeXml(shorten(fault.field, MAX_FIELD_CHARS))}</Field>`;
  return (
    `<soap:Envelope xmlns:soap="${SOAP11_NAMESPACE}"${wsse}><soap:Body><soap:Fault>` +
    `<faultcode>${fault.faultCode}</faultcode>` +
    `<faultstring>${escapeXml(shorten(fault.message, MAX_REASON_CHARS))}</faultstring>` +
    `<detail><tns:CommunicationFault xmlns:tns="${SERVICE_NAMESPACE}">` +
    `<Code>${escapeXml(shorten(fault.code, 64))}</Code><Retryable>${fault.retryable}</Retryable>${field}` +
    `</tns:CommunicationFault></detail></soap:Fault></soap:Body></soap:Envelope>`
  );
}

/**
 * The fault for a `WS-Security` refusal (`WSS_*` code), from the one table in
 * `wssec/fault.ts` ({@link securityFaultCode}: fault code, HTTP status, retryable) with the
 * same `CommunicationFault` detail every other fault carries, so clients read the code from
 * `detail/CommunicationFault/Code`. The `faultstring` keeps its `WSS_…: reason` form for
 * clients of older servers, which parsed the code from it.
 */
export function securityFaultFor(err: SdkError): CommunicationFaultError {
  const { faultCode, httpStatus, retryable } = securityFaultCode(err);
  return new CommunicationFaultError(err.code, securityFaultReason(err), {
    faultCode,
    httpStatus,
    retryable,
  });
}

/**
 * The request text by wssec's charset rule (UTF-8 or UTF-16, BOM and declaration agreeing,
 * see `decodeEnvelope`), refused with HTTP 415 otherwise. The one rule for the server and
 * `esol verify`, which reports the same `UNSUPPORTED_MEDIA_TYPE` code and answer.
 * @param contentType The request's `Content-Type` header, when there is one.
 * @throws CommunicationFaultError `UNSUPPORTED_MEDIA_TYPE` (HTTP 415).
 * @example
 * ```ts
 * const text = decodeRequestBody(body, req.headers["content-type"]);
 * ```
 */
export function decodeRequestBody(body: Uint8Array, contentType: string | undefined): string {
  try {
    return decodeEnvelope(body, contentType).text;
  } catch (err) {
    if (isSdkError(err) && err.code === "WSS_UNSUPPORTED_CHARSET")
      throw new CommunicationFaultError("UNSUPPORTED_MEDIA_TYPE", err.message, {
        httpStatus: 415,
        cause: err,
      });
    throw err;
  }
}
