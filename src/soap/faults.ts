/**
 * SOAP fault → {@link SoapFaultError}. The server's `CommunicationFault` detail gives the
 * stable code and whether a resend can succeed, for WS-Security refusals too; faults
 * without that detail (older reference servers, other WS-Security stacks) fall back to a
 * `WSS_…:` prefix of the fault string, then to the `wsse:` fault code
 * (`wsse:FailedCheck`, `wsse:InvalidSecurity`, `wsse:MessageExpired`… become `WSS_*` codes).
 * @module
 */
import { SoapFaultError } from "../errors.js";
import type { ParsedFault } from "./envelope.js";

const WSSE_NAMESPACES = new Set([
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  "http://schemas.xmlsoap.org/ws/2003/06/secext",
  "http://schemas.xmlsoap.org/ws/2002/07/secext",
]);

/**
 * The SDK code of a WS-Security fault code, or undefined when `faultCode` is not one.
 * @example
 * ```ts
 * wssCodeOf("wsse:MessageExpired"); // "WSS_MESSAGE_EXPIRED"
 * ```
 */
export function wssCodeOf(faultCode: string, faultCodeNamespace?: string): string | undefined {
  const colon = faultCode.indexOf(":");
  const prefix = colon < 0 ? "" : faultCode.slice(0, colon);
  const local = faultCode.slice(colon + 1);
  const isWsse =
    faultCodeNamespace !== undefined ? WSSE_NAMESPACES.has(faultCodeNamespace) : prefix === "wsse";
  if (!isWsse || !/^[A-Za-z]+$/.test(local)) return undefined;
  return `WSS_${local.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

const MAX_REASON = 300;

/**
 * Builds the error a caller sees for a fault the server sent with HTTP `status`. The code
 * comes from the `CommunicationFault` detail (every fault of the reference server carries
 * one), else from a `WSS_…:` prefix of the fault string (what older reference servers sent
 * for security faults), else from a `wsse:` fault code. Without a `Retryable`
 * detail, only a fault sent with 503 or 429 (server busy) is retryable.
 */
export function faultToError(fault: ParsedFault, status: number): SoapFaultError {
  const fromString = /^(WSS_[A-Z0-9_]+):/.exec(fault.faultString)?.[1];
  const code =
    fault.detail?.code ?? fromString ?? wssCodeOf(fault.faultCode, fault.faultCodeNamespace) ?? "SOAP_FAULT";
  const reason =
    fault.faultString.length > MAX_REASON ? `${fault.faultString.slice(0, MAX_REASON)}…` : fault.faultString;
  const field = fault.detail?.field === undefined ? "" : ` (field ${fault.detail.field})`;
  return new SoapFaultError(
    code,
    `the server refused the request: ${reason || fault.faultCode || "SOAP fault"}${field}`,
    {
      faultCode: fault.faultCode,
      status,
      retryable: fault.detail?.retryable ?? (status === 503 || status === 429),
    },
  );
}
