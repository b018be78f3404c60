/**
 * The reference Communication Server: an HTTP(S) front with a pre-handler that bounds,
 * inflates, inspects and verifies each request before node-soap dispatches it to the six
 * operations over one SQLite store.
 * @module
 */
import { once } from "node:events";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import * as soap from "soap";
import { ConfigError, isSdkError, type SdkError, SecurityError, StorageError } from "../errors.js";
import { SERVICE_NAMESPACE } from "../soap/envelope.js";
import type { MessageSecurity, RequestVerifier, VerifiedSender } from "../soap/security.js";
import { compactEnvelope, encodeResponseBody } from "./compress.js";
import { inspectEnvelope, type OperationName } from "./envelope.js";
import { CommunicationFaultError, decodeRequestBody, faultEnvelope, securityFaultFor } from "./faults.js";
import { type BillingCycleKind, DEVICE_MOVE_POLICIES, type DeviceMovePolicy } from "./policy.js";
import {
  FirstUseVerifier,
  SIGNATURE_POLICIES,
  type SignaturePolicy,
  type TimestampRules,
} from "./signers.js";
import {
  type AckCounts,
  CommunicationStore,
  type StoreExport,
  type StorePolicy,
  type SyncDirectives,
} from "./store.js";
import { selfSignedPairFor } from "./tls.js";
import {
  validateRegisterDevices,
  validateRegisterProxy,
  validateReportSyncStatus,
  validateSubmitBillingReads,
  validateSubmitSuppliesReport,
  validateSync,
} from "./validate.js";
import { loadContractWsdl, withAddress } from "./wsdl.js";

/** A pino-compatible logger (only these methods are used). */
export interface ServerLogger {
  /** Per-request detail. */
  debug(obj: object, msg?: string): void;
  /** Normal operation (start, stop). */
  info(obj: object, msg?: string): void;
  /** A refused request or something that needs attention. */
  warn(obj: object, msg?: string): void;
  /** A failure of the server itself. */
  error(obj: object, msg?: string): void;
}

/** Settings the server pushes to every client in `Sync` (a `Configure` directive). */
export interface ClientConfigurationPolicy {
  /** How often clients should poll their devices. */
  pollIntervalMs?: number;
  /** Start of the daily transmission window, `HH:MM`. */
  windowStart?: string;
  /** End of the daily transmission window, `HH:MM`. */
  windowEnd?: string;
}

/** Options of {@link CommunicationServer}. */
export interface CommunicationServerOptions {
  /** The SQLite file (created when absent). */
  dbPath: string;
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** TCP port. Default 8443; 0 = ephemeral (chosen by the OS at the first start and kept by later starts of the same server, so its URL stays valid). */
  port?: number;
  /** TLS pair; `false` = plain HTTP; undefined = a self-signed pair generated into the db's folder and reused. */
  tls?:
    | {
        /** Certificate (chain), PEM. */
        cert: string | Buffer;
        /** Its private key, PEM. */
        key: string | Buffer;
      }
    | false;
  /** Endpoint path. Default `/esolutions/v1`. */
  path?: string;
  /** Billing policy. Default monthly, every billing meter, due 7 days after the request. */
  billing?: {
    /** How often each device's reads are requested. */
    cycle: BillingCycleKind;
    /** Meter names each `BillingRequest` asks for; every meter when absent. */
    meters?: string[];
    /** Days from the request to its due date. Default 7. */
    dueDays?: number;
  };
  /** Supplies reports: their interval, or `false` for off. Default one report a day. */
  supplies?:
    | {
        /** Interval between a device's supplies reports (at least 1000). */
        intervalMs: number;
      }
    | false;
  /** A `Configure` directive sent in every `Sync` answer, when set. */
  configure?: ClientConfigurationPolicy;
  /** The server's notion of now (tests run a month in seconds). Default the system clock. */
  clock?: () => Date;
  /**
   * Checks each request (WS-Security) before node-soap parses anything, against the keys
   * it trusts (e.g. `createRequestVerifier({ trust })`). Without one, the server checks
   * signed requests itself against their own certificate and the certificates proxies
   * bound at registration (see `signaturePolicy`).
   */
  verifier?: RequestVerifier;
  /**
   * Timestamp rules of the server's own verifier when no `verifier` is given (trust on first
   * use); a given `verifier` has its own (`createRequestVerifier` takes the same fields).
   * `esol server --clock-skew --max-age --timestamp-fraction-digits` set both.
   */
  timestamps?: TimestampRules;
  /**
   * Whether requests must be signed. `"required"` (needs `verifier`): the verifier must
   * establish a signer for every request. `"tofu"` (no `verifier`): every request is signed;
   * a proxy's first signed `RegisterProxy` binds its certificate (trust on first use: the
   * first claimant of a ProxyId wins, so pin certificates with `verifier` in production).
   * `"optional"`: unsigned requests are accepted unless the verifier refuses them; signed
   * ones are checked (local development and tests only).
   *
   * Default: `"required"` with a `verifier`, `"tofu"` without one. Unsigned requests are
   * accepted only when `"optional"` is named here, so an embedder never gets weaker
   * checking than `esol server`, which uses `"required"` with `--trust`/`--trust-ca`,
   * `"tofu"` over HTTPS without them, and `"optional"` only for `--http` or
   * `--insecure-unsigned`. In every policy a ProxyId bound to a certificate accepts only
   * requests signed by it (`WSS_UNTRUSTED_KEY` otherwise, `WSS_UNSIGNED` for unsigned
   * ones); {@link unbindProxySigner} releases a binding.
   */
  signaturePolicy?: SignaturePolicy;
  /**
   * What `RegisterDevices` does with a serial another proxy registered. `"refuse"`
   * (default): a SOAP fault `DEVICE_OWNED_BY_OTHER_PROXY`, nothing of the request stored,
   * the owner keeps the device and its billing (one trusted proxy must not take over
   * another's device). `"allow"`: the device moves to the claiming proxy; the move (serial,
   * both proxies, the server's `clock` time) is recorded and exported in `deviceMoves`.
   * `esol server --allow-device-moves` sets `"allow"`.
   */
  deviceMoves?: DeviceMovePolicy;
  /** Signs responses. */
  responseSecurity?: MessageSecurity;
  /** Largest request body accepted, also after gunzip. Default 4 MiB. */
  maxRequestBytes?: number;
  /** Logger (pino-compatible). Default silent. */
  logger?: ServerLogger;
}

/** What {@link CommunicationServer.start} resolves to. */
export interface ServerAddress {
  /** The endpoint URL, ending with the path; `${url}?wsdl` serves the WSDL. */
  url: string;
  /** The TLS certificate (PEM) clients should trust, when serving HTTPS. */
  certificatePem?: string;
}

/** A misbehaviour {@link CommunicationServer.injectFaults} makes the server show. */
export interface InjectedFault {
  /** Only requests for this operation; any operation when absent. */
  operation?: string;
  /**
   * `http-503` / `http-429` / `http-400`: answer that status without a SOAP body;
   * `drop-before-store`: close the connection without storing;
   * `drop-after-store`: store the request, then close the connection without answering.
   */
  kind: "http-503" | "http-429" | "http-400" | "drop-after-store" | "drop-before-store";
  /** `Retry-After` seconds (429 and 503). Default 1 for 429, none for 503. */
  retryAfterSeconds?: number;
  /** How many matching requests get this fault. */
  count: number;
}

const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const DEFAULT_SUPPLIES_INTERVAL_MS = 86_400_000;
const SOAP_ACTION_PREFIX = `${SERVICE_NAMESPACE}#`;
const SILENT: ServerLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Per-request state handed to the operation handlers through node-soap's `req.connection`. */
interface RequestContext {
  now: Date;
  sender: VerifiedSender | undefined;
  /** A configured verifier vouched for the sender (not only its own embedded certificate). */
  senderTrusted: boolean;
  fault: CommunicationFaultError | undefined;
  /** A `WSS_*` refusal decided after parsing (the ProxyId's bound certificate). */
  refusal: SdkError | undefined;
}

/** node-soap would read `12abc` as 12: it hands over raw text instead, which validate.ts checks. */
const RAW_TEXT = (text: string): string => text;

/**
 * The reference eSolutions Communication Server.
 *
 * HTTP compression: every answer advertises `Accept-Encoding: gzip` (gzip request bodies
 * are inflated within `maxRequestBytes`), and answers of 1 KiB or more are gzipped when
 * the request's `Accept-Encoding` allows it, with `Vary: Accept-Encoding`. Envelopes go
 * out without an XML declaration; with `responseSecurity` they are signed in their final
 * text, before compression.
 *
 * @example
 * ```ts
 * import { CommunicationServer } from "esolutions-sdk/server";
 * // Trust on first use by default; `verifier: createRequestVerifier({ trust })` pins signers.
 * const server = new CommunicationServer({ dbPath: "./server.db", port: 8443, billing: { cycle: "quarterly" } });
 * const { url, certificatePem } = await server.start();
 * // ... clients talk to `url` trusting `certificatePem` ...
 * console.log(server.exportStore().billingReads.length);
 * await server.close();
 * ```
 */
export class CommunicationServer {
  private readonly options: CommunicationServerOptions;
  private readonly path: string;
  private readonly maxRequestBytes: number;
  private readonly logger: ServerLogger;
  private readonly clock: () => Date;
  private readonly policy: StorePolicy;
  private readonly signaturePolicy: SignaturePolicy;
  /** The port the OS chose at the first start when `port` is 0. */
  private ephemeralPort: number | undefined;
  private readonly verifier: RequestVerifier;
  private readonly firstUse: FirstUseVerifier | undefined;
  private store: CommunicationStore | undefined;
  private httpServer: http.Server | undefined;
  private soapServer: soap.Server | undefined;
  private servedWsdl = "";
  private faults: InjectedFault[] = [];
  private started: ServerAddress | undefined;

  constructor(options: CommunicationServerOptions) {
    if (!options || typeof options.dbPath !== "string" || options.dbPath === "")
      throw new ConfigError("CONFIG_DB", "dbPath is required");
    const path = options.path ?? "/esolutions/v1";
    if (!path.startsWith("/")) throw new ConfigError("CONFIG_PATH", `path must start with "/" (got ${path})`);
    const max = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    if (!Number.isInteger(max) || max < 1024)
      throw new ConfigError("CONFIG_MAX_BYTES", "maxRequestBytes must be an integer ≥ 1024");
    const cycle = options.billing?.cycle ?? "monthly";
    if (!["monthly", "quarterly", "semiannual"].includes(cycle))
      throw new ConfigError(
        "CONFIG_CYCLE",
        `billing cycle must be monthly, quarterly or semiannual (got ${cycle})`,
      );
    const supplies =
      options.supplies === undefined ? { intervalMs: DEFAULT_SUPPLIES_INTERVAL_MS } : options.supplies;
    if (supplies && !(supplies.intervalMs >= 1000))
      throw new ConfigError("CONFIG_SUPPLIES", "supplies.intervalMs must be at least 1000");
    const signaturePolicy = options.signaturePolicy ?? (options.verifier ? "required" : "tofu");
    if (!SIGNATURE_POLICIES.includes(signaturePolicy))
      throw new ConfigError(
        "CONFIG_INVALID_OPTION",
        `signaturePolicy must be ${SIGNATURE_POLICIES.join(", ")} (got ${String(signaturePolicy)})`,
      );
    if (signaturePolicy === "required" && !options.verifier)
      throw new ConfigError(
        "CONFIG_INVALID_OPTION",
        'signaturePolicy "required" needs a verifier that knows the trusted certificates',
      );
    if (signaturePolicy === "tofu" && options.verifier)
      throw new ConfigError(
        "CONFIG_INVALID_OPTION",
        'signaturePolicy "tofu" binds certificates itself: leave verifier unset, or use "required" with it',
      );
    const deviceMoves = options.deviceMoves ?? "refuse";
    if (!DEVICE_MOVE_POLICIES.includes(deviceMoves))
      throw new ConfigError(
        "CONFIG_INVALID_OPTION",
        `deviceMoves must be ${DEVICE_MOVE_POLICIES.join(" or ")} (got ${String(deviceMoves)})`,
      );
    this.signaturePolicy = signaturePolicy;
    this.options = options;
    this.path = path.length > 1 ? path.replace(/\/+$/, "") : path;
    this.maxRequestBytes = max;
    this.logger = options.logger ?? SILENT;
    this.clock = options.clock ?? (() => new Date());
    const clock = this.clock;
    this.firstUse = options.verifier
      ? undefined
      : new FirstUseVerifier({ ...options.timestamps, maxBytes: max, clock: () => clock().getTime() });
    this.verifier = options.verifier ?? (this.firstUse as FirstUseVerifier);
    const configure = options.configure;
    this.policy = {
      cycle,
      meters: [...(options.billing?.meters ?? [])],
      dueDays: options.billing?.dueDays ?? 7,
      suppliesIntervalMs: supplies ? supplies.intervalMs : undefined,
      configure: configure
        ? {
            ...(configure.pollIntervalMs === undefined
              ? {}
              : { pollIntervalSeconds: Math.max(1, Math.round(configure.pollIntervalMs / 1000)) }),
            ...(configure.windowStart === undefined ? {} : { windowStart: configure.windowStart }),
            ...(configure.windowEnd === undefined ? {} : { windowEnd: configure.windowEnd }),
          }
        : undefined,
      deviceMoves,
    };
  }

  /** Opens the store, binds the port and resolves once requests are served. */
  async start(): Promise<ServerAddress> {
    if (this.started || this.httpServer)
      throw new ConfigError("SERVER_STARTED", "the server is already started");
    this.store = CommunicationStore.open(this.options.dbPath);
    try {
      return await this.listen();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private async listen(): Promise<ServerAddress> {
    const wsdl = loadContractWsdl();
    let certificatePem: string | undefined;
    let server: http.Server;
    if (this.options.tls === false) {
      server = http.createServer();
    } else {
      const pair = this.options.tls ?? (await selfSignedPairFor(this.options.dbPath));
      certificatePem = pair.cert.toString();
      server = https.createServer({ cert: pair.cert, key: pair.key });
    }
    server.requestTimeout = 60_000;
    server.headersTimeout = 30_000;
    this.httpServer = server;

    this.soapServer = await new Promise<soap.Server>((resolve, reject) => {
      const listenOptions: soap.IServerOptions & {
        customDeserializer: Record<string, (text: string) => string>;
      } = {
        path: this.path,
        services: this.services(),
        xml: wsdl,
        suppressStack: true,
        customDeserializer: { long: RAW_TEXT, int: RAW_TEXT, dateTime: RAW_TEXT, boolean: RAW_TEXT },
        callback: (err: unknown): void => (err ? reject(err) : resolve(created)),
      };
      const created: soap.Server = soap.listen(server, listenOptions);
    });
    // node-soap's own listener reads bodies without a bound and answers errors with stack
    // traces; every request goes through the pre-handler instead, which hands soap only
    // checked text (processRequest) and owns the HTTP response.
    server.removeAllListeners("request");
    server.on("request", (req, res) => {
      this.handle(req, res).catch((err) => this.lastResort(res, err));
    });

    const store = this.requireStore();
    // Only certificates a trusting verifier accepted go back into it: one bound on first
    // use must not become trusted because the server restarted with --trust.
    if (this.firstUse) for (const pem of store.registeredSignerCertificates()) this.firstUse.bind(pem);
    else for (const pem of store.registeredSignerCertificates({ trustedOnly: true })) this.pinSigner(pem);

    // An ephemeral port is kept across close() and start(): a restarted server keeps its URL.
    const port = this.options.port === 0 ? (this.ephemeralPort ?? 0) : (this.options.port ?? 8443);
    server.listen(port, this.options.host ?? "127.0.0.1");
    try {
      await Promise.race([
        once(server, "listening"),
        once(server, "error").then(([err]) => {
          throw err;
        }),
      ]);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigError(
        code === "EADDRINUSE" ? "CONFIG_PORT_IN_USE" : "CONFIG_LISTEN",
        `cannot listen on ${this.options.host ?? "127.0.0.1"}:${port}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    server.on("error", (err) => this.logger.error({ err: (err as Error).message }, "server error"));
    const address = server.address() as AddressInfo;
    if (this.options.port === 0) this.ephemeralPort = address.port;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const url = `${certificatePem === undefined ? "http" : "https"}://${host}:${address.port}${this.path}`;
    this.servedWsdl = withAddress(wsdl, url);
    this.started = certificatePem === undefined ? { url } : { url, certificatePem };
    this.logger.info({ url }, "listening");
    return this.started;
  }

  /** The address `start()` resolved to, once started. */
  get address(): ServerAddress | undefined {
    return this.started;
  }

  /**
   * Test hook for delivery tests: the next matching requests get the given misbehaviour
   * (in list order; each entry is used `count` times).
   * @example
   * ```ts
   * server.injectFaults([{ operation: "SubmitBillingReads", kind: "drop-after-store", count: 1 }]);
   * ```
   */
  injectFaults(faults: InjectedFault[]): void {
    for (const f of faults) {
      if (!Number.isInteger(f.count) || f.count < 0)
        throw new ConfigError("CONFIG_FAULT", "count must be an integer ≥ 0");
      this.faults.push({ ...f });
    }
  }

  private takeFault(operation: string): InjectedFault | undefined {
    const fault = this.faults.find(
      (f) => f.count > 0 && (f.operation === undefined || f.operation === operation),
    );
    if (fault) fault.count--;
    this.faults = this.faults.filter((f) => f.count > 0);
    return fault;
  }

  /**
   * Registration binds the proxy's certificate: a verifier that can pin at run time (the
   * wssec one can) then accepts its later messages by thumbprint reference, also when the
   * certificate was first accepted through `--trust-ca`.
   */
  private pinSigner(pem: string): void {
    if (this.firstUse) {
      if (!this.firstUse.bind(pem))
        this.logger.warn(
          {},
          "a registered certificate has the SKI or issuer and serial of one bound before: it is not bound for those key references",
        );
      return;
    }
    const verifier = this.options.verifier as
      | (RequestVerifier & { trustCertificate?: (pem: string) => void })
      | undefined;
    if (typeof verifier?.trustCertificate !== "function") return;
    try {
      verifier.trustCertificate(pem);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "could not pin a registered signer certificate");
    }
  }

  /** Marks a device disabled: the proxy's next `Sync` answers carry a `Disable` directive. */
  disableDevice(serial: string, reason: string): void {
    this.requireStore().disableDevice(serial, reason);
  }

  /** Everything stored, as `esol server export` prints it. */
  exportStore(): StoreExport {
    return this.requireStore().exportAll();
  }

  /** Stops listening, ends open connections and closes the store. */
  async close(): Promise<void> {
    const server = this.httpServer;
    this.httpServer = undefined;
    this.started = undefined;
    if (server?.listening) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    this.store?.close();
    this.store = undefined;
  }

  private requireStore(): CommunicationStore {
    if (!this.store) throw new StorageError("STORAGE_CLOSED", "the server is not started");
    return this.store;
  }

  // ---------------------------------------------------------------- HTTP front

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader("Accept-Encoding", "gzip");
    const url = new URL(req.url ?? "/", "http://server.invalid");
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    if (pathname !== this.path) return this.plain(res, 404, "not found");
    if (req.method === "GET" || req.method === "HEAD") {
      if (!url.search.toLowerCase().startsWith("?wsdl"))
        return this.plain(res, 405, "POST a SOAP 1.1 envelope, or GET ?wsdl");
      const wsdl = encodeResponseBody(Buffer.from(this.servedWsdl, "utf8"), req.headers["accept-encoding"]);
      res.writeHead(200, {
        "Content-Type": "text/xml; charset=utf-8",
        "Content-Length": wsdl.body.length,
        ...wsdl.headers,
      });
      res.end(req.method === "HEAD" ? undefined : wsdl.body);
      return;
    }
    if (req.method !== "POST") {
      res.setHeader("Allow", "GET, POST");
      return this.plain(res, 405, "POST a SOAP 1.1 envelope, or GET ?wsdl");
    }
    let operation: OperationName | undefined;
    try {
      const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
      if (contentType.startsWith("application/soap+xml"))
        throw new CommunicationFaultError(
          "SOAP_VERSION_MISMATCH",
          "SOAP 1.2 is not supported: send SOAP 1.1 (text/xml)",
          {
            faultCode: "soap:VersionMismatch",
          },
        );
      if (!contentType.startsWith("text/xml"))
        throw new CommunicationFaultError(
          "UNSUPPORTED_MEDIA_TYPE",
          "Content-Type must be text/xml (SOAP 1.1)",
          {
            httpStatus: 415,
          },
        );
      const body = await this.readBody(req);
      const text = decodeRequestBody(body, req.headers["content-type"]);
      const inspected = inspectEnvelope(text);
      operation = inspected.operation;
      this.checkSoapAction(req, operation);

      const injected = this.takeFault(operation);
      if (injected && injected.kind !== "drop-after-store") return this.injectNow(req, res, injected);

      let sender: VerifiedSender | undefined;
      try {
        // Without configured trust an unsigned request is simply unsigned: the strict
        // verifier's wire rules (no CDATA, …) are for what it verifies, and the server's own
        // envelope checks already ran. A ds:Signature cannot hide without its name in the text.
        const unsignedDevTraffic =
          this.firstUse !== undefined && this.signaturePolicy === "optional" && !text.includes("Signature");
        sender = unsignedDevTraffic ? undefined : ((await this.verifier.verifyRequest(text)) ?? undefined);
        const legacyForms = (sender as { legacyForms?: string[] } | undefined)?.legacyForms;
        if (legacyForms?.length)
          this.logger.warn(
            { operation, sender: sender?.subject, legacyForms },
            "accepted under the legacy profile",
          );
        if (!sender && this.signaturePolicy !== "optional")
          throw new SecurityError(
            "WSS_UNSIGNED",
            "the request is not signed; this server requires signatures",
          );
      } catch (err) {
        if (isSdkError(err) && err.code.startsWith("WSS_")) {
          this.logger.warn({ operation, code: err.code }, "request refused by the verifier");
          return this.sendSecurityFault(req, res, err, operation);
        }
        throw err;
      }
      const senderTrusted =
        sender !== undefined &&
        this.firstUse === undefined &&
        (sender as VerifiedSender & { trusted?: boolean }).trusted !== false;

      const context: RequestContext = {
        now: this.clock(),
        sender,
        senderTrusted,
        fault: undefined,
        refusal: undefined,
      };
      const answer = await (this.soapServer as soap.Server).processRequest(inspected.bodyOnlyEnvelope, {
        url: this.path,
        method: "POST",
        headers: {
          "content-type": "text/xml; charset=utf-8",
          soapaction: `"${SOAP_ACTION_PREFIX}${operation}"`,
        },
        connection: context,
      });
      if (context.refusal) {
        this.logger.warn({ operation, code: context.refusal.code }, "request refused: proxy certificate");
        return this.sendSecurityFault(req, res, context.refusal, operation);
      }
      if (injected?.kind === "drop-after-store") {
        this.logger.info({ operation }, "injected fault: connection dropped after store");
        req.socket.destroy();
        return;
      }
      if (context.fault) throw context.fault;
      if (answer.statusCode !== 200) {
        this.logger.error(
          { operation, status: answer.statusCode },
          "soap could not process a checked request",
        );
        throw new CommunicationFaultError("INTERNAL", "the server could not process the request", {
          retryable: true,
        });
      }
      await this.sendEnvelope(req, res, 200, answer.body, operation);
    } catch (err) {
      const fault = toFault(err);
      if (fault.code === "INTERNAL")
        this.logger.error({ operation, err: (err as Error)?.message }, "internal error");
      else this.logger.info({ operation, code: fault.code, field: fault.field }, "request refused");
      if (fault.code === "REQUEST_TOO_LARGE") res.setHeader("Connection", "close");
      await this.sendEnvelope(req, res, fault.httpStatus, faultEnvelope(fault), operation ?? "unknown");
    }
  }

  /** Reads the body, refusing more than `maxRequestBytes` on the wire and after gunzip. */
  private async readBody(req: http.IncomingMessage): Promise<Buffer> {
    const max = this.maxRequestBytes;
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

  /** A SOAPAction, when sent, must name the operation of the Body (node-soap would dispatch on it). */
  private checkSoapAction(req: http.IncomingMessage, operation: OperationName): void {
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

  private injectNow(req: http.IncomingMessage, res: http.ServerResponse, fault: InjectedFault): void {
    this.logger.info({ kind: fault.kind }, "injected fault");
    if (fault.kind === "drop-before-store") {
      req.socket.destroy();
      return;
    }
    const status = fault.kind === "http-503" ? 503 : fault.kind === "http-429" ? 429 : 400;
    const retryAfter = fault.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
    if (retryAfter !== undefined && status !== 400) res.setHeader("Retry-After", String(retryAfter));
    this.plain(
      res,
      status,
      status === 400 ? "bad request" : status === 429 ? "too many requests" : "service unavailable",
    );
  }

  /** A `WSS_*` refusal: its answer from the one fault table, with the CommunicationFault detail. */
  private async sendSecurityFault(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    err: SdkError,
    operation: string,
  ) {
    const fault = securityFaultFor(err);
    await this.sendEnvelope(req, res, fault.httpStatus, faultEnvelope(fault), operation);
  }

  /**
   * Sends an envelope (answer or fault). The order matters for signed responses: the text
   * is compacted first, then signed, so the signer sees exactly the bytes that go out;
   * gzip comes last and is undone by the client before it verifies.
   */
  private async sendEnvelope(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    envelope: string,
    operation: string,
  ) {
    let text = compactEnvelope(envelope);
    if (this.options.responseSecurity) {
      try {
        text = await this.options.responseSecurity.secureRequest(text, { operation, attempt: 1 });
      } catch (err) {
        this.logger.error({ operation, err: (err as Error).message }, "response signing failed");
        status = 500;
        text = faultEnvelope(
          new CommunicationFaultError("INTERNAL", "the server could not sign its response", {
            retryable: true,
          }),
        );
      }
    }
    if (res.headersSent || res.destroyed) return;
    const encoded = encodeResponseBody(Buffer.from(text, "utf8"), req.headers["accept-encoding"]);
    res.writeHead(status, {
      "Content-Type": "text/xml; charset=utf-8",
      "Content-Length": encoded.body.length,
      ...encoded.headers,
    });
    res.end(encoded.body);
  }

  private plain(res: http.ServerResponse, status: number, text: string): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  private lastResort(res: http.ServerResponse, err: unknown): void {
    this.logger.error({ err: (err as Error)?.message }, "unhandled request failure");
    if (!res.headersSent && !res.destroyed) {
      const body = faultEnvelope(
        new CommunicationFaultError("INTERNAL", "internal error", { retryable: true }),
      );
      res.writeHead(500, {
        "Content-Type": "text/xml; charset=utf-8",
        "Content-Length": Buffer.byteLength(body),
      });
      res.end(body);
    } else res.destroy();
  }

  // ---------------------------------------------------------------- operations

  /**
   * The ProxyId lock: a proxy bound to a certificate accepts only requests signed by it.
   * An unbound proxy accepts a signer a configured verifier trusts, a first-use signer
   * only for `RegisterProxy` (which binds it), and anyone under the `optional` policy.
   */
  private checkSigner(operation: OperationName, proxyId: string, ctx: RequestContext): void {
    const bound = this.requireStore().boundSignerOf(proxyId);
    const sender = ctx.sender;
    const who = JSON.stringify(proxyId.slice(0, 64));
    if (!sender) {
      if (bound !== undefined)
        throw new SecurityError(
          "WSS_UNSIGNED",
          `proxy ${who} is bound to a certificate: its requests must be signed with it`,
        );
      return;
    }
    if (bound !== undefined) {
      if (bound !== sender.thumbprintSha256)
        throw new SecurityError(
          "WSS_UNTRUSTED_KEY",
          `proxy ${who} is bound to another certificate than the one that signed this request`,
        );
      return;
    }
    if (ctx.senderTrusted || operation === "RegisterProxy" || this.signaturePolicy === "optional") return;
    throw new SecurityError(
      "WSS_UNTRUSTED_KEY",
      `proxy ${who} has no bound certificate: register it with a signed RegisterProxy first`,
    );
  }

  private services(): soap.IServices {
    const op =
      <I extends { proxyId: string }>(
        name: OperationName,
        validate: (args: unknown) => I,
        run: (input: I, ctx: RequestContext) => object,
      ) =>
      (args: unknown, _callback: unknown, _headers: unknown, req: { connection?: RequestContext }) => {
        const ctx = req.connection as RequestContext;
        try {
          const input = validate(args);
          // Checked and stored in one synchronous step: no other request can bind in between.
          this.checkSigner(name, input.proxyId, ctx);
          return run(input, ctx);
        } catch (err) {
          if (isSdkError(err) && err.code.startsWith("WSS_")) {
            ctx.refusal = err;
            return {};
          }
          // The pre-handler turns this into the fault envelope; soap's own fault is discarded.
          ctx.fault = toFault(err);
          this.logger.debug({ operation: name, code: ctx.fault.code }, "operation refused");
          return {};
        }
      };
    const store = () => this.requireStore();
    const ack = (counts: AckCounts) => ({
      Ack: { Accepted: counts.accepted, Duplicates: counts.duplicates },
    });
    return {
      CommunicationService: {
        CommunicationPort: {
          RegisterProxy: op("RegisterProxy", validateRegisterProxy, (input, ctx) => {
            const result = store().registerProxy(input, ctx.now, ctx.sender, ctx.senderTrusted);
            const sender = ctx.sender;
            if (
              sender &&
              (ctx.senderTrusted || this.firstUse) &&
              store().boundSignerOf(input.proxyId) === sender.thumbprintSha256
            )
              this.pinSigner(sender.certificatePem);
            return {
              ProxyId: result.proxyId,
              ServerTime: ctx.now.toISOString(),
              Duplicate: result.duplicate,
            };
          }),
          RegisterDevices: op("RegisterDevices", validateRegisterDevices, (input, ctx) =>
            ack(store().registerDevices(input, ctx.now, this.policy.deviceMoves)),
          ),
          Sync: op("Sync", validateSync, (input, ctx) =>
            syncResponse(ctx.now, store().sync(input, ctx.now, this.policy)),
          ),
          ReportSyncStatus: op("ReportSyncStatus", validateReportSyncStatus, (input, ctx) =>
            ack(store().reportSyncStatus(input, ctx.now)),
          ),
          SubmitBillingReads: op("SubmitBillingReads", validateSubmitBillingReads, (input, ctx) =>
            ack(store().submitBillingReads(input, ctx.now, this.policy.cycle)),
          ),
          SubmitSuppliesReport: op("SubmitSuppliesReport", validateSubmitSuppliesReport, (input, ctx) =>
            ack(store().submitSuppliesReport(input, ctx.now)),
          ),
        },
      },
    };
  }
}

/** The `SyncResponse` object in schema order (node-soap writes keys in insertion order). */
function syncResponse(now: Date, d: SyncDirectives): Record<string, unknown> {
  const out: Record<string, unknown> = { ServerTime: now.toISOString() };
  if (d.configure) {
    const c: Record<string, unknown> = {};
    if (d.configure.pollIntervalSeconds !== undefined)
      c.PollIntervalSeconds = d.configure.pollIntervalSeconds;
    if (d.configure.windowStart !== undefined) c.WindowStart = d.configure.windowStart;
    if (d.configure.windowEnd !== undefined) c.WindowEnd = d.configure.windowEnd;
    out.Configure = c;
  }
  if (d.enableService.length)
    out.EnableService = d.enableService.map((e) => ({ Serial: e.serial, Service: e.service }));
  if (d.billingRequest.length)
    out.BillingRequest = d.billingRequest.map((b) => ({
      Serial: b.serial,
      Cycle: b.cycle,
      ...(b.meters.length ? { Meter: b.meters } : {}),
      Due: b.due.toISOString(),
    }));
  if (d.suppliesRequest.length)
    out.SuppliesRequest = d.suppliesRequest.map((s) => ({
      Serial: s.serial,
      IntervalSeconds: s.intervalSeconds,
    }));
  if (d.disable.length)
    out.Disable = d.disable.map((x) =>
      x.reason === undefined ? { Serial: x.serial } : { Serial: x.serial, Reason: x.reason },
    );
  return out;
}

/** Any failure as the fault to send: refusals keep their code; storage trouble is retryable; the rest is INTERNAL. */
function toFault(err: unknown): CommunicationFaultError {
  if (err instanceof CommunicationFaultError) return err;
  if (isSdkError(err) && err.code.startsWith("WSS_")) return securityFaultFor(err);
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && code.startsWith("SQLITE_"))
    return new CommunicationFaultError(
      "STORAGE_UNAVAILABLE",
      "the server could not store the request; resend later",
      {
        retryable: true,
        cause: err,
      },
    );
  return new CommunicationFaultError("INTERNAL", "internal error", { retryable: true, cause: err });
}
