/**
 * {@link SoapEndpoint}: one SOAP 1.1 endpoint reached over the SDK's transport — WS-Security
 * per attempt, retries with backoff and `Retry-After`, per-attempt timeout, abort, proxy,
 * TLS, gzip and byte accounting. {@link CommunicationClient} and the clients `esol codegen`
 * generates are thin typed layers over it: they build the envelope and read the answer, the
 * endpoint puts it on the wire.
 * @module
 */
import http from "node:http";
import https from "node:https";
import { createSecureContext } from "node:tls";
import { gzipSync } from "node:zlib";
import {
  AbortError,
  ConfigError,
  isSdkError,
  SdkError,
  type SoapFaultError,
  TransportError,
  UnsignedFaultError,
} from "../errors.js";
import { acceptsGzip } from "./encoding.js";
import { soap12AnswerError } from "./faults.js";
import type { ExchangeRecord, ResponseMetadata, WithMetadata } from "./models.js";
import { HttpsTunnelAgent, HttpTunnelAgent, outboundProxyOption, resolveProxy } from "./proxy.js";
import { backoffDelayMs, isRetryable, parseRetryAfter, sleep } from "./retry.js";
import type { MessageSecurity } from "./security.js";
import { describeTrust, postEnvelope, type WireMeter } from "./transport.js";

/**
 * Options of a SOAP 1.1 client on the SDK's transport: {@link CommunicationClient} and every
 * client `esol codegen` generates ({@link SoapEndpoint}).
 */
export interface SoapClientOptions<Op extends string = string> {
  /** Service URL, e.g. `https://127.0.0.1:8443/esolutions/v1`. */
  endpoint: string;
  /** CA certificate(s), PEM, trusted for the server's certificate (in place of the system store). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate, PEM (mutual TLS). */
  cert?: string | Buffer;
  /** Client private key, PEM (mutual TLS). */
  key?: string | Buffer;
  /** Passphrase of `key`. */
  passphrase?: string;
  /** Verify the server's certificate. Default true. */
  rejectUnauthorized?: boolean;
  /**
   * Outbound HTTP proxy: `http://[user:pass@]host:port`, or `false` for none whatever the
   * environment says. When absent: `HTTPS_PROXY`/`https_proxy`/`HTTP_PROXY`, honouring
   * `NO_PROXY`, except for loopback endpoints (`127.0.0.0/8`, `::1`, `localhost`), which are
   * always reached directly. The agent config's `server.httpProxy`.
   */
  httpProxy?: string | false;
  /**
   * @deprecated Since 0.2, removed in 0.3: use `httpProxy` (same value; `proxy` and `proxyId`
   * name the eSolutions client elsewhere). The first use in a process emits one
   * `DeprecationWarning` (`ESOL_DEP_PROXY_OPTION`); `httpProxy` wins when both are given.
   */
  proxy?: string | false;
  /** Per-attempt limit for connect, send and receive together. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures. Default 3. */
  maxRetries?: number;
  /** Base of the exponential backoff. Default 500. */
  retryDelayMs?: number;
  /** Longest wait between attempts; a `Retry-After` longer than this ends the call. Default 30 000. */
  maxRetryDelayMs?: number;
  /**
   * Largest response body accepted, both as received and after gunzip (a gzip bomb fails
   * with `RESPONSE_TOO_LARGE` once it inflates past this). Default 64 MiB.
   */
  maxResponseBytes?: number;
  /** WS-Security: `secureRequest` runs once per attempt (fresh timestamp), `verifyResponse` on answers. */
  security?: MessageSecurity;
  /**
   * HTTP compression (`Content-Encoding: gzip`), both ways. Default `"auto"`.
   *
   * - `"auto"`: every request says `Accept-Encoding: gzip`, so the server may gzip its
   *   answers. Request bodies start uncompressed and are gzipped only once an answer from
   *   this endpoint has advertised `Accept-Encoding: gzip` (remembered for the life of the
   *   client): a server that cannot inflate never receives gzip. Should the server still
   *   answer a gzipped request with HTTP 415, the client resends that request once
   *   uncompressed and sends plain bodies to it from then on.
   * - `true`: as `"auto"`, but request bodies are gzipped from the first request on (you
   *   know the server inflates them).
   * - `false`: no compression either way (no `Accept-Encoding` is sent).
   *
   * Byte counts (`$metadata`, `onExchange`) are always the compressed bytes on the wire.
   */
  gzip?: boolean | "auto";
  /** Called after every attempt with its byte counts and outcome. */
  onExchange?: (record: ExchangeRecord<Op>) => void;
  /** Environment to read proxy variables from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Per-call options, the last argument of every operation. */
export interface CallOptions {
  /** Cancels the call, including a backoff wait. */
  abortSignal?: AbortSignal;
  /** Overrides the client's per-attempt `timeoutMs`. */
  timeoutMs?: number;
  /** Overrides the client's `maxRetries`. */
  maxRetries?: number;
}

/** Options resolved once at construction; every call reads this. */
export interface ResolvedClientConfig {
  /** The parsed endpoint URL. */
  endpoint: URL;
  /** The proxy in use, credentials removed, or undefined. */
  proxy: string | undefined;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Base of the exponential backoff. */
  retryDelayMs: number;
  /** Longest wait between attempts. */
  maxRetryDelayMs: number;
  /** Largest response accepted. */
  maxResponseBytes: number;
  /** HTTP compression mode (see {@link SoapClientOptions.gzip}). */
  gzip: boolean | "auto";
}

/**
 * What an answer envelope held, as read by {@link SoapCall.parse}: a fault (already the
 * error the caller sees) or the response body, not yet decoded.
 */
export type SoapParsed = SoapParsedFault | SoapParsedResponse;

/** A fault, as {@link SoapCall.parse} read it. */
export interface SoapParsedFault {
  /** Discriminator. */
  kind: "fault";
  /** The error the caller sees (after `verifyResponse`). */
  fault: SoapFaultError;
}

/** A response, as {@link SoapCall.parse} read it. */
export interface SoapParsedResponse {
  /** Discriminator. */
  kind: "response";
  /** The response body, decoded later by {@link SoapCall.decode}. */
  body: unknown;
}

/** One operation call handed to {@link SoapEndpoint.call}. */
export interface SoapCall<T, Op extends string = string> {
  /** WSDL operation name: `$metadata`, `onExchange` and the security context carry it. */
  operation: Op;
  /** The binding's `soapAction` (WSDL 1.1 §3.4), sent quoted in the `SOAPAction` header. */
  soapAction: string;
  /** The request envelope before security: the same text for every attempt. */
  envelope: string;
  /**
   * Reads an answer envelope. Throws a `TransportError` `BAD_RESPONSE` when it is not a
   * SOAP 1.1 envelope of the expected shape; called for any HTTP status.
   */
  parse(text: string, status: number): SoapParsed;
  /** Decodes the response body of a 2xx answer (after `verifyResponse`), e.g. into public models. */
  decode(body: unknown): T;
  /**
   * The operation has no output message (WSDL 1.1 §2.4.1 one-way, or an output without
   * parts): a 2xx answer without a body is its success, decoded from `{}`.
   */
  emptyAnswerOk?: boolean;
}

/**
 * One SOAP 1.1 endpoint on the SDK's transport. Each {@link SoapEndpoint.call} secures the
 * envelope once per attempt (`security.secureRequest`), posts it, verifies the answer
 * (`security.verifyResponse`, faults too), and retries retryable failures with exponential
 * backoff and jitter, honouring `Retry-After`.
 *
 * @example
 * ```ts
 * const endpoint = new SoapEndpoint({ endpoint: "http://127.0.0.1:8080/ws" });
 * // generated clients call endpoint.call({ operation, soapAction, envelope, parse, decode })
 * await endpoint.close();
 * ```
 */
export class SoapEndpoint<Op extends string = string> {
  /** The options as resolved at construction. */
  readonly config: Readonly<ResolvedClientConfig>;
  /** The signer/verifier of every attempt, when given. */
  readonly security: MessageSecurity | undefined;
  readonly #agent: http.Agent;
  /** The TLS trust, for `TLS_ERROR` messages (undefined over plain HTTP). */
  readonly #trust: string | undefined;
  readonly #onExchange: ((record: ExchangeRecord<Op>) => void) | undefined;
  readonly #label: string;
  #closed = false;
  /** An answer from the endpoint said it inflates gzip request bodies (`gzip: "auto"`). */
  #peerAcceptsGzip = false;
  /** The endpoint refused a gzip body after advertising it: its advertisement is ignored from then on. */
  #peerRefusedGzip = false;

  /**
   * @param options - the client options; `endpoint` is required.
   * @param label - the client's name in `CLIENT_CLOSED` messages.
   * @throws ConfigError `CONFIG_ENDPOINT`, `CONFIG_INVALID_OPTION`, `CONFIG_TLS`, `CONFIG_PROXY`.
   */
  constructor(options: SoapClientOptions<Op>, label = "SOAP client") {
    this.#label = label;
    if (typeof options !== "object" || options === null) {
      throw new ConfigError("CONFIG_INVALID_OPTION", `${label} needs an options object with an endpoint`);
    }
    const endpoint = parseEndpoint(options.endpoint);
    const proxy = resolveProxy(endpoint, outboundProxyOption(options), options.env ?? process.env);
    this.config = Object.freeze({
      endpoint,
      proxy: proxy ? `${proxy.protocol}//${proxy.host}` : undefined,
      timeoutMs: nonNegative("timeoutMs", options.timeoutMs, 30_000, 1),
      maxRetries: Math.floor(nonNegative("maxRetries", options.maxRetries, 3)),
      retryDelayMs: nonNegative("retryDelayMs", options.retryDelayMs, 500),
      maxRetryDelayMs: nonNegative("maxRetryDelayMs", options.maxRetryDelayMs, 30_000),
      maxResponseBytes: nonNegative("maxResponseBytes", options.maxResponseBytes, 64 * 1024 * 1024, 1),
      gzip: gzipMode(options.gzip),
    });
    const agentOptions: https.AgentOptions = { keepAlive: true, maxSockets: 8 };
    if (endpoint.protocol === "https:") {
      if (options.ca !== undefined) agentOptions.ca = options.ca;
      if (options.cert !== undefined) agentOptions.cert = options.cert;
      if (options.key !== undefined) agentOptions.key = options.key;
      if (options.passphrase !== undefined) agentOptions.passphrase = options.passphrase;
      agentOptions.rejectUnauthorized = options.rejectUnauthorized ?? true;
      checkTlsMaterial(agentOptions);
      this.#trust = describeTrust(options.ca);
      this.#agent = proxy ? new HttpsTunnelAgent(proxy, agentOptions) : new https.Agent(agentOptions);
    } else {
      this.#agent = proxy ? new HttpTunnelAgent(proxy, agentOptions) : new http.Agent(agentOptions);
      this.#trust = undefined;
    }
    this.security = options.security;
    this.#onExchange = options.onExchange;
  }

  /** Closes kept-alive connections. Calls after `close()` fail with `CLIENT_CLOSED`. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#agent.destroy();
  }

  /**
   * Sends one operation with retries and resolves to its decoded result plus `$metadata`
   * (attempts, wire bytes of the last attempt, HTTP status).
   * @throws TransportError, TimeoutError, AbortError, SoapFaultError (or the `parse` hook's
   * fault subclass), SecurityError, ConfigError `CLIENT_CLOSED`; any other throw becomes
   * `SdkError` `CLIENT_ERROR` with the original as `cause`.
   */
  async call<T extends object>(
    request: SoapCall<T, Op>,
    options: CallOptions = {},
  ): Promise<WithMetadata<T, Op>> {
    const { operation } = request;
    if (this.#closed) throw new ConfigError("CLIENT_CLOSED", `the ${this.#label} is closed`);
    const maxRetries = Math.floor(nonNegative("maxRetries", options.maxRetries, this.config.maxRetries));
    const timeoutMs = nonNegative("timeoutMs", options.timeoutMs, this.config.timeoutMs, 1);
    const signal = options.abortSignal;
    let staleRetryUsed = false;
    let plainResendUsed = false;
    let retries = 0;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new AbortError();
      const started = performance.now();
      const meter: WireMeter = { requestBytes: 0, responseBytes: 0, status: 0, staleSocket: false };
      const sent = { gzipped: false };
      try {
        const exchanged = await this.#attempt(request, attempt, timeoutMs, signal, meter, sent);
        const value = request.decode(exchanged.body);
        this.#report({ operation, attempt, ...counts(meter), durationMs: performance.now() - started });
        const $metadata: ResponseMetadata<Op> = {
          operation,
          attempts: attempt,
          requestBytes: meter.requestBytes,
          responseBytes: meter.responseBytes,
          httpStatus: exchanged.status,
        };
        return { ...value, $metadata };
      } catch (caught) {
        const error = toSdkError(caught);
        this.#report({
          operation,
          attempt,
          ...counts(meter),
          durationMs: performance.now() - started,
          error,
        });
        // A kept-alive socket the server had closed while idle is not an answer: resend once at
        // once without spending the retry budget (it still counts as an attempt).
        if (meter.staleSocket && !staleRetryUsed && !this.#closed) {
          staleRetryUsed = true;
          continue;
        }
        // A negotiated gzip body refused as an unsupported media type: the endpoint (or a node
        // behind the same name) does not inflate after all. Forget it and resend plain, once.
        if (sent.gzipped && meter.status === 415 && this.config.gzip === "auto" && !this.#closed) {
          this.#peerAcceptsGzip = false;
          this.#peerRefusedGzip = true;
          if (!plainResendUsed) {
            plainResendUsed = true;
            continue;
          }
        }
        if (retries >= maxRetries || !isRetryable(error)) throw error;
        if (this.#closed)
          throw new ConfigError("CLIENT_CLOSED", `the ${this.#label} was closed during the call`);
        retries++;
        const retryAfterMs = error instanceof TransportError ? error.retryAfterMs : undefined;
        if (retryAfterMs !== undefined && retryAfterMs > this.config.maxRetryDelayMs) throw error;
        const delay =
          retryAfterMs ?? backoffDelayMs(retries, this.config.retryDelayMs, this.config.maxRetryDelayMs);
        await sleep(delay, signal);
      }
    }
  }

  #report(record: ExchangeRecord<Op>): void {
    try {
      this.#onExchange?.(record);
    } catch {
      // An observer's bug must not turn a delivered message into a failed call.
    }
  }

  async #attempt(
    request: SoapCall<unknown, Op>,
    attempt: number,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    meter: WireMeter,
    sent: { gzipped: boolean },
  ): Promise<{ body: unknown; status: number }> {
    const context = { operation: request.operation, attempt };
    const text = this.security
      ? await this.security.secureRequest(request.envelope, context)
      : request.envelope;
    let body = Buffer.from(text, "utf8");
    const headers: Record<string, string> = {
      "Content-Type": "text/xml; charset=utf-8",
      SOAPAction: `"${request.soapAction}"`,
    };
    if (this.config.gzip !== false) headers["Accept-Encoding"] = "gzip";
    if (this.config.gzip === true || (this.config.gzip === "auto" && this.#peerAcceptsGzip)) {
      body = gzipSync(body);
      headers["Content-Encoding"] = "gzip";
      sent.gzipped = true;
    }
    headers["Content-Length"] = String(body.length);
    const response = await postEnvelope(
      {
        url: this.config.endpoint,
        agent: this.#agent,
        headers,
        body,
        timeoutMs,
        maxResponseBytes: this.config.maxResponseBytes,
        abortSignal: signal,
        trust: this.#trust,
      },
      meter,
    );
    const status = response.status;
    if (
      this.config.gzip === "auto" &&
      !this.#peerRefusedGzip &&
      acceptsGzip(response.headers["accept-encoding"])
    )
      this.#peerAcceptsGzip = true;
    const responseText = response.body.toString("utf8");
    const contentType = String(response.headers["content-type"] ?? "");
    const looksXml = /xml/i.test(contentType) || responseText.trimStart().startsWith("<");
    const retryAfterMs = parseRetryAfter(headerValue(response.headers["retry-after"]), Date.now());
    const ok = status >= 200 && status < 300;
    if (ok && request.emptyAnswerOk && responseText.trim() === "") return { body: {}, status };
    if (looksXml && responseText.length > 0) {
      let parsed: SoapParsed | undefined;
      try {
        parsed = request.parse(responseText, status);
      } catch (err) {
        // A SOAP 1.2 envelope (e.g. a VersionMismatch fault with HTTP 500) is not a bare HTTP error.
        const soap12 = soap12AnswerError(responseText, status);
        if (soap12) throw soap12;
        if (ok) throw err;
      }
      if (parsed?.kind === "fault") {
        // With a pinned server certificate a fault is checked like any answer; one that does
        // not verify is still reported, typed, so the user sees the server's stated reason.
        if (this.security?.verifyResponse) {
          try {
            await this.security.verifyResponse(responseText, context);
          } catch (err) {
            throw new UnsignedFaultError(parsed.fault, err);
          }
        }
        throw parsed.fault;
      }
      if (parsed?.kind === "response" && ok) {
        if (this.security?.verifyResponse) await this.security.verifyResponse(responseText, context);
        return { body: parsed.body, status };
      }
    }
    throw httpStatusError(status, this.config.endpoint.host, retryAfterMs);
  }
}

function counts(meter: WireMeter): { requestBytes: number; responseBytes: number; status: number } {
  return { requestBytes: meter.requestBytes, responseBytes: meter.responseBytes, status: meter.status };
}

function nonNegative(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new ConfigError(
      "CONFIG_INVALID_OPTION",
      `${name} must be a finite number ≥ ${min}, got ${String(value)}`,
    );
  }
  return value;
}

function parseEndpoint(endpoint: unknown): URL {
  if (typeof endpoint !== "string" || endpoint === "") {
    throw new ConfigError(
      "CONFIG_ENDPOINT",
      "endpoint is required (e.g. https://127.0.0.1:8443/esolutions/v1)",
    );
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError("CONFIG_ENDPOINT", "endpoint is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(
      "CONFIG_ENDPOINT",
      `endpoint must be an https:// or http:// URL (got ${url.protocol})`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigError("CONFIG_ENDPOINT", "endpoint must not carry credentials");
  }
  return url;
}

/** Loads the TLS material once so that a bad PEM fails at construction, naming which option, never its content. */
function checkTlsMaterial(options: https.AgentOptions): void {
  const parts: Array<[string, https.AgentOptions]> = [
    ["ca", { ca: options.ca }],
    ["cert/key", { cert: options.cert, key: options.key, passphrase: options.passphrase }],
  ];
  for (const [name, material] of parts) {
    if (Object.values(material).every((v) => v === undefined)) continue;
    try {
      createSecureContext(material);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "invalid";
      throw new ConfigError("CONFIG_TLS", `the TLS ${name} option cannot be loaded (${code})`);
    }
  }
}

function gzipMode(value: unknown): boolean | "auto" {
  if (value === undefined) return "auto";
  if (value === true || value === false || value === "auto") return value;
  throw new ConfigError("CONFIG_INVALID_OPTION", `gzip must be true, false or "auto", got ${String(value)}`);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function httpStatusError(status: number, target: string, retryAfterMs: number | undefined): TransportError {
  const retryable = status >= 500 || status === 429 || status === 408;
  const opts = { status, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  if (status >= 200 && status < 300) {
    return new TransportError("BAD_RESPONSE", `${target} answered HTTP ${status} without a SOAP envelope`, {
      ...opts,
      retryable: false,
    });
  }
  return new TransportError(`HTTP_${status}`, `${target} answered HTTP ${status} without a SOAP fault`, opts);
}

function toSdkError(err: unknown): SdkError {
  if (isSdkError(err)) return err as SdkError;
  // A security hook or mapper threw something that is not ours: keep it as the cause.
  return new SdkError("CLIENT_ERROR", `the call failed: ${(err as Error)?.name ?? "error"}`, { cause: err });
}
