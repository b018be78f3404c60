/**
 * The codec of {@link CommunicationClient}: the model generated from `wsdl/communication.wsdl`
 * (`generated/communication/`, `npm run codegen`) read by the same encoder and decoder every
 * generated client runs on (`service-client.ts`), with two choices of the public client:
 *
 * - the wire style of the contract's compact envelopes — the service namespace as the one-letter
 *   prefix `e`, declared on the operation element (DESIGN.md's byte table is measured on them);
 * - faults go through the SDK's fault table (`faults.ts`: `ServerFaultError`, security faults…)
 *   rather than as `DeclaredFaultError`s, so the `CommunicationFault` detail maps to the stable
 *   codes the public client has always thrown.
 * @module
 */
import { $model, type OperationName as GeneratedOperationName } from "../../generated/communication/index.js";
import type { SoapParsed } from "./endpoint.js";
import { SERVICE_NAMESPACE } from "./envelope.js";
import type { OperationName } from "./models.js";
import { decodeResponse, encodeRequest } from "./service-client.js";
import type { SoapOperationModel, SoapServiceModel } from "./service-model.js";

// The public operation union and the generated one are the same set (checked both ways).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const operationsAgree: Same<OperationName, GeneratedOperationName> = true;
void operationsAgree;

/** The Communication Service's port as the codec reads it, in the public client's wire style. */
export const COMMUNICATION_MODEL: SoapServiceModel = {
  operations: Object.fromEntries(
    Object.entries($model.operations).map(([name, op]): [string, SoapOperationModel] => [
      name,
      { ...op, faults: [] },
    ]),
  ),
  types: $model.types,
  wire: { prefixes: { [SERVICE_NAMESPACE]: "e" }, declareOnBodyElement: true },
};

/**
 * The request envelope of `operation` for its wire body: no XML declaration, no whitespace,
 * no Header (the security hook adds one), the service namespace declared once on the
 * operation element with the prefix `e`, children unqualified as the schema says.
 * @throws ValidationError `INVALID_VALUE` naming the field for a value the schema does not allow.
 * @example
 * ```ts
 * buildEnvelope("Sync", { ProxyId: "p1", ClientTime: "2026-11-25T18:00:00Z" });
 * // <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><e:Sync
 * //   xmlns:e="urn:esolutions:communication:v1"><ProxyId>p1</ProxyId>...</e:Sync></s:Body></s:Envelope>
 * ```
 */
export function buildEnvelope(operation: OperationName, body: object): string {
  return encodeRequest(COMMUNICATION_MODEL, operation, body);
}

/**
 * Reads an answer of `operation`: the response element's content typed by the schema
 * (repeated elements as arrays, `xsd:int` as numbers, `xsd:boolean` as booleans, `xsd:dateTime`
 * as its lexical string), or the SDK error of a fault.
 * @throws TransportError `BAD_RESPONSE` for an answer that is not SOAP 1.1 or not this operation's response.
 */
export function parseAnswer(
  operation: OperationName,
  text: string,
  status: number,
  context: { signingCertificatePem?: string | undefined } = {},
): SoapParsed {
  return decodeResponse(COMMUNICATION_MODEL, operation, text, status, context);
}
