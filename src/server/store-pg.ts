/**
 * The server's PostgreSQL store (node-postgres): one database shared by any number of
 * `esol server` processes. Everything that must hold across processes is done by the
 * database, never by a cache in one process: idempotency keys and reads are unique
 * constraints written with `INSERT … ON CONFLICT DO NOTHING` (a concurrent insert of the same
 * key waits for the first transaction and then sees it), the certificate binding is an
 * upsert that keeps the first thumbprint, billing requests are a primary key on
 * (serial, cycle), the devices a request touches are locked in one order, and the replay
 * cache is a table. Each request is one transaction at READ COMMITTED; a deadlock or
 * serialization failure is retried, a database that does not answer is
 * `STORAGE_UNAVAILABLE` (retryable, nothing stored).
 * @module
 */
import pg from "pg";
import { isSdkError, StorageError } from "../errors.js";
import { isLoopbackHost } from "../soap/proxy.js";
import { CommunicationFaultError } from "./faults.js";
import { grantFromRow, type SignerProfileGrant } from "./signer-profiles.js";
import type { PostgresSslMode, ServerStoreOptions, StoreBackend, StoreExport } from "./store.js";
import {
  type AsyncStoreStatements,
  type BillingReadRow,
  type BillingRequestRow,
  type DeviceState,
  exportFromRows,
  type Flow,
  FlowStore,
  type RequestScope,
  runFlow,
} from "./store-flow.js";

/**
 * The schema, one step per version, recorded in `esol_schema`. Timestamps are ISO 8601 UTC
 * text, as in the SQLite store, so both export the same JSON. Append steps; never edit one
 * that shipped.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE proxies (
  seq BIGSERIAL NOT NULL, proxy_id TEXT PRIMARY KEY, site TEXT, software TEXT, host TEXT,
  registered_at TEXT NOT NULL, signer_thumbprint TEXT, signer_subject TEXT, signer_cert TEXT,
  signer_trusted BOOLEAN NOT NULL DEFAULT TRUE);
CREATE TABLE message_keys (
  operation TEXT NOT NULL, key TEXT NOT NULL, proxy_id TEXT NOT NULL, received_at TEXT NOT NULL,
  PRIMARY KEY (operation, key));
CREATE TABLE devices (
  seq BIGSERIAL NOT NULL, serial TEXT PRIMARY KEY, proxy_id TEXT NOT NULL, vendor TEXT, model TEXT,
  mac TEXT, address TEXT, registered_at TEXT NOT NULL,
  billing_enabled BOOLEAN NOT NULL DEFAULT FALSE, supplies_enabled BOOLEAN NOT NULL DEFAULT FALSE,
  state TEXT NOT NULL DEFAULT 'ok', state_detail TEXT, last_read_at TEXT, last_status_at TEXT,
  disable_reason TEXT);
CREATE INDEX devices_by_proxy ON devices (proxy_id);
CREATE TABLE billing_reads (
  seq BIGSERIAL PRIMARY KEY, key TEXT NOT NULL UNIQUE, serial TEXT NOT NULL, read_at TEXT NOT NULL,
  cycle TEXT, effective_cycle TEXT NOT NULL, meters TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE INDEX billing_reads_by_cycle ON billing_reads (serial, effective_cycle);
CREATE TABLE supplies_reports (
  seq BIGSERIAL PRIMARY KEY, key TEXT NOT NULL UNIQUE, serial TEXT NOT NULL, read_at TEXT NOT NULL,
  supplies TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE INDEX supplies_reports_by_serial ON supplies_reports (serial, received_at);
CREATE TABLE billing_requests (
  seq BIGSERIAL NOT NULL, serial TEXT NOT NULL, cycle TEXT NOT NULL, meters TEXT NOT NULL,
  due TEXT NOT NULL, issued_at TEXT NOT NULL, fulfilled_at TEXT, PRIMARY KEY (serial, cycle));
CREATE TABLE device_moves (
  seq BIGSERIAL PRIMARY KEY, serial TEXT NOT NULL, from_proxy TEXT NOT NULL, to_proxy TEXT NOT NULL,
  moved_at TEXT NOT NULL);
CREATE TABLE replay_cache (digest TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE INDEX replay_cache_by_expiry ON replay_cache (expires_at);
`,
  },
  {
    // Signer-profile grants (`esol server --trust-legacy`), shown by the export.
    version: 2,
    sql: `
CREATE TABLE IF NOT EXISTS signer_profiles (
  thumbprint_sha256 TEXT PRIMARY KEY, subject TEXT NOT NULL, profile TEXT NOT NULL, granted_at TEXT NOT NULL);
`,
  },
];

/** The schema version this code writes: the last step of {@link MIGRATIONS}. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** `pg_advisory_xact_lock` key of the migration ladder ("esol" in ASCII). */
const MIGRATION_LOCK = 0x65736f6c;
/** Attempts of a transaction that failed on a deadlock or serialization failure. */
const TX_ATTEMPTS = 3;

/** A connection inside a transaction. */
type Db = pg.PoolClient;

/** The password in a URL replaced, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/**
 * SQLSTATE classes that say the database or the connection failed, not the request
 * (PostgreSQL docs Appendix A): 08 connection exception, 53 insufficient resources,
 * 57 operator intervention (shutdown, statement timeout `57014`), 58 system error.
 */
const UNAVAILABLE_CLASSES = ["08", "53", "57", "58"];

/** Whether `err` is a deadlock (`40P01`) or serialization failure (`40001`): retry the transaction. */
function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === "40P01" || code === "40001";
}

/** Whether `err` means the database is down or unreachable (not a refusal, not a bug). */
function isUnavailable(err: unknown): boolean {
  if (isSdkError(err) || err instanceof CommunicationFaultError) return false;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string") {
    if (/^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_CLASSES.includes(code.slice(0, 2)) || isRetryable(err);
    return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, …
  }
  const message = String((err as Error)?.message ?? "");
  return /connection|timeout|terminated|not queryable/i.test(message);
}

/**
 * Whether `err` is TLS to the database refused rather than a database that does not
 * answer: the server's certificate did not verify (Node's X.509 error codes, e.g.
 * `SELF_SIGNED_CERT_IN_CHAIN`, `ERR_TLS_CERT_ALTNAME_INVALID`), or the server has no TLS.
 */
function isTlsRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && /CERT|SELF_SIGNED|UNABLE_TO_|^ERR_TLS_|^ERR_SSL_/.test(code)) return true;
  return /does not support SSL/i.test(String((err as Error)?.message ?? ""));
}

function unavailable(err: unknown): StorageError {
  return new StorageError(
    "STORAGE_UNAVAILABLE",
    `the server store's database does not answer: ${(err as Error)?.message ?? String(err)}`,
    { cause: err, retryable: true },
  );
}

/**
 * The TLS mode when none is given: `disable` for a database on this machine (loopback address
 * or Unix socket), `require` (encrypted, certificate not verified) for any other host, so a
 * password never crosses a network in clear text by default. libpq's own default, `prefer`,
 * falls back to clear text silently; node-postgres has no such mode.
 */
export function defaultSslMode(url: string): PostgresSslMode {
  let host = "";
  try {
    const u = new URL(url);
    host = u.searchParams.get("host") ?? u.hostname;
  } catch {
    return "require";
  }
  return host === "" || host.startsWith("/") || isLoopbackHost(host) ? "disable" : "require";
}

/** `ssl` option of pg from an `sslmode` (PostgreSQL docs §34.19.1). */
function sslFor(options: ServerStoreOptions, url: string): pg.PoolConfig["ssl"] {
  switch (options.sslMode ?? defaultSslMode(url)) {
    case "disable":
      return undefined;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-ca":
      return {
        rejectUnauthorized: true,
        ...(options.sslRootCert ? { ca: options.sslRootCert } : {}),
        checkServerIdentity: () => undefined,
      };
    case "verify-full":
      return { rejectUnauthorized: true, ...(options.sslRootCert ? { ca: options.sslRootCert } : {}) };
    default:
      throw new StorageError("STORAGE_OPEN", `unknown sslMode ${String(options.sslMode)}`);
  }
}

/**
 * The reference server's durable state in a PostgreSQL database, safe for several server
 * processes at once. Refusals are {@link CommunicationFaultError}s (nothing stored).
 */
export class PostgresServerStore extends FlowStore implements StoreBackend {
  /** This store's kind. */
  readonly kind = "postgres" as const;
  private readonly pool: pg.Pool;

  private constructor(pool: pg.Pool, options: Pick<ServerStoreOptions, "logger">) {
    super(options.logger);
    this.pool = pool;
  }

  /**
   * Connects a pool to `url` and brings the schema to {@link POSTGRES_SCHEMA_VERSION} under
   * an advisory lock (read-only: checks the version only).
   * @throws StorageError `STORAGE_UNAVAILABLE` (no answer), `STORAGE_SCHEMA` (a newer or
   *   unknown schema), `STORAGE_OPEN` (bad options).
   */
  static async open(url: string, options: ServerStoreOptions = {}): Promise<PostgresServerStore> {
    const poolSize = options.poolSize ?? 10;
    if (!Number.isInteger(poolSize) || poolSize < 1)
      throw new StorageError("STORAGE_OPEN", `poolSize must be an integer ≥ 1 (got ${poolSize})`);
    const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
    const ssl = sslFor(options, url);
    const pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: statementTimeoutMs,
      application_name: "esol-server",
      ...(ssl === undefined ? {} : { ssl }),
    });
    // An idle connection dropped by the server must not crash the process: the next
    // request gets a fresh connection or STORAGE_UNAVAILABLE.
    pool.on("error", () => {});
    const store = new PostgresServerStore(pool, options);
    try {
      await store.migrate(url, options.readonly === true);
      return store;
    } catch (err) {
      await pool.end().catch(() => {});
      if (isSdkError(err)) throw err;
      if (isTlsRefusal(err))
        throw new StorageError(
          "STORAGE_OPEN",
          `TLS to ${redact(url)} refused (sslmode ${options.sslMode ?? defaultSslMode(url)}): ${(err as Error).message}; check the database server's certificate against --db-sslrootcert / sslRootCert`,
          { cause: err },
        );
      if (isUnavailable(err)) {
        const e = unavailable(err);
        throw new StorageError("STORAGE_UNAVAILABLE", `${redact(url)}: ${e.message}`, {
          cause: err,
          retryable: true,
        });
      }
      throw new StorageError(
        "STORAGE_OPEN",
        `cannot use ${redact(url)} as a server store: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  private async migrate(url: string, readonly: boolean): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      const exists = await client.query("SELECT to_regclass('esol_schema') IS NOT NULL AS present");
      let version = 0;
      if (exists.rows[0].present) {
        const row = await client.query("SELECT version FROM esol_schema");
        version = (row.rows[0]?.version as number | undefined) ?? 0;
      }
      if (version > POSTGRES_SCHEMA_VERSION)
        throw new StorageError(
          "STORAGE_SCHEMA",
          `${redact(url)} has schema version ${version}, written by a newer version; this server knows up to version ${POSTGRES_SCHEMA_VERSION}: upgrade the server`,
        );
      if (readonly) {
        if (version === 0)
          throw new StorageError("STORAGE_SCHEMA", `${redact(url)} is not a server store (no esol_schema)`);
      } else {
        if (version === 0) await client.query("CREATE TABLE esol_schema (version INTEGER NOT NULL)");
        for (const step of MIGRATIONS) if (step.version > version) await client.query(step.sql);
        if (version === 0)
          await client.query("INSERT INTO esol_schema (version) VALUES ($1)", [POSTGRES_SCHEMA_VERSION]);
        else if (version !== POSTGRES_SCHEMA_VERSION)
          await client.query("UPDATE esol_schema SET version = $1", [POSTGRES_SCHEMA_VERSION]);
      }
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Runs a flow in one transaction (the replay record and signer re-check are its first steps). */
  protected async transact<T>(flow: () => Flow<T>, _scope: RequestScope): Promise<T> {
    return this.tx((db) => runFlow(flow(), postgresStatements(db)));
  }

  /** Deletes expired replay-cache entries on a connection of its own, in its own transaction. */
  protected async deleteExpiredReplays(nowMs: number): Promise<void> {
    if (!this.pool.ended) await this.query("DELETE FROM replay_cache WHERE expires_at < $1", [nowMs]);
  }

  /** Runs `work` in one transaction, retried on deadlock / serialization failure. */
  private async tx<T>(work: (db: Db) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw unavailable(err);
      }
      let broken = false;
      try {
        await client.query("BEGIN");
        const out = await work(client);
        await client.query("COMMIT");
        return out;
      } catch (err) {
        broken = isUnavailable(err) && !isRetryable(err);
        if (!broken) await client.query("ROLLBACK").catch(() => {});
        if (isRetryable(err) && attempt < TX_ATTEMPTS) continue;
        if (isUnavailable(err)) throw unavailable(err);
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  /** Runs one statement outside a transaction. */
  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (err) {
      if (isUnavailable(err)) throw unavailable(err);
      throw err;
    }
  }

  /** Ends the pool (after a replay-cache sweep still running). */
  async close(): Promise<void> {
    await this.sweepSettled();
    if (!this.pool.ended) await this.pool.end();
  }

  /** Runs `SELECT 1`. @throws StorageError `STORAGE_UNAVAILABLE`. */
  async ping(): Promise<void> {
    if (this.pool.ended) throw new StorageError("STORAGE_CLOSED", "the server store is closed");
    await this.query("SELECT 1");
  }

  /** The SHA-256 thumbprint of the certificate `proxyId` is bound to, if any. */
  async boundSignerOf(proxyId: string): Promise<string | undefined> {
    const rows = await this.query<{ signer_thumbprint: string | null }>(
      "SELECT signer_thumbprint FROM proxies WHERE proxy_id = $1",
      [proxyId],
    );
    return rows[0]?.signer_thumbprint ?? undefined;
  }

  /** Forgets the certificate `proxyId` is bound to; false when it was not bound. */
  async unbindSigner(proxyId: string): Promise<boolean> {
    return this.tx(async (db) => {
      const done = await db.query(
        `UPDATE proxies SET signer_thumbprint = NULL, signer_subject = NULL, signer_cert = NULL,
           signer_trusted = TRUE WHERE proxy_id = $1 AND signer_thumbprint IS NOT NULL`,
        [proxyId],
      );
      return (done.rowCount ?? 0) > 0;
    });
  }

  /** Marks a device disabled by the server. @throws CommunicationFaultError `UNKNOWN_DEVICE`. */
  async disableDevice(serial: string, reason: string): Promise<void> {
    const done = await this.tx((db) =>
      db.query("UPDATE devices SET disable_reason = $1 WHERE serial = $2", [reason, serial]),
    );
    if (done.rowCount === 0)
      throw new CommunicationFaultError("UNKNOWN_DEVICE", `device ${serial} is not registered`, {
        field: "serial",
      });
  }

  /** Certificates (PEM) proxies registered with, oldest first. */
  async registeredSignerCertificates(options: { trustedOnly?: boolean } = {}): Promise<string[]> {
    const where = options.trustedOnly ? " AND signer_trusted" : "";
    const rows = await this.query<{ signer_cert: string }>(
      `SELECT signer_cert FROM proxies WHERE signer_cert IS NOT NULL${where} ORDER BY seq`,
    );
    return rows.map((r) => r.signer_cert);
  }

  async recordSignerProfiles(
    grants: ReadonlyArray<Omit<SignerProfileGrant, "grantedAt">>,
    at: Date,
  ): Promise<void> {
    await this.tx(async (db) => {
      await db.query("DELETE FROM signer_profiles WHERE NOT (thumbprint_sha256 = ANY($1::text[]))", [
        grants.map((g) => g.thumbprintSha256),
      ]);
      for (const g of grants)
        await db.query(
          `INSERT INTO signer_profiles (thumbprint_sha256, subject, profile, granted_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (thumbprint_sha256) DO UPDATE SET subject = EXCLUDED.subject,
             granted_at = CASE WHEN signer_profiles.profile = EXCLUDED.profile
               THEN signer_profiles.granted_at ELSE EXCLUDED.granted_at END,
             profile = EXCLUDED.profile`,
          [g.thumbprintSha256, g.subject, g.profile, at.toISOString()],
        );
    });
  }

  async signerProfiles(): Promise<SignerProfileGrant[]> {
    return (
      await this.query<Record<string, unknown>>(
        "SELECT * FROM signer_profiles ORDER BY granted_at, thumbprint_sha256",
      )
    ).map(grantFromRow);
  }

  /** Everything stored, as the export JSON (the same as the SQLite store's), from one snapshot. */
  async exportAll(): Promise<StoreExport> {
    return this.tx(async (db) => {
      await db.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const rows = async (sql: string) => (await db.query<Record<string, unknown>>(sql)).rows;
      // A read-only export of a version-1 database has no signer_profiles table.
      const [table] = await rows("SELECT to_regclass('signer_profiles') IS NOT NULL AS present");
      return exportFromRows(
        {
          proxies: await rows("SELECT * FROM proxies ORDER BY seq"),
          devices: await rows("SELECT * FROM devices ORDER BY seq"),
          billingReads: await rows("SELECT * FROM billing_reads ORDER BY seq"),
          suppliesReports: await rows("SELECT * FROM supplies_reports ORDER BY seq"),
          billingRequests: await rows("SELECT * FROM billing_requests ORDER BY seq"),
          deviceMoves: await rows("SELECT * FROM device_moves ORDER BY seq"),
        },
        table?.present
          ? (await rows("SELECT * FROM signer_profiles ORDER BY granted_at, thumbprint_sha256")).map(
              grantFromRow,
            )
          : [],
      );
    });
  }
}

/**
 * The statements of the shared flows in PostgreSQL, on a connection inside the flow's
 * transaction. Everything that must hold across processes is the database's: unique keys
 * written with `ON CONFLICT DO NOTHING`, the proxy row share-locked for the signer
 * re-check, the devices a request touches locked in serial order (the one order every
 * transaction uses), the billing reads of a batch in one `INSERT … SELECT FROM unnest(…)`.
 */
function postgresStatements(db: Db): AsyncStoreStatements {
  const rowCount = async (text: string, values: unknown[]) => (await db.query(text, values)).rowCount ?? 0;
  return {
    // Inserts the digest, or takes over an expired row. No row back: another transaction (of
    // this process or another) committed the message and it has not expired; one still
    // running holds the row lock, so this waits for its commit or rollback.
    recordReplay: async (digest, expiresAtMs, nowMs) =>
      (await rowCount(
        `INSERT INTO replay_cache (digest, expires_at) VALUES ($1, $2)
         ON CONFLICT (digest) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_cache.expires_at < $3
         RETURNING 1 AS fresh`,
        [digest, expiresAtMs, nowMs],
      )) === 1,
    // FOR SHARE: a binding (an update of this row) waits until this transaction ends.
    proxySigner: async (proxyId) => {
      const rows = await db.query<{ signer_thumbprint: string | null }>(
        "SELECT signer_thumbprint FROM proxies WHERE proxy_id = $1 FOR SHARE",
        [proxyId],
      );
      const row = rows.rows[0];
      return row && { thumbprint: row.signer_thumbprint };
    },
    deviceOwners: async (serials) => {
      const rows = await db.query<{ serial: string; proxy_id: string }>(
        "SELECT serial, proxy_id FROM devices WHERE serial = ANY($1::text[]) ORDER BY serial FOR NO KEY UPDATE",
        [serials],
      );
      return new Map(rows.rows.map((r) => [r.serial, r.proxy_id]));
    },
    putMessageKey: async (operation, key, proxyId, at) =>
      (await rowCount(
        `INSERT INTO message_keys (operation, key, proxy_id, received_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (operation, key) DO NOTHING`,
        [operation, key, proxyId, at],
      )) === 1,
    messageKeyProxy: async (operation, key) =>
      (
        await db.query<{ proxy_id: string }>(
          "SELECT proxy_id FROM message_keys WHERE operation = $1 AND key = $2",
          [operation, key],
        )
      ).rows[0]?.proxy_id,
    // Two first registrations racing: the second waits on the row lock, then keeps the
    // thumbprint the first bound.
    upsertProxy: async (input, at, sender, trusted) => {
      const bound = await db.query<{ signer_thumbprint: string | null }>(
        `INSERT INTO proxies (proxy_id, site, software, host, registered_at, signer_thumbprint, signer_subject, signer_cert, signer_trusted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (proxy_id) DO UPDATE SET site = excluded.site, software = excluded.software, host = excluded.host,
           signer_trusted = CASE WHEN proxies.signer_thumbprint IS NULL AND excluded.signer_thumbprint IS NOT NULL
             THEN excluded.signer_trusted ELSE proxies.signer_trusted END,
           signer_thumbprint = COALESCE(proxies.signer_thumbprint, excluded.signer_thumbprint),
           signer_subject = CASE WHEN proxies.signer_thumbprint IS NULL THEN excluded.signer_subject ELSE proxies.signer_subject END,
           signer_cert = COALESCE(proxies.signer_cert, excluded.signer_cert)
         RETURNING signer_thumbprint`,
        [
          input.proxyId,
          input.site ?? null,
          input.software ?? null,
          input.host ?? null,
          at,
          sender?.thumbprintSha256 ?? null,
          sender?.subject ?? null,
          sender?.certificatePem ?? null,
          trusted,
        ],
      );
      return bound.rows[0]?.signer_thumbprint ?? null;
    },
    recordMove: async (serial, fromProxyId, toProxyId, at) => {
      await db.query(
        "INSERT INTO device_moves (serial, from_proxy, to_proxy, moved_at) VALUES ($1, $2, $3, $4)",
        [serial, fromProxyId, toProxyId, at],
      );
      // The old proxy confirmed the services, not the new one: it is asked to enable them again.
      await db.query(
        "UPDATE devices SET billing_enabled = FALSE, supplies_enabled = FALSE WHERE serial = $1",
        [serial],
      );
    },
    upsertDevice: async (proxyId, d, at) => {
      await db.query(
        `INSERT INTO devices (serial, proxy_id, vendor, model, mac, address, registered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (serial) DO UPDATE SET proxy_id = excluded.proxy_id, vendor = excluded.vendor,
           model = excluded.model, mac = excluded.mac, address = excluded.address`,
        [d.serial, proxyId, d.vendor ?? null, d.model ?? null, d.mac ?? null, d.address ?? null, at],
      );
    },
    setService: async (serial, service, enabled, at) => {
      await db.query(
        service === "billing"
          ? "UPDATE devices SET billing_enabled = $1, last_status_at = $2 WHERE serial = $3"
          : "UPDATE devices SET supplies_enabled = $1, last_status_at = $2 WHERE serial = $3",
        [enabled, at, serial],
      );
    },
    // One statement for the batch; the rows it returns are the accepted reads.
    putBillingReads: async (reads, receivedAt) => {
      const stored = await db.query<{ key: string }>(
        `INSERT INTO billing_reads (key, serial, read_at, cycle, effective_cycle, meters, received_at)
         SELECT k, s, r, c, e, m, $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
           WITH ORDINALITY AS t(k, s, r, c, e, m, n) ORDER BY n
         ON CONFLICT (key) DO NOTHING
         RETURNING key`,
        [
          reads.map((r) => r.key),
          reads.map((r) => r.serial),
          reads.map((r) => r.readAt),
          reads.map((r) => r.cycle),
          reads.map((r) => r.effectiveCycle),
          reads.map((r) => r.meters),
          receivedAt,
        ],
      );
      const keys = new Set(stored.rows.map((r) => r.key));
      // A key twice in one batch is stored once: its first read.
      const seen = new Set<string>();
      return reads.filter((r: BillingReadRow) => keys.has(r.key) && !seen.has(r.key) && seen.add(r.key));
    },
    fulfilRequests: async (at, pairs) => {
      await db.query(
        `UPDATE billing_requests q SET fulfilled_at = $1
         FROM (SELECT DISTINCT * FROM unnest($2::text[], $3::text[]) AS a(serial, cycle)) a
         WHERE q.serial = a.serial AND q.cycle = a.cycle AND q.fulfilled_at IS NULL`,
        [at, pairs.map((p) => p.serial), pairs.map((p) => p.cycle)],
      );
    },
    touchDevices: async (reads) => {
      await db.query(
        `UPDATE devices d SET last_read_at = a.at
         FROM (SELECT serial, max(read_at) AS at FROM unnest($1::text[], $2::text[]) AS t(serial, read_at)
               GROUP BY serial) a
         WHERE d.serial = a.serial AND (d.last_read_at IS NULL OR d.last_read_at < a.at)`,
        [reads.map((r) => r.serial), reads.map((r) => r.readAt)],
      );
    },
    putSuppliesReports: async (reports, receivedAt) =>
      rowCount(
        `INSERT INTO supplies_reports (key, serial, read_at, supplies, received_at)
         SELECT k, s, r, p, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
           WITH ORDINALITY AS t(k, s, r, p, n) ORDER BY n
         ON CONFLICT (key) DO NOTHING`,
        [
          reports.map((r) => r.key),
          reports.map((r) => r.serial),
          reports.map((r) => r.readAt),
          reports.map((r) => r.supplies),
          receivedAt,
        ],
      ),
    setState: async (s, at) => {
      await db.query(
        `UPDATE devices SET state = $1, state_detail = $2, last_read_at = COALESCE($3, last_read_at),
         last_status_at = $4 WHERE serial = $5`,
        [s.state, s.detail ?? null, s.lastReadAt?.toISOString() ?? null, at, s.serial],
      );
    },
    // The proxy's devices locked in serial order first: a Sync and a submit take turns.
    devicesOfProxy: async (proxyId) => {
      await db.query("SELECT 1 FROM devices WHERE proxy_id = $1 ORDER BY serial FOR NO KEY UPDATE", [
        proxyId,
      ]);
      const rows = await db.query<{
        serial: string;
        billing_enabled: boolean;
        supplies_enabled: boolean;
        state: string;
        disable_reason: string | null;
      }>(
        `SELECT serial, billing_enabled, supplies_enabled, state, disable_reason FROM devices
         WHERE proxy_id = $1 ORDER BY seq`,
        [proxyId],
      );
      return rows.rows.map(
        (d): DeviceState => ({
          serial: d.serial,
          billingEnabled: d.billing_enabled,
          suppliesEnabled: d.supplies_enabled,
          state: d.state,
          disableReason: d.disable_reason,
        }),
      );
    },
    billingRequest: async (serial, cycle) => {
      const rows = await db.query<{ meters: string; due: string; fulfilled_at: string | null }>(
        "SELECT meters, due, fulfilled_at FROM billing_requests WHERE serial = $1 AND cycle = $2",
        [serial, cycle],
      );
      const row = rows.rows[0];
      return (
        row &&
        ({ meters: row.meters, due: row.due, fulfilledAt: row.fulfilled_at } satisfies BillingRequestRow)
      );
    },
    readInCycle: async (serial, cycle) =>
      (await rowCount("SELECT 1 FROM billing_reads WHERE serial = $1 AND effective_cycle = $2 LIMIT 1", [
        serial,
        cycle,
      ])) > 0,
    putRequest: async (serial, cycle, meters, due, issuedAt) =>
      (await rowCount(
        `INSERT INTO billing_requests (serial, cycle, meters, due, issued_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (serial, cycle) DO NOTHING`,
        [serial, cycle, meters, due, issuedAt],
      )) === 1,
    suppliesSince: async (serial, since) =>
      (await rowCount("SELECT 1 FROM supplies_reports WHERE serial = $1 AND received_at >= $2 LIMIT 1", [
        serial,
        since,
      ])) > 0,
  };
}
