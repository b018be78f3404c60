/**
 * The server's storage seam: the {@link ServerStore} every store implements, the shapes it
 * exchanges with the operations, and {@link openServerStore}, which picks the store by
 * location (a file path: SQLite, one process; a `postgres://` URL: PostgreSQL, any number of
 * processes on one database).
 * @module
 */
import { ConfigError } from "../errors.js";
import type { VerifiedSender } from "../soap/security.js";
import type { BillingCycleKind, DeviceMovePolicy } from "./policy.js";
import type { SignerProfileGrant } from "./signer-profiles.js";
import type { RequestScope } from "./store-flow.js";
import { PostgresServerStore } from "./store-pg.js";
import { SqliteServerStore } from "./store-sqlite.js";
import type {
  ReceivedSyncInput,
  RegisterDevicesInput,
  RegisterProxyInput,
  ReportSyncStatusInput,
  SubmitBillingReadsInput,
  SubmitSuppliesReportInput,
  SupplyInput,
} from "./validate.js";

/** How many items a request stored and how many it repeated (an `Ack`). */
export interface AckCounts {
  accepted: number;
  duplicates: number;
}

/** The server's billing and supplies policy, as the store applies it in `Sync`. */
export interface StorePolicy {
  cycle: BillingCycleKind;
  /** Meter names requested; empty = every billing meter. */
  meters: string[];
  /** Days from a billing request to its due date; the due date never passes the cycle's end. */
  dueDays: number;
  /** Supplies report interval, or undefined when supplies are off. */
  suppliesIntervalMs: number | undefined;
  configure: ConfigureDirective | undefined;
  /** What `RegisterDevices` does with a serial another proxy registered. */
  deviceMoves: DeviceMovePolicy;
}

/**
 * A signed message's entry in the replay cache every process on a store shares: recorded
 * in the same transaction as the operation it carries, so a message whose operation is
 * refused or fails (`STORAGE_UNAVAILABLE`) is not used up and its resend is accepted.
 */
export interface ReplayRecord {
  /** SHA-256 (base64) of the signer, the Timestamp (WS-Security 1.1 §10) and the canonical Body. */
  digest: string;
  /** Until when the message is remembered: its Expires plus the verifiers' clock skew. */
  expiresAt: Date;
}

/** The client-wide `Configure` directive. */
export interface ConfigureDirective {
  pollIntervalSeconds?: number;
  windowStart?: string;
  windowEnd?: string;
}

/** The directives of one `Sync` answer. */
export interface SyncDirectives {
  configure: ConfigureDirective | undefined;
  enableService: Array<{ serial: string; service: "billing" | "supplies" }>;
  billingRequest: Array<{ serial: string; cycle: string; meters: string[]; due: Date }>;
  suppliesRequest: Array<{ serial: string; intervalSeconds: number }>;
  disable: Array<{ serial: string; reason?: string }>;
}

/** `esol server export` / `CommunicationServer.exportStore()` JSON. */
export interface StoreExport {
  /** Registered clients (proxies). */
  proxies: Array<{
    /** The proxy's id. */
    proxyId: string;
    /** Site name it registered with. */
    site: string | null;
    /** Software it reported. */
    software: string | null;
    /** Host name it reported. */
    host: string | null;
    /** When it registered, ISO 8601 UTC. */
    registeredAt: string;
    /** The certificate that signed its registration, when it was signed. */
    signer?: {
      /** SHA-256 thumbprint of the certificate, hex. */
      thumbprintSha256: string;
      /** Its subject DN. */
      subject: string | null;
      /** `legacy` when the operator granted this certificate the legacy profile (`--trust-legacy`). */
      profile?: "strict" | "legacy";
      /** When that profile was granted, ISO 8601 UTC. */
      profileGrantedAt?: string;
    };
  }>;
  /** Registered devices. */
  devices: Array<{
    /** Serial number. */
    serial: string;
    /** The proxy that registered it. */
    proxyId: string;
    /** Vendor, when reported. */
    vendor: string | null;
    /** Model, when reported. */
    model: string | null;
    /** MAC address, when reported. */
    mac: string | null;
    /** Network address (`host:port`), when reported. */
    address: string | null;
    /** When it was registered, ISO 8601 UTC. */
    registeredAt: string;
    /** Services the proxy confirmed it turned on (`ReportSyncStatus`). */
    services: {
      /** Billing reads. */
      billing: boolean;
      /** Supplies reports. */
      supplies: boolean;
    };
    /** Last state the proxy reported (`ok`, `silent`, `replaced`, `disabled`). */
    state: string;
    /** When that state was reported, ISO 8601 UTC. */
    lastStatusAt: string | null;
  }>;
  /** Billing reads, each key once. */
  billingReads: Array<{
    /** Idempotency key. */
    key: string;
    /** Device serial. */
    serial: string;
    /** When the device was read, ISO 8601 UTC. */
    readAt: string;
    /** Billing cycle answered (`2026-11`, `2026-Q4`, `2026-H2`), when any. */
    cycle: string | null;
    /** The meters sent. */
    meters: Array<{
      /** Meter name. */
      name: string;
      /** Counter value. */
      value: number;
      /** Unit, when sent. */
      unit: string | null;
    }>;
    /** When the server first stored it, ISO 8601 UTC. */
    receivedAt: string;
  }>;
  /** Supplies reports, each key once. */
  suppliesReports: Array<{
    /** Idempotency key. */
    key: string;
    /** Device serial. */
    serial: string;
    /** When the device was read, ISO 8601 UTC. */
    readAt: string;
    /** Supply levels as sent. */
    supplies: SupplyInput[];
    /** When the server first stored it, ISO 8601 UTC. */
    receivedAt: string;
  }>;
  /** Billing requests issued in `Sync` answers. */
  billingRequests: Array<{
    /** Device serial. */
    serial: string;
    /** Billing cycle id. */
    cycle: string;
    /** Meter names asked for (empty = every meter). */
    meters: string[];
    /** Due date, ISO 8601 UTC. */
    due: string;
    /** When it was first issued, ISO 8601 UTC. */
    issuedAt: string;
    /** When a read answering it was stored, ISO 8601 UTC; null while open. */
    fulfilledAt: string | null;
  }>;
  /**
   * Devices that moved from one proxy to another (only under `deviceMoves: "allow"`),
   * oldest first.
   */
  deviceMoves: Array<{
    /** Device serial. */
    serial: string;
    /** The proxy it was registered to. */
    fromProxyId: string;
    /** The proxy whose `RegisterDevices` took it over. */
    toProxyId: string;
    /** When the server accepted the move (its clock), ISO 8601 UTC. */
    movedAt: string;
  }>;
}

/**
 * TLS to PostgreSQL, named as libpq's `sslmode` (PostgreSQL docs §34.19.1 "SSL Support"):
 * `disable` plain TCP; `require` encrypted, the server's certificate not checked;
 * `verify-ca` encrypted, the certificate must chain to `sslRootCert`; `verify-full` as
 * `verify-ca` and the host name must match it. An `sslmode` in the URL takes precedence.
 */
export type PostgresSslMode = "disable" | "require" | "verify-ca" | "verify-full";

/**
 * Where a store reports what goes wrong outside a request (pino-compatible; a server's
 * `logger` fits): a failed sweep of the replay cache.
 */
export interface StoreLogger {
  /** Something that needs attention but failed no request. */
  warn(obj: object, msg?: string): void;
}

/** Options of {@link openServerStore}. */
export interface ServerStoreOptions {
  /** Open an existing store for reading only (export); SQLite opens the file read-only. */
  readonly?: boolean;
  /**
   * Where background failures are reported (a failed replay-cache sweep, which no request
   * waits for). A server that opens its own store (`db`) passes its `logger`. Default none.
   */
  logger?: StoreLogger;
  /** PostgreSQL: connections in this process's pool. Default 10. */
  poolSize?: number;
  /** PostgreSQL: `statement_timeout` of each connection, in ms (0 = none). Default 10,000. */
  statementTimeoutMs?: number;
  /** PostgreSQL: how long to wait for a connection (new or from the pool), in ms. Default 5,000. */
  connectionTimeoutMs?: number;
  /**
   * PostgreSQL: TLS mode. Default (when the URL has no `sslmode` either): `disable` for a
   * database on loopback or a Unix socket, `require` for any other host. Use `verify-full` with
   * `sslRootCert` to also check the database server's certificate.
   */
  sslMode?: PostgresSslMode;
  /** PostgreSQL: CA certificate(s), PEM, for `verify-ca` / `verify-full`. */
  sslRootCert?: string;
}

/**
 * A server store, opened by {@link openServerStore} and handed to `CommunicationServer`
 * as `store` (the server then uses it, and leaves closing it to the caller).
 */
export interface ServerStore {
  /** `sqlite` (one file, one process) or `postgres` (one database, many processes). */
  readonly kind: "sqlite" | "postgres";
  /**
   * Checks the database answers (the health endpoint).
   * @throws StorageError `STORAGE_UNAVAILABLE` when it does not.
   */
  ping(): Promise<void>;
  /** Everything stored, as `esol server export` prints it. */
  exportAll(): Promise<StoreExport>;
  /** Forgets the certificate `proxyId` is bound to; false when it was not bound. */
  unbindSigner(proxyId: string): Promise<boolean>;
  /** Releases the file or the connection pool. */
  close(): Promise<void>;
}

/**
 * What the operations need from a store. Each method is one transaction: a refusal
 * ({@link CommunicationFaultError}, or `SecurityError` for a binding lost to a concurrent
 * registration) stores nothing, and so does a failure of the database
 * (`StorageError` `STORAGE_UNAVAILABLE`, retryable). The operations take a
 * {@link RequestScope}: the signed message's {@link ReplayRecord}, if any, is recorded in
 * that same transaction (a message already recorded and not expired is refused,
 * `SecurityError` `WSS_REPLAY`; a refused or failed operation leaves no record, so
 * resending it is not a replay), and the ProxyId lock is re-checked in it against the
 * binding as of then. The replay cache is the store's (a table), shared by every server
 * on it, in one process or many.
 * @internal
 */
export interface StoreBackend extends ServerStore {
  /** The SHA-256 thumbprint of the certificate `proxyId` is bound to, if any. */
  boundSignerOf(proxyId: string): Promise<string | undefined>;
  /**
   * `RegisterProxy`: creates or updates the proxy; a repeated key answers `duplicate`. The
   * first signed registration binds the signer's certificate; a registration signed by
   * another certificate than the bound one is refused (`WSS_UNTRUSTED_KEY`) inside the
   * same transaction, so two first registrations racing bind one certificate.
   */
  registerProxy(
    input: RegisterProxyInput,
    scope: RequestScope,
    sender: VerifiedSender | undefined,
    trusted: boolean,
  ): Promise<{ proxyId: string; duplicate: boolean }>;
  /** `RegisterDevices` under the device-move policy. */
  registerDevices(
    input: RegisterDevicesInput,
    scope: RequestScope,
    deviceMoves: DeviceMovePolicy,
  ): Promise<AckCounts>;
  /** `ReportSyncStatus`: records which services the client confirmed. */
  reportSyncStatus(input: ReportSyncStatusInput, scope: RequestScope): Promise<AckCounts>;
  /** `SubmitBillingReads`: stores each read key once and marks the billing requests it fulfils. */
  submitBillingReads(
    input: SubmitBillingReadsInput,
    scope: RequestScope,
    cycle: BillingCycleKind,
  ): Promise<AckCounts>;
  /** `SubmitSuppliesReport`: stores each report key once. */
  submitSuppliesReport(input: SubmitSuppliesReportInput, scope: RequestScope): Promise<AckCounts>;
  /** `Sync`: records the reported states, then the directives for each device of the proxy. */
  sync(input: ReceivedSyncInput, scope: RequestScope, policy: StorePolicy): Promise<SyncDirectives>;
  /** Marks a device disabled by the server. @throws CommunicationFaultError `UNKNOWN_DEVICE`. */
  disableDevice(serial: string, reason: string): Promise<void>;
  /** Certificates (PEM) proxies registered with, oldest first. */
  registeredSignerCertificates(options?: { trustedOnly?: boolean }): Promise<string[]>;
  /**
   * Replaces the recorded signer-profile grants with `grants` in one transaction (a grant
   * already recorded with the same profile keeps its `grantedAt`; new ones get `at`).
   */
  recordSignerProfiles(grants: ReadonlyArray<Omit<SignerProfileGrant, "grantedAt">>, at: Date): Promise<void>;
  /** The recorded signer-profile grants, oldest first (none in a store that never had any). */
  signerProfiles(): Promise<SignerProfileGrant[]>;
}

/** Whether `db` names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * Opens a server store: `db` is a SQLite file path (created when absent unless `readonly`)
 * or a PostgreSQL URL `postgres://USER[:PASS]@HOST:PORT/DB`. The schema is created or
 * migrated (PostgreSQL: under an advisory lock, so processes starting together do not
 * race); a store written by a newer version is refused.
 * @throws ConfigError `CONFIG_DB` for another `<scheme>://` (e.g. `mysql://`): never taken as a file path.
 * @throws StorageError `STORAGE_OPEN` (also TLS to the database refused: a certificate
 *   that does not verify under `sslMode`), `STORAGE_NOT_FOUND` (readonly, no file),
 *   `STORAGE_SCHEMA` (not a store, or a newer schema), `STORAGE_UNAVAILABLE` (the database
 *   does not answer).
 * @example
 * ```ts
 * const store = await openServerStore("postgres://esol@db.example:5432/esol", { poolSize: 20 });
 * const server = new CommunicationServer({ store, tls: false });
 * ```
 */
export async function openServerStore(db: string, options: ServerStoreOptions = {}): Promise<ServerStore> {
  return openStoreBackend(db, options);
}

/**
 * Refuses a `db` that starts with a URL scheme (RFC 3986 §3.1: `ALPHA *( ALPHA / DIGIT / "+" /
 * "-" / "." )` then `://`) other than `postgres` / `postgresql`, which would otherwise be taken
 * as a SQLite file path. `label` names the setting in the message (`--db` for the CLI).
 * @throws ConfigError `CONFIG_DB` naming the scheme and what is supported.
 * @internal
 */
export function checkStoreDbScheme(db: string, label = "db"): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(db)?.[1];
  if (scheme !== undefined && !/^postgres(ql)?$/i.test(scheme))
    throw new ConfigError(
      "CONFIG_DB",
      `${label}: the ${scheme}:// scheme is not supported; give a SQLite file path or a postgres:// (postgresql://) URL`,
    );
}

/**
 * {@link openServerStore} with the operations' view. @internal
 * @throws ConfigError `CONFIG_DB` for a URL scheme other than postgres:// (see {@link checkStoreDbScheme}).
 */
export async function openStoreBackend(db: string, options: ServerStoreOptions = {}): Promise<StoreBackend> {
  checkStoreDbScheme(db);
  if (isPostgresUrl(db)) return PostgresServerStore.open(db, options);
  return SqliteServerStore.open(db, options);
}

/** The operations' view of a store `openServerStore` returned. @internal */
export function asStoreBackend(store: ServerStore): StoreBackend | undefined {
  return store instanceof SqliteServerStore || store instanceof PostgresServerStore ? store : undefined;
}
