/**
 * {@link CommunicationClient}: the typed client of the Communication Service.
 *
 * Layers call only downward: public models → pure mappers → envelope codec → one HTTP
 * exchange (`transport.ts`) on a keep-alive agent. The HTTP exchange is ours rather than
 * node-soap's so that the envelope is byte-exact and compact, the security hook sees and
 * returns the exact text on the wire, and every attempt's bytes can be counted.
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
  TransportError,
  UnsignedFaultError,
} from "../errors.js";
import { acceptsGzip } from "./encoding.js";
import { buildEnvelope, type ParsedElement, parseResponse, SERVICE_NAMESPACE } from "./envelope.js";
import { faultToError } from "./faults.js";
import {
  ackFromWire,
  registerDevicesToWire,
  registerProxyResultFromWire,
  registerProxyToWire,
  reportSyncStatusToWire,
  submitBillingReadsToWire,
  submitSuppliesReportToWire,
  syncResultFromWire,
  syncToWire,
} from "./mappers.js";
import type {
  Ack,
  ExchangeRecord,
  OperationName,
  RegisterDevicesInput,
  RegisterProxyInput,
  RegisterProxyResult,
  ReportSyncStatusInput,
  ResponseMetadata,
  SubmitBillingReadsInput,
  SubmitSuppliesReportInput,
  SyncInput,
  SyncResult,
  WithMetadata,
} from "./models.js";
import { HttpsTunnelAgent, HttpTunnelAgent, outboundProxyOption, resolveProxy } from "./proxy.js";
import { backoffDelayMs, isRetryable, parseRetryAfter, sleep } from "./retry.js";
import type { MessageSecurity } from "./security.js";
import { describeTrust, postEnvelope, type WireMeter } from "./transport.js";

/** Options of {@link CommunicationClient}. */
export interface CommunicationClientOptions {
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
   * @deprecated Since 0.2, removed in 0.3: use {@link CommunicationClientOptions.httpProxy}
   * (same value; `proxy` and `proxyId` name the eSolutions client elsewhere). The first use in
   * a process emits one `DeprecationWarning` (`ESOL_DEP_PROXY_OPTION`); `httpProxy` wins when both are given.
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
  onExchange?: (record: ExchangeRecord) => void;
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
  /** HTTP compression mode (see {@link CommunicationClientOptions.gzip}). */
  gzip: boolean | "auto";
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

/** The answer of one successful attempt before mapping. */
interface Exchanged {
  value: ParsedElement;
  status: number;
}

/**
 * The typed client of the eSolutions Communication Service (SOAP 1.1 over HTTPS).
 *
 * Every operation validates its input, maps it to the wire shape, and sends it with
 * retries (exponential backoff with jitter, honouring `Retry-After`) for retryable
 * failures only. Results carry `$metadata` with the attempts and the wire bytes of the
 * last attempt.
 *
 * @example
 * ```ts
 * const client = new CommunicationClient({ endpoint: "https://127.0.0.1:8443/esolutions/v1", ca: caPem });
 * const ack = await client.submitBillingReads({
 *   proxyId: "proxy-1",
 *   reads: [{ key: "read-0001", serial: "X1", readAt: new Date(), meters: [{ name: "Total", value: 1200 }] }],
 * });
 * console.log(ack.accepted, ack.$metadata.requestBytes);
 * await client.close();
 * ```
 */
export class CommunicationClient {
  /** The options as resolved at construction. */
  readonly config: Readonly<ResolvedClientConfig>;
  readonly #agent: http.Agent;
  /** The TLS trust, for `TLS_ERROR` messages (undefined over plain HTTP). */
  readonly #trust: string | undefined;
  readonly #security: MessageSecurity | undefined;
  readonly #onExchange: ((record: ExchangeRecord) => void) | undefined;
  #closed = false;
  /** An answer from the endpoint said it inflates gzip request bodies (`gzip: "auto"`). */
  #peerAcceptsGzip = false;
  /** The endpoint refused a gzip body after advertising it: its advertisement is ignored from then on. */
  #peerRefusedGzip = false;

  constructor(options: CommunicationClientOptions) {
    if (typeof options !== "object" || options === null) {
      throw new ConfigError(
        "CONFIG_INVALID_OPTION",
        "CommunicationClient needs an options object with an endpoint",
      );
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
    this.#security = options.security;
    this.#onExchange = options.onExchange;
  }

  /** Registers this client (proxy) with the server; a resend with the same key is acknowledged as a duplicate. */
  async registerProxy(
    input: RegisterProxyInput,
    options: CallOptions = {},
  ): Promise<WithMetadata<RegisterProxyResult>> {
    const body = registerProxyToWire(input);
    return this.#call("RegisterProxy", body, (v) => registerProxyResultFromWire(v), options);
  }

  /** Registers devices under this client. */
  async registerDevices(input: RegisterDevicesInput, options: CallOptions = {}): Promise<WithMetadata<Ack>> {
    return this.#call("RegisterDevices", registerDevicesToWire(input), ackFromWire, options);
  }

  /** The daily sync: reports device states, returns configuration and directives. */
  async sync(input: SyncInput, options: CallOptions = {}): Promise<WithMetadata<SyncResult>> {
    return this.#call("Sync", syncToWire(input), (v) => syncResultFromWire(v), options);
  }

  /** Confirms the service state per device (answers `EnableService` directives). */
  async reportSyncStatus(
    input: ReportSyncStatusInput,
    options: CallOptions = {},
  ): Promise<WithMetadata<Ack>> {
    return this.#call("ReportSyncStatus", reportSyncStatusToWire(input), ackFromWire, options);
  }

  /** Sends billing meter reads; each read is stored once per key however often it is sent. */
  async submitBillingReads(
    input: SubmitBillingReadsInput,
    options: CallOptions = {},
  ): Promise<WithMetadata<Ack>> {
    return this.#call("SubmitBillingReads", submitBillingReadsToWire(input), ackFromWire, options);
  }

  /** Sends supplies reports; each report is stored once per key. */
  async submitSuppliesReport(
    input: SubmitSuppliesReportInput,
    options: CallOptions = {},
  ): Promise<WithMetadata<Ack>> {
    return this.#call("SubmitSuppliesReport", submitSuppliesReportToWire(input), ackFromWire, options);
  }

  /** Closes kept-alive connections. Calls after `close()` fail with `CLIENT_CLOSED`. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#agent.destroy();
  }

  async #call<T extends object>(
    operation: OperationName,
    wireBody: object,
    decode: (value: ParsedElement) => T,
    options: CallOptions,
  ): Promise<WithMetadata<T>> {
    if (this.#closed) throw new ConfigError("CLIENT_CLOSED", "the CommunicationClient is closed");
    const envelope = buildEnvelope(operation, wireBody);
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
        const exchanged = await this.#attempt(operation, envelope, attempt, timeoutMs, signal, meter, sent);
        const value = decode(exchanged.value);
        this.#report({ operation, attempt, ...this.#counts(meter), durationMs: performance.now() - started });
        const $metadata: ResponseMetadata = {
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
          ...this.#counts(meter),
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
          throw new ConfigError("CLIENT_CLOSED", "the CommunicationClient was closed during the call");
        retries++;
        const retryAfterMs = error instanceof TransportError ? error.retryAfterMs : undefined;
        if (retryAfterMs !== undefined && retryAfterMs > this.config.maxRetryDelayMs) throw error;
        const delay =
          retryAfterMs ?? backoffDelayMs(retries, this.config.retryDelayMs, this.config.maxRetryDelayMs);
        await sleep(delay, signal);
      }
    }
  }

  #counts(meter: WireMeter): Pick<ExchangeRecord, "requestBytes" | "responseBytes" | "status"> {
    return { requestBytes: meter.requestBytes, responseBytes: meter.responseBytes, status: meter.status };
  }

  #report(record: ExchangeRecord): void {
    try {
      this.#onExchange?.(record);
    } catch {
      // An observer's bug must not turn a delivered message into a failed call.
    }
  }

  async #attempt(
    operation: OperationName,
    envelope: string,
    attempt: number,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    meter: WireMeter,
    sent: { gzipped: boolean },
  ): Promise<Exchanged> {
    const context = { operation, attempt };
    const text = this.#security ? await this.#security.secureRequest(envelope, context) : envelope;
    let body = Buffer.from(text, "utf8");
    const headers: Record<string, string> = {
      "Content-Type": "text/xml; charset=utf-8",
      SOAPAction: `"${SERVICE_NAMESPACE}#${operation}"`,
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
    if (looksXml && responseText.length > 0) {
      let parsed: ReturnType<typeof parseResponse> | undefined;
      try {
        parsed = parseResponse(responseText, status);
      } catch (err) {
        if (status >= 200 && status < 300) throw err;
      }
      if (parsed?.kind === "fault") {
        const fault = faultToError(parsed.fault, status, {
          signingCertificatePem: (this.#security as { certificatePem?: string } | undefined)?.certificatePem,
        });
        // With a pinned server certificate a fault is checked like any answer; one that does
        // not verify is still reported, typed, so the user sees the server's stated reason.
        if (this.#security?.verifyResponse) {
          try {
            await this.#security.verifyResponse(responseText, context);
          } catch (err) {
            throw new UnsignedFaultError(fault, err);
          }
        }
        throw fault;
      }
      if (parsed?.kind === "response" && status >= 200 && status < 300) {
        if (parsed.element !== `${operation}Response`) {
          throw new TransportError(
            "BAD_RESPONSE",
            `expected ${operation}Response, the server answered ${parsed.element}`,
            {
              retryable: false,
              status,
            },
          );
        }
        if (this.#security?.verifyResponse) await this.#security.verifyResponse(responseText, context);
        return { value: parsed.value, status };
      }
    }
    throw httpStatusError(status, this.config.endpoint.host, retryAfterMs);
  }
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
