/**
 * The server's SQLite store: one file, WAL, `synchronous=FULL`, schema versioned with
 * `user_version` through a migration ladder, prepared statements, one transaction per
 * request. Each idempotency key is stored once; a resend is counted as a duplicate. One
 * process writes the file (several processes share a PostgreSQL store instead).
 * @module
 */
import Database from "better-sqlite3";
import { SecurityError, StorageError } from "../errors.js";
import type { VerifiedSender } from "../soap/security.js";
import { CommunicationFaultError } from "./faults.js";
import { type BillingCycleKind, billingCycleAt, billingDue, type DeviceMovePolicy } from "./policy.js";
import { grantFromRow, type SignerProfileGrant, withSignerProfiles } from "./signer-profiles.js";
import type {
  AckCounts,
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

interface DeviceRow {
  serial: string;
  proxy_id: string;
  billing_enabled: number;
  supplies_enabled: number;
  state: string;
  disable_reason: string | null;
}

interface RequestRow {
  meters: string;
  due: string;
  fulfilled_at: string | null;
}

/**
 * The reference server's durable state in one SQLite file. Methods run one SQLite
 * transaction each (synchronously, inside the returned promise) and throw
 * {@link CommunicationFaultError} for requests that must be refused (nothing is stored then).
 */
export class SqliteServerStore implements StoreBackend {
  /** This store's kind. */
  readonly kind = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<typeof prepare>;

  private constructor(db: Database.Database) {
    this.db = db;
    this.stmt = prepare(db);
  }

  /**
   * Opens (creating and migrating when writable) the store at `dbPath`.
   * @throws StorageError `STORAGE_OPEN`, `STORAGE_NOT_FOUND`, `STORAGE_SCHEMA`.
   */
  static open(dbPath: string, options: Pick<ServerStoreOptions, "readonly"> = {}): SqliteServerStore {
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
      return new SqliteServerStore(db);
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

  /** Closes the database file. */
  async close(): Promise<void> {
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

  private requireProxy(proxyId: string): void {
    if (!this.stmt.proxyExists.get(proxyId))
      throw new CommunicationFaultError("UNKNOWN_PROXY", `proxy ${proxyId} is not registered`, {
        field: "ProxyId",
      });
  }

  /**
   * Every serial must be registered, and registered by `proxyId`: a proxy (even one locked to
   * its certificate) must not report for another proxy's devices.
   */
  private requireDevices(proxyId: string, serials: Array<{ serial: string; field: string }>): void {
    for (const { serial, field } of serials) {
      const row = this.stmt.deviceOwner.get(serial) as { proxy_id: string } | undefined;
      if (!row || row.proxy_id !== proxyId)
        throw new CommunicationFaultError(
          "UNKNOWN_DEVICE",
          `device ${serial} is not registered${row ? " to this proxy" : ""}`,
          { field },
        );
    }
  }

  /**
   * The SHA-256 thumbprint of the certificate `proxyId` is bound to, if any. A bound proxy
   * accepts only requests signed by that certificate.
   */
  async boundSignerOf(proxyId: string): Promise<string | undefined> {
    const row = this.stmt.boundSigner.get(proxyId) as { signer_thumbprint: string | null } | undefined;
    return row?.signer_thumbprint ?? undefined;
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

  /**
   * `RegisterProxy`: creates or updates the proxy; a repeated key answers `duplicate`. The
   * first signed registration binds the signer's certificate (`trusted`: whether a pinned
   * certificate or CA vouched for it, or it was only bound on first use).
   */
  async registerProxy(
    input: RegisterProxyInput,
    now: Date,
    sender: VerifiedSender | undefined,
    trusted = true,
  ): Promise<{ proxyId: string; duplicate: boolean }> {
    return this.db.transaction(() => {
      const seen = this.stmt.getMessageKey.get("RegisterProxy", input.key) as
        | { proxy_id: string }
        | undefined;
      if (seen) return { proxyId: seen.proxy_id, duplicate: true };
      const at = now.toISOString();
      this.stmt.upsertProxy.run({
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
      if (sender) {
        const bound = this.stmt.boundSigner.get(input.proxyId) as { signer_thumbprint: string | null };
        if (bound.signer_thumbprint !== sender.thumbprintSha256)
          throw new SecurityError(
            "WSS_UNTRUSTED_KEY",
            `proxy ${JSON.stringify(input.proxyId.slice(0, 64))} is bound to another certificate than the one that signed this request`,
          );
      }
      this.stmt.putMessageKey.run("RegisterProxy", input.key, input.proxyId, at);
      return { proxyId: input.proxyId, duplicate: false };
    })();
  }

  /**
   * `RegisterDevices`: upserts every device under the proxy. A serial registered to another
   * proxy is refused under `deviceMoves: "refuse"` (`DEVICE_OWNED_BY_OTHER_PROXY`, nothing
   * of the request stored: a trusted proxy must not take over another's device and bill
   * it); under `"allow"` it moves, the move is recorded with `now`, and its services are
   * to be enabled again by the new proxy (the next `Sync` answers `EnableService`).
   */
  async registerDevices(
    input: RegisterDevicesInput,
    now: Date,
    deviceMoves: DeviceMovePolicy = "refuse",
  ): Promise<AckCounts> {
    return this.db.transaction(() => {
      this.requireProxy(input.proxyId);
      if (this.stmt.getMessageKey.get("RegisterDevices", input.key))
        return { accepted: 0, duplicates: input.devices.length };
      const moves: Array<{ serial: string; from: string }> = [];
      input.devices.forEach((d, i) => {
        const owner = this.stmt.deviceOwner.get(d.serial) as { proxy_id: string } | undefined;
        if (!owner || owner.proxy_id === input.proxyId) return;
        if (deviceMoves !== "allow")
          throw new CommunicationFaultError(
            "DEVICE_OWNED_BY_OTHER_PROXY",
            `device ${d.serial} is registered to another proxy; this server does not move devices between proxies`,
            { field: `Device[${i}].Serial` },
          );
        moves.push({ serial: d.serial, from: owner.proxy_id });
      });
      const at = now.toISOString();
      if (moves.length) {
        // Prepared here, not with the rest: a read-only export of a v2 file has no such table.
        const putMove = this.db.prepare(
          "INSERT INTO device_moves (serial, from_proxy, to_proxy, moved_at) VALUES (?, ?, ?, ?)",
        );
        // The old proxy confirmed the services, not the new one: it is asked to enable them again.
        const resetServices = this.db.prepare(
          "UPDATE devices SET billing_enabled = 0, supplies_enabled = 0 WHERE serial = ?",
        );
        for (const m of moves) {
          putMove.run(m.serial, m.from, input.proxyId, at);
          resetServices.run(m.serial);
        }
      }
      for (const d of input.devices) {
        this.stmt.upsertDevice.run({
          serial: d.serial,
          proxy_id: input.proxyId,
          vendor: d.vendor ?? null,
          model: d.model ?? null,
          mac: d.mac ?? null,
          address: d.address ?? null,
          registered_at: at,
        });
      }
      this.stmt.putMessageKey.run("RegisterDevices", input.key, input.proxyId, at);
      return { accepted: input.devices.length, duplicates: 0 };
    })();
  }

  /** `ReportSyncStatus`: records which services the client confirmed. */
  async reportSyncStatus(input: ReportSyncStatusInput, now: Date): Promise<AckCounts> {
    return this.db.transaction(() => {
      this.requireProxy(input.proxyId);
      this.requireDevices(
        input.proxyId,
        input.statuses.map((s, i) => ({ serial: s.serial, field: `Status[${i}].Serial` })),
      );
      if (this.stmt.getMessageKey.get("ReportSyncStatus", input.key))
        return { accepted: 0, duplicates: input.statuses.length };
      const at = now.toISOString();
      for (const s of input.statuses) {
        (s.service === "billing" ? this.stmt.setBilling : this.stmt.setSupplies).run(
          s.enabled ? 1 : 0,
          at,
          s.serial,
        );
      }
      this.stmt.putMessageKey.run("ReportSyncStatus", input.key, input.proxyId, at);
      return { accepted: input.statuses.length, duplicates: 0 };
    })();
  }

  /** `SubmitBillingReads`: stores each read key once and marks the billing requests it fulfils. */
  async submitBillingReads(
    input: SubmitBillingReadsInput,
    now: Date,
    cycle: BillingCycleKind,
  ): Promise<AckCounts> {
    return this.db.transaction(() => {
      this.requireProxy(input.proxyId);
      this.requireDevices(
        input.proxyId,
        input.reads.map((r, i) => ({ serial: r.serial, field: `Read[${i}].Serial` })),
      );
      const at = now.toISOString();
      const counts: AckCounts = { accepted: 0, duplicates: 0 };
      for (const r of input.reads) {
        const effective = r.cycle ?? billingCycleAt(r.readAt, cycle).id;
        const result = this.stmt.putBillingRead.run({
          key: r.key,
          serial: r.serial,
          read_at: r.readAt.toISOString(),
          cycle: r.cycle ?? null,
          effective_cycle: effective,
          meters: JSON.stringify(
            r.meters.map((m) => ({ name: m.name, value: m.value, unit: m.unit ?? null })),
          ),
          received_at: at,
        });
        if (result.changes === 0) {
          counts.duplicates++;
          continue;
        }
        counts.accepted++;
        this.stmt.fulfilRequest.run(at, r.serial, effective);
        this.stmt.touchDevice.run({ at: r.readAt.toISOString(), serial: r.serial });
      }
      return counts;
    })();
  }

  /** `SubmitSuppliesReport`: stores each report key once. */
  async submitSuppliesReport(input: SubmitSuppliesReportInput, now: Date): Promise<AckCounts> {
    return this.db.transaction(() => {
      this.requireProxy(input.proxyId);
      this.requireDevices(
        input.proxyId,
        input.reports.map((r, i) => ({ serial: r.serial, field: `Report[${i}].Serial` })),
      );
      const at = now.toISOString();
      const counts: AckCounts = { accepted: 0, duplicates: 0 };
      for (const r of input.reports) {
        const result = this.stmt.putSuppliesReport.run({
          key: r.key,
          serial: r.serial,
          read_at: r.readAt.toISOString(),
          supplies: JSON.stringify(r.supplies),
          received_at: at,
        });
        if (result.changes === 0) counts.duplicates++;
        else counts.accepted++;
      }
      return counts;
    })();
  }

  /**
   * `Sync`: records the reported device states, then computes the directives for every
   * device of the proxy under `policy` at `now`.
   */
  async sync(input: ReceivedSyncInput, now: Date, policy: StorePolicy): Promise<SyncDirectives> {
    return this.db.transaction(() => {
      this.requireProxy(input.proxyId);
      this.requireDevices(
        input.proxyId,
        input.statuses.map((s, i) => ({ serial: s.serial, field: `Status[${i}].Serial` })),
      );
      const at = now.toISOString();
      for (const s of input.statuses) {
        this.stmt.setState.run(s.state, s.detail ?? null, s.lastReadAt?.toISOString() ?? null, at, s.serial);
      }
      const out: SyncDirectives = {
        configure: policy.configure,
        enableService: [],
        billingRequest: [],
        suppliesRequest: [],
        disable: [],
      };
      const cycle = billingCycleAt(now, policy.cycle);
      const suppliesOn = policy.suppliesIntervalMs !== undefined;
      for (const d of this.stmt.devicesOfProxy.all(input.proxyId) as DeviceRow[]) {
        if (d.disable_reason !== null) {
          if (d.state !== "disabled") out.disable.push({ serial: d.serial, reason: d.disable_reason });
          continue;
        }
        if (d.state === "disabled") continue;
        if (!d.billing_enabled) out.enableService.push({ serial: d.serial, service: "billing" });
        if (suppliesOn && !d.supplies_enabled)
          out.enableService.push({ serial: d.serial, service: "supplies" });
        if (d.billing_enabled) {
          const request = this.billingRequestFor(d.serial, cycle, now, policy);
          if (request) out.billingRequest.push(request);
        }
        if (suppliesOn && d.supplies_enabled) {
          const intervalMs = policy.suppliesIntervalMs as number;
          // Asked again only when reports stopped coming: a steady client hears nothing new.
          const since = new Date(now.getTime() - 2 * intervalMs).toISOString();
          if (!this.stmt.recentSupplies.get(d.serial, since))
            out.suppliesRequest.push({
              serial: d.serial,
              intervalSeconds: Math.max(1, Math.round(intervalMs / 1000)),
            });
        }
      }
      return out;
    })();
  }

  private billingRequestFor(
    serial: string,
    cycle: ReturnType<typeof billingCycleAt>,
    now: Date,
    policy: StorePolicy,
  ): SyncDirectives["billingRequest"][number] | undefined {
    const existing = this.stmt.getRequest.get(serial, cycle.id) as RequestRow | undefined;
    if (existing) {
      if (existing.fulfilled_at !== null) return undefined;
      return {
        serial,
        cycle: cycle.id,
        meters: JSON.parse(existing.meters) as string[],
        due: new Date(existing.due),
      };
    }
    if (this.stmt.readInCycle.get(serial, cycle.id)) return undefined;
    const due = billingDue(now, cycle, policy.dueDays);
    this.stmt.putRequest.run(
      serial,
      cycle.id,
      JSON.stringify(policy.meters),
      due.toISOString(),
      now.toISOString(),
    );
    return { serial, cycle: cycle.id, meters: [...policy.meters], due };
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

  /** {@link SqliteServerStore.signerProfiles}, synchronously (none before schema version 4). */
  signerProfilesSync(): SignerProfileGrant[] {
    const exists = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'signer_profiles'")
      .get();
    if (!exists) return [];
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
    const proxies = (
      this.db.prepare("SELECT * FROM proxies ORDER BY rowid").all() as Array<Record<string, string | null>>
    ).map((p) => {
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
    });
    const devices = (
      this.db.prepare("SELECT * FROM devices ORDER BY rowid").all() as Array<Record<string, unknown>>
    ).map((d) => ({
      serial: d.serial as string,
      proxyId: d.proxy_id as string,
      vendor: (d.vendor as string | null) ?? null,
      model: (d.model as string | null) ?? null,
      mac: (d.mac as string | null) ?? null,
      address: (d.address as string | null) ?? null,
      registeredAt: d.registered_at as string,
      services: { billing: d.billing_enabled === 1, supplies: d.supplies_enabled === 1 },
      state: d.state as string,
      lastStatusAt: (d.last_status_at as string | null) ?? null,
    }));
    const billingReads = (
      this.db.prepare("SELECT * FROM billing_reads ORDER BY seq").all() as Array<Record<string, string>>
    ).map((r) => ({
      key: r.key as string,
      serial: r.serial as string,
      readAt: r.read_at as string,
      cycle: r.cycle ?? null,
      meters: JSON.parse(r.meters as string) as StoreExport["billingReads"][number]["meters"],
      receivedAt: r.received_at as string,
    }));
    const suppliesReports = (
      this.db.prepare("SELECT * FROM supplies_reports ORDER BY seq").all() as Array<Record<string, string>>
    ).map((r) => ({
      key: r.key as string,
      serial: r.serial as string,
      readAt: r.read_at as string,
      supplies: JSON.parse(r.supplies as string) as SupplyInput[],
      receivedAt: r.received_at as string,
    }));
    const billingRequests = (
      this.db.prepare("SELECT * FROM billing_requests ORDER BY rowid").all() as Array<
        Record<string, string | null>
      >
    ).map((q) => ({
      serial: q.serial as string,
      cycle: q.cycle as string,
      meters: JSON.parse(q.meters as string) as string[],
      due: q.due as string,
      issuedAt: q.issued_at as string,
      fulfilledAt: q.fulfilled_at ?? null,
    }));
    const hasMoves = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'device_moves'")
      .get();
    const deviceMoves = hasMoves
      ? (
          this.db.prepare("SELECT * FROM device_moves ORDER BY seq").all() as Array<Record<string, string>>
        ).map((m) => ({
          serial: m.serial as string,
          fromProxyId: m.from_proxy as string,
          toProxyId: m.to_proxy as string,
          movedAt: m.moved_at as string,
        }))
      : [];
    return withSignerProfiles(
      { proxies, devices, billingReads, suppliesReports, billingRequests, deviceMoves },
      this.signerProfilesSync(),
    );
  }
}

function prepare(db: Database.Database) {
  return {
    proxyExists: db.prepare("SELECT 1 FROM proxies WHERE proxy_id = ?"),
    deviceOwner: db.prepare("SELECT proxy_id FROM devices WHERE serial = ?"),
    getMessageKey: db.prepare("SELECT proxy_id FROM message_keys WHERE operation = ? AND key = ?"),
    putMessageKey: db.prepare(
      "INSERT INTO message_keys (operation, key, proxy_id, received_at) VALUES (?, ?, ?, ?)",
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
    boundSigner: db.prepare("SELECT signer_thumbprint FROM proxies WHERE proxy_id = ?"),
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
      "INSERT INTO billing_requests (serial, cycle, meters, due, issued_at) VALUES (?, ?, ?, ?, ?)",
    ),
    fulfilRequest: db.prepare(
      "UPDATE billing_requests SET fulfilled_at = ? WHERE serial = ? AND cycle = ? AND fulfilled_at IS NULL",
    ),
  };
}
