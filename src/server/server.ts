/**
 * The reference Communication Server: an HTTP(S) front with a pre-handler that bounds,
 * inflates, inspects and verifies each request before node-soap dispatches it to the six
 * operations (operations.ts) over one store — a SQLite file, or a PostgreSQL database
 * shared by several server processes (store.ts).
 * @module
 */
import { once } from "node:events";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import * as soap from "soap";
import type { Clock } from "../clock.js";
import { ConfigError, isSdkError, type SdkError, SecurityError, StorageError } from "../errors.js";
import type { MessageSecurity, RequestVerifier, VerifiedSender } from "../soap/security.js";
import { compactEnvelope, encodeResponseBody } from "./compress.js";
import { inspectEnvelope, type OperationName } from "./envelope.js";
import { CommunicationFaultError, decodeRequestBody, faultEnvelope, securityFaultFor } from "./faults.js";
import { operationServices, type RequestContext, toFault } from "./operations.js";
import { type BillingCycleKind, DEVICE_MOVE_POLICIES, type DeviceMovePolicy } from "./policy.js";
import { checkSoapAction, readRequestBody, replayEntryOf, SOAP_ACTION_PREFIX } from "./request.js";
import {
  FirstUseVerifier,
  SIGNATURE_POLICIES,
  type SignaturePolicy,
  type TimestampRules,
} from "./signers.js";
import {
  asStoreBackend,
  checkStoreDbScheme,
  isPostgresUrl,
  openStoreBackend,
  type ServerStore,
  type ServerStoreOptions,
  type StoreBackend,
  type StoreExport,
  type StorePolicy,
} from "./store.js";
import { SqliteServerStore } from "./store-sqlite.js";
import { selfSignedPairFor } from "./tls.js";
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

/** Options of {@link CommunicationServer}: one of `store`, `db` or `dbPath` names the store. */
export interface CommunicationServerOptions {
  /** The SQLite file (created when absent); the same as `db` with a path. */
  dbPath?: string;
  /**
   * Where the server keeps its state: a SQLite file path (created when absent; one process)
   * or a PostgreSQL URL `postgres://USER[:PASS]@HOST:PORT/DB` (any number of server
   * processes on one database; needs `tls` set, as there is no folder to keep a generated
   * pair in). The server opens it at `start()` and closes it at `close()`.
   */
  db?: string;
  /** Pool size, statement timeout and TLS of a PostgreSQL `db` (see {@link ServerStoreOptions}). */
  storeOptions?: ServerStoreOptions;
  /**
   * A store opened by `openServerStore` (several servers in one process may share it); the
   * caller closes it after the servers. Needs `tls` set (a pair, or `false`).
   */
  store?: ServerStore;
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** TCP port. Default 8443; 0 = ephemeral (chosen by the OS at the first start and kept by later starts of the same server, so its URL stays valid). */
  port?: number;
  /**
   * TLS pair; `false` = plain HTTP; undefined = a self-signed pair generated into the SQLite
   * file's folder and reused (a PostgreSQL store needs it set).
   */
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
    /**
     * Days from the request to its due date, but the due date never passes the end of the
     * request's billing cycle (1 s before it: a read due in the next cycle would belong to
     * the next invoice). Default 7.
     */
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
  /**
   * The server's clock (tests run a month in seconds on a `ManualClock` or `ScaledClock`).
   * Default wall time. A plain function returning a `Date` is deprecated (accepted until 0.3):
   * pass a {@link Clock}.
   */
  clock?: Clock | (() => Date);
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
const SILENT: ServerLogger = { debug() {}, info() {}, warn() {}, error() {} };
/**
 * At most one reload of the bound certificates per this many ms of the server's clock: a
 * request naming a key this process does not know may reload them (another process on the
 * store may have bound it), but a stream of such requests costs the database one query a
 * second, not one per request. A certificate another process bound is therefore accepted
 * here at most this long after the first refusal that could not reload.
 */
export const SIGNER_RELOAD_INTERVAL_MS = 1_000;

/** The health endpoint's path (outside the SOAP endpoint's). */
const HEALTH_PATH = "/health";

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
 * Health: `GET /health` answers 200 `{"status":"ok","store":…}` while the store answers,
 * 503 with `"status":"unavailable"` when its database does not (a load balancer's check).
 *
 * Several processes may share one PostgreSQL store: idempotency, the replay cache, the
 * certificate bindings and billing requests are then decided by the database.
 *
 * @example
 * ```ts
 * import { CommunicationServer } from "esolutions-sdk/server";
 * // Trust on first use by default; `verifier: createRequestVerifier({ trust })` pins signers.
 * const server = new CommunicationServer({ db: "./server.db", port: 8443, billing: { cycle: "quarterly" } });
 * const { url, certificatePem } = await server.start();
 * // ... clients talk to `url` trusting `certificatePem` ...
 * console.log((await server.exportStoreAsync()).billingReads.length);
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
  private readonly timestamps: TimestampRules | undefined;
  private store: StoreBackend | undefined;
  /** The store to open at `start()` (path or URL), unless one was handed over. */
  private readonly db: string | undefined;
  private httpServer: http.Server | undefined;
  private soapServer: soap.Server | undefined;
  private servedWsdl = "";
  private faults: InjectedFault[] = [];
  private started: ServerAddress | undefined;

  constructor(options: CommunicationServerOptions) {
    const named = [options?.store, options?.db, options?.dbPath].filter((x) => x !== undefined);
    if (named.length !== 1)
      throw named.length === 0
        ? new ConfigError("CONFIG_DB", "one of store, db or dbPath is required")
        : new ConfigError("CONFIG_STORE", "give one of store, db or dbPath, not several");
    const db = options.db ?? options.dbPath;
    if (db !== undefined && (typeof db !== "string" || db === ""))
      throw new ConfigError("CONFIG_DB", "db (or dbPath) must be a file path or a postgres:// URL");
    if (db !== undefined) checkStoreDbScheme(db, options.db !== undefined ? "db" : "dbPath");
    if (options.store !== undefined && asStoreBackend(options.store) === undefined)
      throw new ConfigError("CONFIG_STORE", "store must come from openServerStore()");
    const fileStore = db !== undefined ? !isPostgresUrl(db) : options.store?.kind === "sqlite";
    if (options.tls === undefined && (!fileStore || db === undefined))
      throw new ConfigError(
        "CONFIG_STORE",
        "set tls (a pair, or false behind a TLS-terminating proxy): a self-signed pair is generated only next to a SQLite db file",
      );
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
    this.db = db;
    this.path = path.length > 1 ? path.replace(/\/+$/, "") : path;
    this.maxRequestBytes = max;
    this.logger = options.logger ?? SILENT;
    const source = options.clock;
    this.clock =
      source === undefined
        ? () => new Date()
        : typeof source === "function"
          ? source
          : () => new Date(source.now());
    const clock = this.clock;
    this.firstUse = options.verifier
      ? undefined
      : new FirstUseVerifier({ ...options.timestamps, maxBytes: max, clock: () => clock().getTime() });
    this.timestamps = options.timestamps;
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
    this.store =
      this.db === undefined
        ? (asStoreBackend(this.options.store as ServerStore) as StoreBackend)
        : await openStoreBackend(this.db, { logger: this.logger, ...this.options.storeOptions });
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
      const pair = this.options.tls ?? (await selfSignedPairFor(this.db as string));
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
        services: operationServices({
          store: () => this.requireStore(),
          policy: this.policy,
          signaturePolicy: this.signaturePolicy,
          firstUse: this.firstUse !== undefined,
          pinSigner: (pem) => this.pinSigner(pem),
          logger: this.logger,
        }),
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

    await this.loadBoundSigners();

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
    this.boundHere.add(pem);
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

  /**
   * Binds into the verifier the certificates proxies registered with (at start, and again
   * when a request names a key this process has not seen: another process sharing the
   * store bound it). Only certificates a trusting verifier accepted go back into it: one
   * bound on first use must not become trusted because the server restarted with --trust.
   */
  private async loadBoundSigners(): Promise<void> {
    const store = this.requireStore();
    if (this.firstUse) {
      for (const pem of await store.registeredSignerCertificates())
        if (!this.boundHere.has(pem)) {
          this.boundHere.add(pem);
          this.firstUse.bind(pem);
        }
    } else
      for (const pem of await store.registeredSignerCertificates({ trustedOnly: true }))
        if (!this.boundHere.has(pem)) this.pinSigner(pem);
  }

  /** Certificates (PEM) already bound into this process's verifier. */
  private readonly boundHere = new Set<string>();
  /** Server-clock ms of the last reload of the bound certificates (see {@link SIGNER_RELOAD_INTERVAL_MS}). */
  private lastSignerReload = Number.NEGATIVE_INFINITY;
  /** The reload running now, which concurrent refusals wait on instead of starting their own. */
  private signerReload: Promise<void> | undefined;

  /**
   * Reloads the bound certificates unless one reload runs (then waits for it) or one ran
   * less than {@link SIGNER_RELOAD_INTERVAL_MS} ago (then returns false). Each reload is
   * logged at debug level as `bound signer certificates reloaded`.
   */
  private async reloadBoundSigners(): Promise<boolean> {
    if (this.signerReload) {
      await this.signerReload;
      return true;
    }
    const now = this.clock().getTime();
    // A clock set back (tests) does not block reloads for the time it went back.
    if (now >= this.lastSignerReload && now - this.lastSignerReload < SIGNER_RELOAD_INTERVAL_MS) return false;
    this.lastSignerReload = now;
    const before = this.boundHere.size;
    this.signerReload = this.loadBoundSigners().finally(() => {
      this.signerReload = undefined;
    });
    await this.signerReload;
    this.logger.debug({ added: this.boundHere.size - before }, "bound signer certificates reloaded");
    return true;
  }

  /**
   * Marks a device disabled: the proxy's next `Sync` answers carry a `Disable` directive.
   * @throws CommunicationFaultError `UNKNOWN_DEVICE` (as a rejection).
   */
  async disableDevice(serial: string, reason: string): Promise<void> {
    await this.requireStore().disableDevice(serial, reason);
  }

  /**
   * Everything stored, as `esol server export` prints it, read synchronously: a SQLite store
   * only ({@link CommunicationServer.exportStoreAsync} reads any store).
   * @throws ConfigError `CONFIG_STORE` for a PostgreSQL store.
   */
  exportStore(): StoreExport {
    const store = this.requireStore();
    if (!(store instanceof SqliteServerStore))
      throw new ConfigError("CONFIG_STORE", "exportStore() reads a SQLite store; use exportStoreAsync()");
    return store.exportAllSync();
  }

  /** Everything stored, as `esol server export` prints it (any store). */
  async exportStoreAsync(): Promise<StoreExport> {
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
    // A store handed over is the caller's to close.
    if (this.db !== undefined) await this.store?.close();
    this.store = undefined;
    this.boundHere.clear();
  }

  private requireStore(): StoreBackend {
    if (!this.store) throw new StorageError("STORAGE_CLOSED", "the server is not started");
    return this.store;
  }

  // ---------------------------------------------------------------- HTTP front

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader("Accept-Encoding", "gzip");
    const url = new URL(req.url ?? "/", "http://server.invalid");
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    if (pathname === HEALTH_PATH && pathname !== this.path && (req.method === "GET" || req.method === "HEAD"))
      return this.health(req, res);
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
      const body = await readRequestBody(req, this.maxRequestBytes);
      const text = decodeRequestBody(body, req.headers["content-type"]);
      const inspected = inspectEnvelope(text);
      operation = inspected.operation;
      checkSoapAction(req, operation);

      const injected = this.takeFault(operation);
      if (injected && injected.kind !== "drop-after-store") return this.injectNow(req, res, injected);

      let sender: VerifiedSender | undefined;
      try {
        // Without configured trust an unsigned request is simply unsigned: the strict
        // verifier's wire rules (no CDATA, …) are for what it verifies, and the server's own
        // envelope checks already ran. A ds:Signature cannot hide without its name in the text.
        const unsignedDevTraffic =
          this.firstUse !== undefined && this.signaturePolicy === "optional" && !text.includes("Signature");
        sender = unsignedDevTraffic ? undefined : await this.verify(text);
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
        // The replay cache every process on the store shares (the verifier's own sees only
        // what this process accepted): recorded in the operation's transaction.
        replay: sender && replayEntryOf(sender, this.timestamps?.clockSkewMs),
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

  /**
   * Verifies with the configured or first-use verifier. A key it does not know may have been
   * bound by another process on the same store: the bindings are reloaded (at most once
   * per {@link SIGNER_RELOAD_INTERVAL_MS}) and the request verified again.
   */
  private async verify(text: string): Promise<VerifiedSender | undefined> {
    try {
      return (await this.verifier.verifyRequest(text)) ?? undefined;
    } catch (err) {
      if (!(isSdkError(err) && err.code === "WSS_UNTRUSTED_KEY")) throw err;
      const known = this.boundHere.size;
      if (!(await this.reloadBoundSigners()) || this.boundHere.size === known) throw err;
      return (await this.verifier.verifyRequest(text)) ?? undefined;
    }
  }

  /** `GET /health`: 200 while the store answers, 503 when its database does not. */
  private async health(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const store = this.store;
    let reachable = false;
    try {
      await store?.ping();
      reachable = store !== undefined;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "health: the store does not answer");
    }
    const body = JSON.stringify({
      status: reachable ? "ok" : "unavailable",
      store: store?.kind ?? null,
      database: reachable ? "reachable" : "unreachable",
    });
    if (res.headersSent || res.destroyed) return;
    res.writeHead(reachable ? 200 : 503, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body),
      "Cache-Control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
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
}
