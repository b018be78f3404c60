/**
 * The HTTP side of a request before any SOAP parsing: the bounded (and inflated) body (its
 * charset rule is `decodeRequestBody` in faults.ts, shared with `esol verify`), the SOAPAction, and the key of a signed message in the shared replay cache.
 * @module
 */
import { createHash } from "node:crypto";
import type http from "node:http";
import { gunzipSync } from "node:zlib";
import { SERVICE_NAMESPACE } from "../soap/envelope.js";
import type { VerifiedSender } from "../soap/security.js";
import type { OperationName } from "./envelope.js";
import { CommunicationFaultError } from "./faults.js";

/** The SOAPAction of an operation is this prefix and its name (the WSDL's soapAction). */
export const SOAP_ACTION_PREFIX = `${SERVICE_NAMESPACE}#`;

/** The verifiers' default clock skew, kept past each message's Expires. */
const SKEW_MS = 60_000;

/**
 * The key and lifetime of a signed message in the store's replay cache, from what the
 * verifier established (signer, Timestamp Created/Expires — WS-Security 1.1 §10 — and the
 * canonical Body); undefined when the verifier does not report those (a custom one).
 * @param clockSkewMs The verifier's clock skew (`timestamps.clockSkewMs`), kept past Expires;
 *   default 60,000 (the verifiers' default).
 */
export function replayEntryOf(
  sender: VerifiedSender,
  clockSkewMs: number = SKEW_MS,
): { digest: string; expiresAt: Date } | undefined {
  const r = sender as VerifiedSender & { created?: unknown; expires?: unknown; bodyCanonical?: unknown };
  if (!(r.created instanceof Date) || !(r.expires instanceof Date) || typeof r.bodyCanonical !== "string")
    return undefined;
  const digest = createHash("sha256")
    .update(`${r.thumbprintSha256}\n${r.created.toISOString()}\n${r.expires.toISOString()}\n`)
    .update(r.bodyCanonical)
    .digest("base64");
  return { digest, expiresAt: new Date(r.expires.getTime() + clockSkewMs) };
}

/**
 * Reads the body, refusing more than `max` bytes on the wire and after gunzip.
 * @throws CommunicationFaultError `REQUEST_TOO_LARGE` (413), `UNSUPPORTED_ENCODING` (415),
 *   `INVALID_ENCODING` (400).
 */
export async function readRequestBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const tooLarge = (after: string) =>
    new CommunicationFaultError("REQUEST_TOO_LARGE", `request body exceeds ${max} bytes${after}`, {
      httpStatus: 413,
    });
  const encoding = String(req.headers["content-encoding"] ?? "identity")
    .toLowerCase()
    .trim();
  if (encoding !== "identity" && encoding !== "gzip")
    throw new CommunicationFaultError("UNSUPPORTED_ENCODING", "Content-Encoding must be gzip or identity", {
      httpStatus: 415,
    });
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) throw tooLarge("");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw tooLarge("");
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks, size);
  if (encoding !== "gzip") return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: max });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError)
      throw tooLarge(" after gunzip");
    throw new CommunicationFaultError("INVALID_ENCODING", "the gzip body cannot be inflated", {
      httpStatus: 400,
    });
  }
}

/**
 * A SOAPAction, when sent, must name the operation of the Body (node-soap would dispatch on
 * it; WSDL 1.1 §3.4 soap:operation soapAction).
 * @throws CommunicationFaultError `INVALID_SOAP_ACTION`.
 */
export function checkSoapAction(req: http.IncomingMessage, operation: OperationName): void {
  const header = req.headers.soapaction;
  if (header === undefined) return;
  const action = String(header)
    .trim()
    .replace(/^"(.*)"$/, "$1");
  if (action === "" || action === `${SOAP_ACTION_PREFIX}${operation}` || action === operation) return;
  throw new CommunicationFaultError(
    "INVALID_SOAP_ACTION",
    `SOAPAction does not match the ${operation} body`,
    {
      field: "SOAPAction",
    },
  );
}
