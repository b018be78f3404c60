/**
 * The server's SQLite store: one file, WAL, `synchronous=FULL`, schema versioned with
 * `user_version` through a migration ladder, prepared statements, one transaction per
 * request. Each idempotency key is stored once; a resend is counted as a duplicate. One
 * process writes the file (several processes share a PostgreSQL store instead).
 * @module
 */
import Database from "better-sqlite3";
import { StorageError } from "../errors.js";
import { CommunicationFaultError } from "./faults.js";
import { grantFromRow, type SignerProfileGrant } from "./signer-profiles.js";
import type { ServerStoreOptions, StoreBackend, StoreExport } from "./store.js";
import {
  type BillingReadRow,
  type DeviceState,
  exportFromRows,
  type Flow,
  FlowStore,
  type RequestScope,
  runFlowSync,
  type StoreStatements,
} from "./store-flow.js";

/**
 * The schema, one step per version: a new file runs every step, an older one the steps
 * above its `user_version` (SQLite "PRAGMA user_version"), each ladder run in one
 * transaction. Append steps; never edit one that shipped.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE proxies (
  proxy_id TEXT PRIMARY KEY, site TEXT, software TEXT, host TEXT, registered_at TEXT NOT NULL,
  signer_thumbprint TEXT, signer_subject TEXT, signer_cert TEXT);
CREATE TABLE message_keys (
  operation TEXT NOT NULL, key TEXT NOT NULL, proxy_id TEXT NOT NULL, received_at TEXT NOT NULL,
  PRIMARY KEY (operation, key));
CREATE TABLE devices (
  serial TEXT PRIMARY KEY, proxy_id TEXT NOT NULL, vendor TEXT, model TEXT, mac TEXT, address TEXT,
  registered_at TEXT NOT NULL, billing_enabled INTEGER NOT NULL DEFAULT 0, supplies_enabled INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'ok', state_detail TEXT, last_read_at TEXT, last_status_at TEXT, disable_reason TEXT);
CREATE INDEX devices_by_proxy ON devices (proxy_id);
CREATE TABLE billing_reads (
  seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, serial TEXT NOT NULL, read_at TEXT NOT NULL, cycle TEXT,
  effective_cycle TEXT NOT NULL, meters TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE INDEX billing_reads_by_cycle ON billing_reads (serial, effective_cycle);
CREATE TABLE supplies_reports (
  seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, serial TEXT NOT NULL, read_at TEXT NOT NULL,
  supplies TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE INDEX supplies_reports_by_serial ON supplies_reports (serial, received_at);
CREATE TABLE billing_requests (
  serial TEXT NOT NULL, cycle TEXT NOT NULL, meters TEXT NOT NULL, due TEXT NOT NULL, issued_at TEXT NOT NULL,
  fulfilled_at TEXT, PRIMARY KEY (serial, cycle));
`,
  },
  {
    // Whether a bound certificate was trusted (pinned / CA-issued) when it was bound, or
    // only bound on first use; v1 bindings were all made by a trusting verifier.
    version: 2,
    sql: "ALTER TABLE proxies ADD COLUMN signer_trusted INTEGER NOT NULL DEFAULT 1;",
  },
  {
    // Devices that moved from one proxy to another (`deviceMoves: "allow"`).
    version: 3,
    sql: `
CREATE TABLE device_moves (
  seq INTEGER PRIMARY KEY, serial TEXT NOT NULL, from_proxy TEXT NOT NULL, to_proxy TEXT NOT NULL,
  moved_at TEXT NOT NULL);
`,
  },
  {
    // Signer-profile grants (`esol server --trust-legacy`), shown by the export.
    version: 4,
    sql: `
CREATE TABLE IF NOT EXISTS signer_profiles (
  thumbprint_sha256 TEXT PRIMARY KEY, subject TEXT NOT NULL, profile TEXT NOT NULL, granted_at TEXT NOT NULL);
`,
  },
  {
    // The replay cache of signed messages, the store's one (every server on the file shares
    // it), written in the operation's transaction; expires_at in ms since the epoch.
    version: 5,
    sql: `
CREATE TABLE IF NOT EXISTS replay_cache (digest TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS replay_cache_by_expiry ON replay_cache (expires_at);
`,
  },
];

/** The schema version this code writes: the last step of {@link MIGRATIONS}. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Schema versions a read-only export understands (older ones have no `device_moves`). */
const READABLE_VERSIONS = MIGRATIONS.map((m) => m.version);

/**
 * Brings a writable database to {@link SQLITE_SCHEMA_VERSION} in one transaction.
 * @throws StorageError `STORAGE_SCHEMA` for a file written by a newer version.
 */
function migrate(db: Database.Database, dbPath: string): void {
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > SQLITE_SCHEMA_VERSION)
      throw new StorageError(
        "STORAGE_SCHEMA",
        `${dbPath} has schema version ${version}, written by a newer version; this server knows up to version ${SQLITE_SCHEMA_VERSION}: upgrade the server`,
      );
    for (const step of MIGRATIONS) if (step.version > version) db.exec(step.sql);
    if (version !== SQLITE_SCHEMA_VERSION) db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * The reference server's durable state in one SQLite file. The operations run the shared
 * flows (store-flow.ts) synchronously inside one SQLite transaction each, and throw
 * {@link CommunicationFaultError} for requests that must be refused (nothing is stored then).
 * The replay cache is a table of the file: every server on this store (in this process)
 * shares it.
 */
export class SqliteServerStore extends FlowStore implements StoreBackend {
  /** This store's kind. */
  readonly kind = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<typeof prepare>;
  private readonly statements: StoreStatements;

  private constructor(db: Database.Database, options: Pick<ServerStoreOptions, "logger">) {
    super(options.logger);
    this.db = db;
    this.stmt = prepare(db);
    this.statements = sqliteStatements(db, this.stmt);
  }

  /**
   * Opens (creating and migrating when writable) the store at `dbPath`.
   * @throws StorageError `STORAGE_OPEN`, `STORAGE_NOT_FOUND`, `STORAGE_SCHEMA`.
   */
  static open(
    dbPath: string,
    options: Pick<ServerStoreOptions, "readonly" | "logger"> = {},
  ): SqliteServerStore {
    let db: Database.Database;
    try {
      db = new Database(dbPath, options.readonly ? { readonly: true, fileMustExist: true } : {});
    } catch (err) {
      throw new StorageError(
        options.readonly ? "STORAGE_NOT_FOUND" : "STORAGE_OPEN",
        `cannot open the server store ${dbPath}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    try {
      if (options.readonly) {
        const version = db.pragma("user_version", { simple: true }) as number;
        if (!READABLE_VERSIONS.includes(version))
          throw new StorageError(
            "STORAGE_SCHEMA",
            version > SQLITE_SCHEMA_VERSION
              ? `${dbPath} has schema version ${version}, written by a newer version; this server knows up to version ${SQLITE_SCHEMA_VERSION}`
              : `${dbPath} is not a server store (schema version ${version})`,
          );
      } else {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = FULL");
        db.pragma("foreign_keys = ON");
        db.pragma("busy_timeout = 5000");
        migrate(db, dbPath);
      }
      return new SqliteServerStore(db, options);
    } catch (err) {
      db.close();
      if (err instanceof StorageError) throw err;
      throw new StorageError(
        "STORAGE_OPEN",
        `cannot use ${dbPath} as a server store: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  /** Runs `flow` in one SQLite transaction (synchronously, inside the returned promise). */
  protected async transact<T>(flow: () => Flow<T>, _scope: RequestScope): Promise<T> {
    return this.db.transaction(() => runFlowSync(flow(), this.statements))();
  }

  /** Deletes expired replay-cache entries (one statement, its own transaction). */
  protected async deleteExpiredReplays(nowMs: number): Promise<void> {
    if (this.db.open) this.db.prepare("DELETE FROM replay_cache WHERE expires_at < ?").run(nowMs);
  }

  /** Closes the database file (after a replay-cache sweep still running). */
  async close(): Promise<void> {
    await this.sweepSettled();
    this.closeSync();
  }

  /** Closes the database file, synchronously. */
  closeSync(): void {
    if (this.db.open) this.db.close();
  }

  /** The file is open (a local file does not go away under the process). */
  async ping(): Promise<void> {
    if (!this.db.open) throw new StorageError("STORAGE_CLOSED", "the server store is closed");
    this.db.prepare("SELECT 1").get();
  }

  /**
   * The SHA-256 thumbprint of the certificate `proxyId` is bound to, if any. A bound proxy
   * accepts only requests signed by that certificate.
   */
  async boundSignerOf(proxyId: string): Promise<string | undefined> {
    return this.statements.proxySigner(proxyId)?.thumbprint ?? undefined;
  }

  /**
   * Forgets the certificate `proxyId` is bound to (an administrator's rotation step): its
   * next signed `RegisterProxy` binds again. Returns false when the proxy was not bound.
   */
  async unbindSigner(proxyId: string): Promise<boolean> {
    return this.unbindSignerSync(proxyId);
  }

  /** {@link SqliteServerStore.unbindSigner}, synchronously. */
  unbindSignerSync(proxyId: string): boolean {
    return this.stmt.unbindSigner.run(proxyId).changes > 0;
  }

  /** Marks a device disabled by the server: the next `Sync` carries a `Disable` directive. */
  async disableDevice(serial: string, reason: string): Promise<void> {
    this.disableDeviceSync(serial, reason);
  }

  /** {@link SqliteServerStore.disableDevice}, synchronously. */
  disableDeviceSync(serial: string, reason: string): void {
    const result = this.stmt.disableDevice.run(reason, serial);
    if (result.changes === 0)
      throw new CommunicationFaultError("UNKNOWN_DEVICE", `device ${serial} is not registered`, {
        field: "serial",
      });
  }

  /**
   * Certificates (PEM) that proxies registered with, to pin again after a restart;
   * `trustedOnly` leaves out those bound only on first use (pinning them into a trusting
   * verifier would make them trusted).
   */
  async registeredSignerCertificates(options: { trustedOnly?: boolean } = {}): Promise<string[]> {
    const where = options.trustedOnly ? " AND signer_trusted = 1" : "";
    return (
      this.db
        .prepare(`SELECT signer_cert FROM proxies WHERE signer_cert IS NOT NULL${where} ORDER BY rowid`)
        .all() as Array<{
        signer_cert: string;
      }>
    ).map((r) => r.signer_cert);
  }

  async recordSignerProfiles(
    grants: ReadonlyArray<Omit<SignerProfileGrant, "grantedAt">>,
    at: Date,
  ): Promise<void> {
    const db = this.db;
    const upsert = db.prepare(
      `INSERT INTO signer_profiles (thumbprint_sha256, subject, profile, granted_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (thumbprint_sha256) DO UPDATE SET subject = excluded.subject,
         granted_at = CASE WHEN profile = excluded.profile THEN granted_at ELSE excluded.granted_at END,
         profile = excluded.profile`,
    );
    const remove = db.prepare("DELETE FROM signer_profiles WHERE thumbprint_sha256 = ?");
    db.transaction(() => {
      const keep = new Set(grants.map((g) => g.thumbprintSha256));
      for (const { thumbprint_sha256 } of db
        .prepare("SELECT thumbprint_sha256 FROM signer_profiles")
        .all() as Array<{
        thumbprint_sha256: string;
      }>)
        if (!keep.has(thumbprint_sha256)) remove.run(thumbprint_sha256);
      for (const g of grants) upsert.run(g.thumbprintSha256, g.subject, g.profile, at.toISOString());
    }).immediate();
  }

  async signerProfiles(): Promise<SignerProfileGrant[]> {
    return this.signerProfilesSync();
  }

  /** Whether the file has a table (an older schema, read-only, may lack one). */
  private hasTable(name: string): boolean {
    return (
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined
    );
  }

  /** {@link SqliteServerStore.signerProfiles}, synchronously (none before schema version 4). */
  signerProfilesSync(): SignerProfileGrant[] {
    if (!this.hasTable("signer_profiles")) return [];
    return (
      this.db.prepare("SELECT * FROM signer_profiles ORDER BY granted_at, thumbprint_sha256").all() as Array<
        Record<string, unknown>
      >
    ).map(grantFromRow);
  }

  /** Everything stored, as the export JSON. */
  async exportAll(): Promise<StoreExport> {
    return this.exportAllSync();
  }

  /** {@link SqliteServerStore.exportAll}, synchronously. */
  exportAllSync(): StoreExport {
    const rows = (sql: string) => this.db.prepare(sql).all() as Array<Record<string, unknown>>;
    return exportFromRows(
      {
        proxies: rows("SELECT * FROM proxies ORDER BY rowid"),
        devices: rows("SELECT * FROM devices ORDER BY rowid"),
        billingReads: rows("SELECT * FROM billing_reads ORDER BY seq"),
        suppliesReports: rows("SELECT * FROM supplies_reports ORDER BY seq"),
        billingRequests: rows("SELECT * FROM billing_requests ORDER BY rowid"),
        deviceMoves: this.hasTable("device_moves") ? rows("SELECT * FROM device_moves ORDER BY seq") : [],
      },
      this.signerProfilesSync(),
    );
  }
}

/** The statements of the shared flows in SQLite (run inside the flow's transaction). */
function sqliteStatements(db: Database.Database, stmt: ReturnType<typeof prepare>): StoreStatements {
  // Prepared on first use, not with the rest: a read-only export of an older file may lack
  // their tables (device_moves since version 3, replay_cache since version 5).
  let moveStatements: { putMove: Database.Statement; resetServices: Database.Statement } | undefined;
  let recordReplay: Database.Statement | undefined;
  return {
    recordReplay: (digest, expiresAtMs, nowMs) => {
      recordReplay ??= db.prepare(
        `INSERT INTO replay_cache (digest, expires_at) VALUES (?, ?)
         ON CONFLICT (digest) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_cache.expires_at < ?`,
      );
      return recordReplay.run(digest, expiresAtMs, nowMs).changes === 1;
    },
    proxySigner: (proxyId) => {
      const row = stmt.proxySigner.get(proxyId) as { signer_thumbprint: string | null } | undefined;
      return row && { thumbprint: row.signer_thumbprint };
    },
    deviceOwners: (serials) => {
      const owners = new Map<string, string>();
      for (const serial of serials) {
        const row = stmt.deviceOwner.get(serial) as { proxy_id: string } | undefined;
        if (row) owners.set(serial, row.proxy_id);
      }
      return owners;
    },
    putMessageKey: (operation, key, proxyId, at) =>
      stmt.putMessageKey.run(operation, key, proxyId, at).changes === 1,
    messageKeyProxy: (operation, key) =>
      (stmt.getMessageKey.get(operation, key) as { proxy_id: string } | undefined)?.proxy_id,
    upsertProxy: (input, at, sender, trusted) => {
      stmt.upsertProxy.run({
        proxy_id: input.proxyId,
        site: input.site ?? null,
        software: input.software ?? null,
        host: input.host ?? null,
        registered_at: at,
        signer_thumbprint: sender?.thumbprintSha256 ?? null,
        signer_subject: sender?.subject ?? null,
        signer_cert: sender?.certificatePem ?? null,
        signer_trusted: trusted ? 1 : 0,
      });
      return (stmt.proxySigner.get(input.proxyId) as { signer_thumbprint: string | null }).signer_thumbprint;
    },
    recordMove: (serial, fromProxyId, toProxyId, at) => {
      moveStatements ??= {
        putMove: db.prepare(
          "INSERT INTO device_moves (serial, from_proxy, to_proxy, moved_at) VALUES (?, ?, ?, ?)",
        ),
        // The old proxy confirmed the services, not the new one: it is asked to enable them again.
        resetServices: db.prepare(
          "UPDATE devices SET billing_enabled = 0, supplies_enabled = 0 WHERE serial = ?",
        ),
      };
      moveStatements.putMove.run(serial, fromProxyId, toProxyId, at);
      moveStatements.resetServices.run(serial);
    },
    upsertDevice: (proxyId, d, at) => {
      stmt.upsertDevice.run({
        serial: d.serial,
        proxy_id: proxyId,
        vendor: d.vendor ?? null,
        model: d.model ?? null,
        mac: d.mac ?? null,
        address: d.address ?? null,
        registered_at: at,
      });
    },
    setService: (serial, service, enabled, at) => {
      (service === "billing" ? stmt.setBilling : stmt.setSupplies).run(enabled ? 1 : 0, at, serial);
    },
    putBillingReads: (reads, receivedAt) =>
      reads.filter(
        (r: BillingReadRow) =>
          stmt.putBillingRead.run({
            key: r.key,
            serial: r.serial,
            read_at: r.readAt,
            cycle: r.cycle,
            effective_cycle: r.effectiveCycle,
            meters: r.meters,
            received_at: receivedAt,
          }).changes === 1,
      ),
    fulfilRequests: (at, pairs) => {
      for (const p of pairs) stmt.fulfilRequest.run(at, p.serial, p.cycle);
    },
    touchDevices: (reads) => {
      for (const r of reads) stmt.touchDevice.run({ at: r.readAt, serial: r.serial });
    },
    putSuppliesReports: (reports, receivedAt) =>
      reports.filter(
        (r) =>
          stmt.putSuppliesReport.run({
            key: r.key,
            serial: r.serial,
            read_at: r.readAt,
            supplies: r.supplies,
            received_at: receivedAt,
          }).changes === 1,
      ).length,
    setState: (s, at) => {
      stmt.setState.run(s.state, s.detail ?? null, s.lastReadAt?.toISOString() ?? null, at, s.serial);
    },
    devicesOfProxy: (proxyId) =>
      (stmt.devicesOfProxy.all(proxyId) as Array<Record<string, unknown>>).map(
        (d): DeviceState => ({
          serial: d.serial as string,
          billingEnabled: d.billing_enabled === 1,
          suppliesEnabled: d.supplies_enabled === 1,
          state: d.state as string,
          disableReason: d.disable_reason as string | null,
        }),
      ),
    billingRequest: (serial, cycle) => {
      const row = stmt.getRequest.get(serial, cycle) as
        | { meters: string; due: string; fulfilled_at: string | null }
        | undefined;
      return row && { meters: row.meters, due: row.due, fulfilledAt: row.fulfilled_at };
    },
    readInCycle: (serial, cycle) => stmt.readInCycle.get(serial, cycle) !== undefined,
    putRequest: (serial, cycle, meters, due, issuedAt) =>
      stmt.putRequest.run(serial, cycle, meters, due, issuedAt).changes === 1,
    suppliesSince: (serial, since) => stmt.recentSupplies.get(serial, since) !== undefined,
  };
}

function prepare(db: Database.Database) {
  return {
    deviceOwner: db.prepare("SELECT proxy_id FROM devices WHERE serial = ?"),
    getMessageKey: db.prepare("SELECT proxy_id FROM message_keys WHERE operation = ? AND key = ?"),
    putMessageKey: db.prepare(
      `INSERT INTO message_keys (operation, key, proxy_id, received_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (operation, key) DO NOTHING`,
    ),
    upsertProxy: db.prepare(
      `INSERT INTO proxies (proxy_id, site, software, host, registered_at, signer_thumbprint, signer_subject, signer_cert, signer_trusted)
       VALUES (@proxy_id, @site, @software, @host, @registered_at, @signer_thumbprint, @signer_subject, @signer_cert, @signer_trusted)
       ON CONFLICT (proxy_id) DO UPDATE SET site = excluded.site, software = excluded.software, host = excluded.host,
         signer_trusted = CASE WHEN signer_thumbprint IS NULL AND excluded.signer_thumbprint IS NOT NULL
           THEN excluded.signer_trusted ELSE signer_trusted END,
         signer_thumbprint = COALESCE(signer_thumbprint, excluded.signer_thumbprint),
         signer_subject = CASE WHEN signer_thumbprint IS NULL THEN excluded.signer_subject ELSE signer_subject END,
         signer_cert = COALESCE(signer_cert, excluded.signer_cert)`,
    ),
    proxySigner: db.prepare("SELECT signer_thumbprint FROM proxies WHERE proxy_id = ?"),
    unbindSigner: db.prepare(
      `UPDATE proxies SET signer_thumbprint = NULL, signer_subject = NULL, signer_cert = NULL, signer_trusted = 1
       WHERE proxy_id = ? AND signer_thumbprint IS NOT NULL`,
    ),
    upsertDevice: db.prepare(
      `INSERT INTO devices (serial, proxy_id, vendor, model, mac, address, registered_at)
       VALUES (@serial, @proxy_id, @vendor, @model, @mac, @address, @registered_at)
       ON CONFLICT (serial) DO UPDATE SET proxy_id = excluded.proxy_id, vendor = excluded.vendor,
         model = excluded.model, mac = excluded.mac, address = excluded.address`,
    ),
    setBilling: db.prepare("UPDATE devices SET billing_enabled = ?, last_status_at = ? WHERE serial = ?"),
    setSupplies: db.prepare("UPDATE devices SET supplies_enabled = ?, last_status_at = ? WHERE serial = ?"),
    setState: db.prepare(
      `UPDATE devices SET state = ?, state_detail = ?, last_read_at = COALESCE(?, last_read_at), last_status_at = ?
       WHERE serial = ?`,
    ),
    touchDevice: db.prepare(
      "UPDATE devices SET last_read_at = @at WHERE serial = @serial AND (last_read_at IS NULL OR last_read_at < @at)",
    ),
    disableDevice: db.prepare("UPDATE devices SET disable_reason = ? WHERE serial = ?"),
    devicesOfProxy: db.prepare(
      `SELECT serial, proxy_id, billing_enabled, supplies_enabled, state, disable_reason FROM devices
       WHERE proxy_id = ? ORDER BY rowid`,
    ),
    putBillingRead: db.prepare(
      `INSERT INTO billing_reads (key, serial, read_at, cycle, effective_cycle, meters, received_at)
       VALUES (@key, @serial, @read_at, @cycle, @effective_cycle, @meters, @received_at) ON CONFLICT (key) DO NOTHING`,
    ),
    putSuppliesReport: db.prepare(
      `INSERT INTO supplies_reports (key, serial, read_at, supplies, received_at)
       VALUES (@key, @serial, @read_at, @supplies, @received_at) ON CONFLICT (key) DO NOTHING`,
    ),
    recentSupplies: db.prepare(
      "SELECT 1 FROM supplies_reports WHERE serial = ? AND received_at >= ? LIMIT 1",
    ),
    readInCycle: db.prepare("SELECT 1 FROM billing_reads WHERE serial = ? AND effective_cycle = ? LIMIT 1"),
    getRequest: db.prepare(
      "SELECT meters, due, fulfilled_at FROM billing_requests WHERE serial = ? AND cycle = ?",
    ),
    putRequest: db.prepare(
      `INSERT INTO billing_requests (serial, cycle, meters, due, issued_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (serial, cycle) DO NOTHING`,
    ),
    fulfilRequest: db.prepare(
      "UPDATE billing_requests SET fulfilled_at = ? WHERE serial = ? AND cycle = ? AND fulfilled_at IS NULL",
    ),
  };
}
