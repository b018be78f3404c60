/**
 * One HTTP POST of one envelope, with the byte accounting the network-impact figures
 * need: the request line, headers and body exactly as Node wrote them, and the status
 * line, headers and body as received. Also the per-attempt timeout and abort.
 * @module
 */
import { X509Certificate } from "node:crypto";
import type http from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { AbortError, isSdkError, type SdkError, TimeoutError, TransportError } from "../errors.js";
import { decodeBody } from "./encoding.js";

/** One request to put on the wire. */
export interface WireRequest {
  url: URL;
  agent: http.Agent;
  /** Header name → value, written with this casing and order after Node's `Host`. */
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
  /** Largest body accepted, both as received and after its Content-Encoding is undone. */
  maxResponseBytes: number;
  abortSignal?: AbortSignal | undefined;
  /** The trust the TLS handshake used, for a `TLS_ERROR` message (see {@link describeTrust}). */
  trust?: string | undefined;
}

/** What came back. */
export interface WireResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Body after Content-Encoding is undone. */
  body: Buffer;
}

/** Byte counts of one exchange, filled in as far as the exchange got (also on failure). */
export interface WireMeter {
  requestBytes: number;
  responseBytes: number;
  status: number;
  /** The request went out on a kept-alive socket that turned out to be closed. */
  staleSocket: boolean;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_MISMATCH|ERR_OSSL)/;

/**
 * The trust a TLS client uses, for messages: the subjects of the `ca` certificates it was
 * given (never their content), or Node's default CA store when none was given.
 * @example
 * ```ts
 * describeTrust(undefined); // "Node's default CA store (no `ca` given)"
 * ```
 */
export function describeTrust(ca: string | Buffer | Array<string | Buffer> | undefined): string {
  if (ca === undefined) return "Node's default CA store (no `ca` given)";
  const pems = (Array.isArray(ca) ? ca : [ca]).flatMap(
    (c) => String(c).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [],
  );
  const subjects = pems.map((pem) => {
    try {
      return new X509Certificate(pem).subject.replace(/\n/g, ", ");
    } catch {
      return "unreadable certificate";
    }
  });
  if (subjects.length === 0) return "the `ca` given (no PEM certificate in it)";
  const shown = subjects.slice(0, 3).join("; ");
  return `only the \`ca\` given (${subjects.length} certificate${subjects.length === 1 ? "" : "s"}: ${shown}${subjects.length > 3 ? "; …" : ""})`;
}

/** What a TLS verification code (OpenSSL `X509_V_ERR_*` names as Node reports them) says about the server. */
function tlsReason(code: string, target: string): string {
  switch (code) {
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
      return "the server's certificate is self-signed and not trusted";
    case "SELF_SIGNED_CERT_IN_CHAIN":
      return "the server's chain ends at a self-signed CA that is not trusted";
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return "the issuer of the server's certificate is not trusted";
    case "CERT_HAS_EXPIRED":
      return "the server's certificate has expired";
    case "CERT_NOT_YET_VALID":
      return "the server's certificate is not valid yet (check the clocks)";
    case "ERR_TLS_CERT_ALTNAME_INVALID":
    case "HOSTNAME_MISMATCH":
      return `the server's certificate does not name ${target.replace(/:\d+$/, "")}`;
    default:
      return "the handshake failed";
  }
}

/**
 * The SDK error for a socket-level failure. Only error codes go into messages: Node's
 * own messages are safe, but a wrapped error could quote options. A `TLS_ERROR` says
 * which trust was used (`trust`, from {@link describeTrust}) and how to trust the server.
 */
export function socketErrorToSdkError(err: NodeJS.ErrnoException, target: string, trust?: string): SdkError {
  if (isSdkError(err)) return err as SdkError;
  const code = err.code ?? "";
  const opts = { cause: err };
  switch (code) {
    case "ECONNREFUSED":
      return new TransportError("CONNECTION_REFUSED", `${target} refused the connection`, opts);
    case "ECONNRESET":
    case "EPIPE":
    case "ECONNABORTED":
    case "UND_ERR_SOCKET":
      return new TransportError(
        "CONNECTION_RESET",
        `${target} closed the connection before answering (${code})`,
        opts,
      );
    case "ETIMEDOUT":
      return new TransportError("CONNECTION_TIMEOUT", `connecting to ${target} timed out`, opts);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new TransportError("NETWORK_UNREACHABLE", `${target} is unreachable (${code})`, opts);
    case "EAI_AGAIN":
      return new TransportError("DNS_ERROR", `cannot resolve ${target} right now (${code})`, opts);
    case "ENOTFOUND":
      return new TransportError("DNS_ERROR", `cannot resolve ${target} (${code})`, {
        ...opts,
        retryable: false,
      });
  }
  if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(err.message)) {
    const hostname = code === "ERR_TLS_CERT_ALTNAME_INVALID" || code === "HOSTNAME_MISMATCH";
    const remedy = hostname
      ? "connect with the host name the certificate names, or reissue the certificate for this host"
      : "pass the server's certificate (or the CA that issued it) as `ca` — in an agent config, `server.ca: <PEM file>`";
    const trusted = trust ? `; trusted: ${trust}` : "";
    return new TransportError(
      "TLS_ERROR",
      `TLS with ${target} failed (${code || "handshake"}): ${tlsReason(code, target)}${trusted} — ${remedy}`,
      {
        ...opts,
        retryable: false,
      },
    );
  }
  return new TransportError(
    "TRANSPORT_ERROR",
    `the exchange with ${target} failed (${code || err.name})`,
    opts,
  );
}

function headerBlockBytes(status: number, statusMessage: string, version: string, raw: string[]): number {
  let n = Buffer.byteLength(`HTTP/${version} ${status} ${statusMessage}\r\n`, "latin1") + 2;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    n += Buffer.byteLength(`${raw[i]}: ${raw[i + 1]}\r\n`, "latin1");
  }
  return n;
}

/**
 * POSTs `request.body` and reads the whole answer. Rejects with `TimeoutError` when the
 * attempt exceeds `timeoutMs` (connect, send and receive together), `AbortError` when
 * the signal fires, `TransportError` for socket failures. `meter` is updated either way.
 */
export function postEnvelope(request: WireRequest, meter: WireMeter): Promise<WireResponse> {
  const { url } = request;
  const target = url.host;
  return new Promise<WireResponse>((resolve, reject) => {
    if (request.abortSignal?.aborted) {
      reject(new AbortError());
      return;
    }
    let settled = false;
    // Why the request was destroyed, when we destroyed it: Node reports a generic reset instead.
    let failure: SdkError | undefined;
    const fail = (err: SdkError) => {
      failure ??= err;
      req.destroy(err);
    };
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    let req: http.ClientRequest;
    try {
      req = send({
        method: "POST",
        host: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || (url.protocol === "https:" ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        agent: request.agent,
        headers: request.headers,
      });
    } catch (err) {
      reject(socketErrorToSdkError(err as NodeJS.ErrnoException, target, request.trust));
      return;
    }
    const countRequest = () => {
      // `_header` is the exact request line + header block Node wrote (stable since Node 0.x).
      const head = (req as unknown as { _header?: string | null })._header;
      if (typeof head === "string")
        meter.requestBytes = Buffer.byteLength(head, "latin1") + request.body.length;
    };
    const finish = (err: Error | undefined, value?: WireResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.abortSignal?.removeEventListener("abort", onAbort);
      countRequest();
      if (err) reject(failure ?? err);
      else resolve(value as WireResponse);
    };
    const timer = setTimeout(() => {
      fail(new TimeoutError(`no complete answer from ${target} within ${request.timeoutMs} ms`));
    }, request.timeoutMs);
    const onAbort = () => fail(new AbortError());
    request.abortSignal?.addEventListener("abort", onAbort, { once: true });

    req.on("error", (err: NodeJS.ErrnoException) => {
      const sdkErr = socketErrorToSdkError(err, target, request.trust);
      if (sdkErr.code === "CONNECTION_RESET" && req.reusedSocket && meter.responseBytes === 0)
        meter.staleSocket = true;
      finish(sdkErr);
    });
    req.on("finish", countRequest);
    req.on("response", (res) => {
      countRequest();
      meter.status = res.statusCode ?? 0;
      const chunked = /chunked/i.test(String(res.headers["transfer-encoding"] ?? ""));
      let bodyBytes = 0;
      let framing = 0;
      const chunks: Buffer[] = [];
      const head = headerBlockBytes(meter.status, res.statusMessage ?? "", res.httpVersion, res.rawHeaders);
      meter.responseBytes = head;
      res.on("data", (chunk: Buffer) => {
        bodyBytes += chunk.length;
        // Node hands over each HTTP chunk's payload as it parses it; its size line and CRLF are framing.
        if (chunked) framing += chunk.length.toString(16).length + 4;
        meter.responseBytes = head + bodyBytes + framing;
        if (bodyBytes > request.maxResponseBytes) {
          fail(
            new TransportError(
              "RESPONSE_TOO_LARGE",
              `the answer from ${target} exceeds ${request.maxResponseBytes} bytes`,
              {
                retryable: false,
              },
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (err: NodeJS.ErrnoException) =>
        finish(socketErrorToSdkError(err, target, request.trust)),
      );
      res.on("close", () => {
        if (!res.complete)
          finish(new TransportError("CONNECTION_RESET", `${target} closed the connection mid-answer`));
      });
      res.on("end", () => {
        if (chunked) framing += 5; // "0\r\n\r\n"
        meter.responseBytes = head + bodyBytes + framing;
        const encoding = String(res.headers["content-encoding"] ?? "").toLowerCase();
        const decoded = decodeBody(Buffer.concat(chunks), encoding, request.maxResponseBytes);
        if (!decoded.ok) {
          finish(
            decoded.reason === "too-large"
              ? new TransportError(
                  "RESPONSE_TOO_LARGE",
                  `the ${encoding} answer from ${target} inflates past ${request.maxResponseBytes} bytes`,
                  { retryable: false, status: meter.status },
                )
              : new TransportError(
                  "BAD_RESPONSE",
                  `the ${encoding} answer from ${target} cannot be decoded`,
                  {
                    retryable: false,
                    status: meter.status,
                  },
                ),
          );
          return;
        }
        const body = decoded.body;
        finish(undefined, { status: meter.status, headers: res.headers, body });
      });
    });
    req.end(request.body);
  });
}
