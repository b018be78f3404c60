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
import { isSdkError, SecurityError, StorageError } from "../errors.js";
import { isLoopbackHost } from "../soap/proxy.js";
import type { VerifiedSender } from "../soap/security.js";
import { CommunicationFaultError } from "./faults.js";
import { type BillingCycleKind, billingCycleAt, billingDue, type DeviceMovePolicy } from "./policy.js";
import { grantFromRow, type SignerProfileGrant, withSignerProfiles } from "./signer-profiles.js";
import type {
  AckCounts,
  PostgresSslMode,
  ReplayRecord,
  ServerStoreOptions,
  StoreBackend,
  StoreExport,
  StorePolicy,
  SyncDirectives,
} from "./store.js";
import type {
  ReceivedSyncInput,
  RegisterDevicesInput,
  RegisterProxyInput,
  ReportSyncStatusInput,
  SubmitBillingReadsInput,
  SubmitSuppliesReportInput,
  SupplyInput,
} from "./validate.js";

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
/** A process sweeps expired replay-cache rows every this many recorded messages. */
const REPLAY_SWEEP_EVERY = 1000;
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

interface DeviceRow {
  serial: string;
  billing_enabled: boolean;
  supplies_enabled: boolean;
  state: string;
  disable_reason: string | null;
}

/**
 * The reference server's durable state in a PostgreSQL database, safe for several server
 * processes at once. Refusals are {@link CommunicationFaultError}s (nothing stored).
 */
export class PostgresServerStore implements StoreBackend {
  /** This store's kind. */
  readonly kind = "postgres" as const;
  private readonly pool: pg.Pool;
  private remembered = 0;

  private constructor(pool: pg.Pool) {
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
    const store = new PostgresServerStore(pool);
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

  /**
   * Runs `work` in one transaction, retried on deadlock / serialization failure. With
   * `replay`, the message is first recorded in the replay cache in that transaction (see
   * {@link PostgresServerStore.recordMessage}): a refusal or a failure of `work` undoes it.
   * @throws SecurityError `WSS_REPLAY` when `replay` is recorded and not expired.
   */
  private async tx<T>(work: (db: Db) => Promise<T>, replay?: ReplayRecord, now?: Date): Promise<T> {
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
        if (replay) await this.recordMessage(client, replay, now ?? new Date());
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

  /** Ends the pool. */
  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /** Runs `SELECT 1`. @throws StorageError `STORAGE_UNAVAILABLE`. */
  async ping(): Promise<void> {
    if (this.pool.ended) throw new StorageError("STORAGE_CLOSED", "the server store is closed");
    await this.query("SELECT 1");
  }

  private async requireProxy(db: Db, proxyId: string): Promise<void> {
    const found = await db.query("SELECT 1 FROM proxies WHERE proxy_id = $1", [proxyId]);
    if (found.rowCount === 0)
      throw new CommunicationFaultError("UNKNOWN_PROXY", `proxy ${proxyId} is not registered`, {
        field: "ProxyId",
      });
  }

  /**
   * Every serial must be registered to `proxyId`. The devices are locked (in serial order,
   * the one order every transaction uses) until the transaction ends: a `Sync` and a submit
   * for the same device take turns, so a billing request and the read that fulfils it
   * cannot miss each other.
   */
  private async requireDevices(
    db: Db,
    proxyId: string,
    serials: Array<{ serial: string; field: string }>,
  ): Promise<void> {
    if (serials.length === 0) return;
    const rows = await db.query<{ serial: string; proxy_id: string }>(
      "SELECT serial, proxy_id FROM devices WHERE serial = ANY($1::text[]) ORDER BY serial FOR NO KEY UPDATE",
      [[...new Set(serials.map((s) => s.serial))]],
    );
    const owner = new Map(rows.rows.map((r) => [r.serial, r.proxy_id]));
    for (const { serial, field } of serials) {
      const proxy = owner.get(serial);
      if (proxy !== proxyId)
        throw new CommunicationFaultError(
          "UNKNOWN_DEVICE",
          `device ${serial} is not registered${proxy !== undefined ? " to this proxy" : ""}`,
          { field },
        );
    }
  }

  /** Records the key of a keyed operation; false when it was recorded before (a resend). */
  private async putMessageKey(db: Db, operation: string, key: string, proxyId: string, at: string) {
    const put = await db.query(
      `INSERT INTO message_keys (operation, key, proxy_id, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (operation, key) DO NOTHING`,
      [operation, key, proxyId, at],
    );
    return put.rowCount === 1;
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

  /** `RegisterProxy`; see {@link StoreBackend.registerProxy}. */
  async registerProxy(
    input: RegisterProxyInput,
    now: Date,
    sender: VerifiedSender | undefined,
    trusted: boolean,
    replay?: ReplayRecord,
  ): Promise<{ proxyId: string; duplicate: boolean }> {
    return this.tx(
      async (db) => {
        const at = now.toISOString();
        if (!(await this.putMessageKey(db, "RegisterProxy", input.key, input.proxyId, at))) {
          const seen = await db.query<{ proxy_id: string }>(
            "SELECT proxy_id FROM message_keys WHERE operation = 'RegisterProxy' AND key = $1",
            [input.key],
          );
          return { proxyId: seen.rows[0]?.proxy_id ?? input.proxyId, duplicate: true };
        }
        // Two first registrations racing: the second waits on the row lock, then keeps the
        // thumbprint the first bound and is refused below.
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
        if (sender && bound.rows[0]?.signer_thumbprint !== sender.thumbprintSha256)
          throw new SecurityError(
            "WSS_UNTRUSTED_KEY",
            `proxy ${JSON.stringify(input.proxyId.slice(0, 64))} is bound to another certificate than the one that signed this request`,
          );
        return { proxyId: input.proxyId, duplicate: false };
      },
      replay,
      now,
    );
  }

  /** `RegisterDevices`; see the SQLite store for the device-move rules. */
  async registerDevices(
    input: RegisterDevicesInput,
    now: Date,
    deviceMoves: DeviceMovePolicy = "refuse",
    replay?: ReplayRecord,
  ): Promise<AckCounts> {
    return this.tx(
      async (db) => {
        await this.requireProxy(db, input.proxyId);
        const at = now.toISOString();
        if (!(await this.putMessageKey(db, "RegisterDevices", input.key, input.proxyId, at)))
          return { accepted: 0, duplicates: input.devices.length };
        const serials = input.devices.map((d) => d.serial);
        const owners = await db.query<{ serial: string; proxy_id: string }>(
          "SELECT serial, proxy_id FROM devices WHERE serial = ANY($1::text[]) ORDER BY serial FOR NO KEY UPDATE",
          [serials],
        );
        const owner = new Map(owners.rows.map((r) => [r.serial, r.proxy_id]));
        const moves: Array<{ serial: string; from: string }> = [];
        input.devices.forEach((d, i) => {
          const from = owner.get(d.serial);
          if (from === undefined || from === input.proxyId) return;
          if (deviceMoves !== "allow")
            throw new CommunicationFaultError(
              "DEVICE_OWNED_BY_OTHER_PROXY",
              `device ${d.serial} is registered to another proxy; this server does not move devices between proxies`,
              { field: `Device[${i}].Serial` },
            );
          moves.push({ serial: d.serial, from });
        });
        for (const m of moves) {
          await db.query(
            "INSERT INTO device_moves (serial, from_proxy, to_proxy, moved_at) VALUES ($1, $2, $3, $4)",
            [m.serial, m.from, input.proxyId, at],
          );
          // The old proxy confirmed the services, not the new one: it is asked to enable them again.
          await db.query(
            "UPDATE devices SET billing_enabled = FALSE, supplies_enabled = FALSE WHERE serial = $1",
            [m.serial],
          );
        }
        for (const d of input.devices) {
          await db.query(
            `INSERT INTO devices (serial, proxy_id, vendor, model, mac, address, registered_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (serial) DO UPDATE SET proxy_id = excluded.proxy_id, vendor = excluded.vendor,
             model = excluded.model, mac = excluded.mac, address = excluded.address`,
            [
              d.serial,
              input.proxyId,
              d.vendor ?? null,
              d.model ?? null,
              d.mac ?? null,
              d.address ?? null,
              at,
            ],
          );
        }
        return { accepted: input.devices.length, duplicates: 0 };
      },
      replay,
      now,
    );
  }

  /** `ReportSyncStatus`: records which services the client confirmed. */
  async reportSyncStatus(input: ReportSyncStatusInput, now: Date, replay?: ReplayRecord): Promise<AckCounts> {
    return this.tx(
      async (db) => {
        await this.requireProxy(db, input.proxyId);
        await this.requireDevices(
          db,
          input.proxyId,
          input.statuses.map((s, i) => ({ serial: s.serial, field: `Status[${i}].Serial` })),
        );
        const at = now.toISOString();
        if (!(await this.putMessageKey(db, "ReportSyncStatus", input.key, input.proxyId, at)))
          return { accepted: 0, duplicates: input.statuses.length };
        for (const s of input.statuses) {
          await db.query(
            s.service === "billing"
              ? "UPDATE devices SET billing_enabled = $1, last_status_at = $2 WHERE serial = $3"
              : "UPDATE devices SET supplies_enabled = $1, last_status_at = $2 WHERE serial = $3",
            [s.enabled, at, s.serial],
          );
        }
        return { accepted: input.statuses.length, duplicates: 0 };
      },
      replay,
      now,
    );
  }

  /**
   * `SubmitBillingReads`: one `INSERT … SELECT FROM unnest(…) ON CONFLICT (key) DO NOTHING`
   * for the whole batch (the rows it returns are the accepted reads), then the billing
   * requests they fulfil and the devices' last read times, all in one transaction.
   */
  async submitBillingReads(
    input: SubmitBillingReadsInput,
    now: Date,
    cycle: BillingCycleKind,
    replay?: ReplayRecord,
  ): Promise<AckCounts> {
    return this.tx(
      async (db) => {
        await this.requireProxy(db, input.proxyId);
        await this.requireDevices(
          db,
          input.proxyId,
          input.reads.map((r, i) => ({ serial: r.serial, field: `Read[${i}].Serial` })),
        );
        const at = now.toISOString();
        const effective = input.reads.map((r) => r.cycle ?? billingCycleAt(r.readAt, cycle).id);
        const stored = await db.query<{ serial: string; read_at: string; effective_cycle: string }>(
          `INSERT INTO billing_reads (key, serial, read_at, cycle, effective_cycle, meters, received_at)
         SELECT k, s, r, c, e, m, $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
           WITH ORDINALITY AS t(k, s, r, c, e, m, n) ORDER BY n
         ON CONFLICT (key) DO NOTHING
         RETURNING serial, read_at, effective_cycle`,
          [
            input.reads.map((r) => r.key),
            input.reads.map((r) => r.serial),
            input.reads.map((r) => r.readAt.toISOString()),
            input.reads.map((r) => r.cycle ?? null),
            effective,
            input.reads.map((r) =>
              JSON.stringify(r.meters.map((m) => ({ name: m.name, value: m.value, unit: m.unit ?? null }))),
            ),
            at,
          ],
        );
        const accepted = stored.rows;
        if (accepted.length) {
          await db.query(
            `UPDATE billing_requests q SET fulfilled_at = $1
           FROM (SELECT DISTINCT * FROM unnest($2::text[], $3::text[]) AS a(serial, cycle)) a
           WHERE q.serial = a.serial AND q.cycle = a.cycle AND q.fulfilled_at IS NULL`,
            [at, accepted.map((r) => r.serial), accepted.map((r) => r.effective_cycle)],
          );
          await db.query(
            `UPDATE devices d SET last_read_at = a.at
           FROM (SELECT serial, max(read_at) AS at FROM unnest($1::text[], $2::text[]) AS t(serial, read_at)
                 GROUP BY serial) a
           WHERE d.serial = a.serial AND (d.last_read_at IS NULL OR d.last_read_at < a.at)`,
            [accepted.map((r) => r.serial), accepted.map((r) => r.read_at)],
          );
        }
        return { accepted: accepted.length, duplicates: input.reads.length - accepted.length };
      },
      replay,
      now,
    );
  }

  /** `SubmitSuppliesReport`: stores each report key once (one statement for the batch). */
  async submitSuppliesReport(
    input: SubmitSuppliesReportInput,
    now: Date,
    replay?: ReplayRecord,
  ): Promise<AckCounts> {
    return this.tx(
      async (db) => {
        await this.requireProxy(db, input.proxyId);
        await this.requireDevices(
          db,
          input.proxyId,
          input.reports.map((r, i) => ({ serial: r.serial, field: `Report[${i}].Serial` })),
        );
        const stored = await db.query(
          `INSERT INTO supplies_reports (key, serial, read_at, supplies, received_at)
         SELECT k, s, r, p, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
           WITH ORDINALITY AS t(k, s, r, p, n) ORDER BY n
         ON CONFLICT (key) DO NOTHING`,
          [
            input.reports.map((r) => r.key),
            input.reports.map((r) => r.serial),
            input.reports.map((r) => r.readAt.toISOString()),
            input.reports.map((r) => JSON.stringify(r.supplies)),
            now.toISOString(),
          ],
        );
        const accepted = stored.rowCount ?? 0;
        return { accepted, duplicates: input.reports.length - accepted };
      },
      replay,
      now,
    );
  }

  /** `Sync`: the same directives as the SQLite store, with the proxy's devices locked. */
  async sync(
    input: ReceivedSyncInput,
    now: Date,
    policy: StorePolicy,
    replay?: ReplayRecord,
  ): Promise<SyncDirectives> {
    return this.tx(
      async (db) => {
        await this.requireProxy(db, input.proxyId);
        await this.requireDevices(
          db,
          input.proxyId,
          input.statuses.map((s, i) => ({ serial: s.serial, field: `Status[${i}].Serial` })),
        );
        const at = now.toISOString();
        for (const s of input.statuses) {
          await db.query(
            `UPDATE devices SET state = $1, state_detail = $2, last_read_at = COALESCE($3, last_read_at),
             last_status_at = $4 WHERE serial = $5`,
            [s.state, s.detail ?? null, s.lastReadAt?.toISOString() ?? null, at, s.serial],
          );
        }
        await db.query("SELECT 1 FROM devices WHERE proxy_id = $1 ORDER BY serial FOR NO KEY UPDATE", [
          input.proxyId,
        ]);
        const devices = await db.query<DeviceRow>(
          `SELECT serial, billing_enabled, supplies_enabled, state, disable_reason FROM devices
         WHERE proxy_id = $1 ORDER BY seq`,
          [input.proxyId],
        );
        const out: SyncDirectives = {
          configure: policy.configure,
          enableService: [],
          billingRequest: [],
          suppliesRequest: [],
          disable: [],
        };
        const cycle = billingCycleAt(now, policy.cycle);
        const suppliesOn = policy.suppliesIntervalMs !== undefined;
        for (const d of devices.rows) {
          if (d.disable_reason !== null) {
            if (d.state !== "disabled") out.disable.push({ serial: d.serial, reason: d.disable_reason });
            continue;
          }
          if (d.state === "disabled") continue;
          if (!d.billing_enabled) out.enableService.push({ serial: d.serial, service: "billing" });
          if (suppliesOn && !d.supplies_enabled)
            out.enableService.push({ serial: d.serial, service: "supplies" });
          if (d.billing_enabled) {
            const request = await this.billingRequestFor(db, d.serial, cycle, now, policy);
            if (request) out.billingRequest.push(request);
          }
          if (suppliesOn && d.supplies_enabled) {
            const intervalMs = policy.suppliesIntervalMs as number;
            const since = new Date(now.getTime() - 2 * intervalMs).toISOString();
            const recent = await db.query(
              "SELECT 1 FROM supplies_reports WHERE serial = $1 AND received_at >= $2 LIMIT 1",
              [d.serial, since],
            );
            if (recent.rowCount === 0)
              out.suppliesRequest.push({
                serial: d.serial,
                intervalSeconds: Math.max(1, Math.round(intervalMs / 1000)),
              });
          }
        }
        return out;
      },
      replay,
      now,
    );
  }

  /** The open request of (serial, cycle), issuing it once (primary key) when none was. */
  private async billingRequestFor(
    db: Db,
    serial: string,
    cycle: ReturnType<typeof billingCycleAt>,
    now: Date,
    policy: StorePolicy,
  ): Promise<SyncDirectives["billingRequest"][number] | undefined> {
    const existing = async () => {
      const rows = await db.query<{ meters: string; due: string; fulfilled_at: string | null }>(
        "SELECT meters, due, fulfilled_at FROM billing_requests WHERE serial = $1 AND cycle = $2",
        [serial, cycle.id],
      );
      return rows.rows[0];
    };
    const open = (row: { meters: string; due: string; fulfilled_at: string | null }) =>
      row.fulfilled_at !== null
        ? undefined
        : { serial, cycle: cycle.id, meters: JSON.parse(row.meters) as string[], due: new Date(row.due) };
    const found = await existing();
    if (found) return open(found);
    const read = await db.query(
      "SELECT 1 FROM billing_reads WHERE serial = $1 AND effective_cycle = $2 LIMIT 1",
      [serial, cycle.id],
    );
    if ((read.rowCount ?? 0) > 0) return undefined;
    const due = billingDue(now, cycle, policy.dueDays);
    const issued = await db.query(
      `INSERT INTO billing_requests (serial, cycle, meters, due, issued_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (serial, cycle) DO NOTHING`,
      [serial, cycle.id, JSON.stringify(policy.meters), due.toISOString(), now.toISOString()],
    );
    if (issued.rowCount === 1) return { serial, cycle: cycle.id, meters: [...policy.meters], due };
    const other = await existing();
    return other ? open(other) : undefined;
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

  /**
   * The replay cache every process shares, inside the operation's transaction: one upsert
   * that inserts `replay.digest`, or takes over an expired row. No row back means another
   * transaction (of this process or another) committed the message and it has not expired;
   * one still running holds the row lock, so this waits for its commit or rollback.
   * Expired rows are swept every {@link REPLAY_SWEEP_EVERY} recorded messages.
   * @throws SecurityError `WSS_REPLAY`.
   */
  private async recordMessage(db: Db, replay: ReplayRecord, now: Date): Promise<void> {
    const rows = await db.query(
      `INSERT INTO replay_cache (digest, expires_at) VALUES ($1, $2)
       ON CONFLICT (digest) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_cache.expires_at < $3
       RETURNING 1 AS fresh`,
      [replay.digest, replay.expiresAt.getTime(), now.getTime()],
    );
    if (rows.rowCount !== 1)
      throw new SecurityError("WSS_REPLAY", "this signed message was already accepted (replay)");
    if (++this.remembered % REPLAY_SWEEP_EVERY === 0)
      await this.query("DELETE FROM replay_cache WHERE expires_at < $1", [now.getTime()]).catch(() => {});
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

  /** Everything stored, as the export JSON (the same as the SQLite store's). */
  async exportAll(): Promise<StoreExport> {
    return this.tx(async (db) => {
      await db.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const all = async <R extends pg.QueryResultRow>(sql: string) => (await db.query<R>(sql)).rows;
      const proxies = (await all<Record<string, string | null>>("SELECT * FROM proxies ORDER BY seq")).map(
        (p) => {
          const proxy: StoreExport["proxies"][number] = {
            proxyId: p.proxy_id as string,
            site: p.site ?? null,
            software: p.software ?? null,
            host: p.host ?? null,
            registeredAt: p.registered_at as string,
          };
          if (p.signer_thumbprint)
            proxy.signer = { thumbprintSha256: p.signer_thumbprint, subject: p.signer_subject ?? null };
          return proxy;
        },
      );
      const devices = (await all<Record<string, unknown>>("SELECT * FROM devices ORDER BY seq")).map((d) => ({
        serial: d.serial as string,
        proxyId: d.proxy_id as string,
        vendor: (d.vendor as string | null) ?? null,
        model: (d.model as string | null) ?? null,
        mac: (d.mac as string | null) ?? null,
        address: (d.address as string | null) ?? null,
        registeredAt: d.registered_at as string,
        services: { billing: d.billing_enabled === true, supplies: d.supplies_enabled === true },
        state: d.state as string,
        lastStatusAt: (d.last_status_at as string | null) ?? null,
      }));
      const billingReads = (
        await all<Record<string, string>>("SELECT * FROM billing_reads ORDER BY seq")
      ).map((r) => ({
        key: r.key as string,
        serial: r.serial as string,
        readAt: r.read_at as string,
        cycle: r.cycle ?? null,
        meters: JSON.parse(r.meters as string) as StoreExport["billingReads"][number]["meters"],
        receivedAt: r.received_at as string,
      }));
      const suppliesReports = (
        await all<Record<string, string>>("SELECT * FROM supplies_reports ORDER BY seq")
      ).map((r) => ({
        key: r.key as string,
        serial: r.serial as string,
        readAt: r.read_at as string,
        supplies: JSON.parse(r.supplies as string) as SupplyInput[],
        receivedAt: r.received_at as string,
      }));
      const billingRequests = (
        await all<Record<string, string | null>>("SELECT * FROM billing_requests ORDER BY seq")
      ).map((q) => ({
        serial: q.serial as string,
        cycle: q.cycle as string,
        meters: JSON.parse(q.meters as string) as string[],
        due: q.due as string,
        issuedAt: q.issued_at as string,
        fulfilledAt: q.fulfilled_at ?? null,
      }));
      const deviceMoves = (await all<Record<string, string>>("SELECT * FROM device_moves ORDER BY seq")).map(
        (m) => ({
          serial: m.serial as string,
          fromProxyId: m.from_proxy as string,
          toProxyId: m.to_proxy as string,
          movedAt: m.moved_at as string,
        }),
      );
      // A read-only export of a version-1 database has no signer_profiles table.
      const [table] = await all<{ present: boolean }>(
        "SELECT to_regclass('signer_profiles') IS NOT NULL AS present",
      );
      const grants = table?.present
        ? (
            await all<Record<string, unknown>>(
              "SELECT * FROM signer_profiles ORDER BY granted_at, thumbprint_sha256",
            )
          ).map(grantFromRow)
        : [];
      return withSignerProfiles(
        { proxies, devices, billingReads, suppliesReports, billingRequests, deviceMoves },
        grants,
      );
    });
  }
}
