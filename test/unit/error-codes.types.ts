/**
 * Compile-time test of the error-code types (checked by `npm run typecheck`, which
 * compiles every file under test/): a misspelled code must not compile. Each
 * `@ts-expect-error` fails the typecheck if the line below it ever compiles, e.g. when
 * `SdkError.code` widens back to `string`.
 */
import {
  type ConfigError,
  isSdkError,
  type SdkError,
  type SdkErrorCode,
  SnmpError,
  type SnmpErrorCode,
  TransportError,
} from "../../src/errors.js";

declare const err: SdkError;
declare const unknownErr: unknown;

export const correct: boolean = err.code === "SNMP_TIMEOUT";
// @ts-expect-error: "SNMP_TIMOUT" is not an SdkErrorCode (misspelled SNMP_TIMEOUT).
export const misspelled: boolean = err.code === "SNMP_TIMOUT";

export function narrowed(e: unknown): boolean {
  // @ts-expect-error: a misspelled code after the isSdkError guard.
  return isSdkError(e) && e.code === "WSS_UNTRUSTED_KEYS";
}
export const guarded: boolean = isSdkError(unknownErr) && unknownErr.code === "WSS_UNTRUSTED_KEY";

export const http: SdkErrorCode = "HTTP_503";
// @ts-expect-error: HTTP codes carry a number.
export const httpBad: SdkErrorCode = "HTTP_five";

export const snmp = new SnmpError("SNMP_TIMEOUT", "no answer");
// @ts-expect-error: SnmpError takes only SNMP codes (TLS_ERROR is a TransportError code).
export const snmpWrongClass = new SnmpError("TLS_ERROR", "x");
export const transport = new TransportError("TLS_ERROR", "x");
// @ts-expect-error: TransportError takes only transport codes.
export const transportWrongClass = new TransportError("SNMP_TIMEOUT", "x");

export const snmpCode: SnmpErrorCode = "SNMP_AUTH_FAILED";
export type ConfigCode = ConfigError["code"];

export function classNarrowed(e: SnmpError): boolean {
  // @ts-expect-error: an SnmpError never carries TLS_ERROR.
  return e.code === "TLS_ERROR";
}
