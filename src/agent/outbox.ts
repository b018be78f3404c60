/**
 * The durable outbox (store-and-forward): every message the agent owes the server is
 * committed (fsync, WAL, `synchronous=FULL`) before any network I/O, carries an
 * idempotency key, and stays `pending` until the server acknowledges it (`sent`) or
 * answers with a fault that no retry can fix (`parked`, with the reason).
 *
 * Policies, in one place:
 * - **Bounded**: at most `maxEntries` unsent (pending + parked) entries and at most
 *   `maxBytes` on disk. When either limit is hit, or the disk itself is full
 *   (`SQLITE_FULL`), the *new* entry is refused with `StorageError` `STORAGE_FULL`;
 *   entries already committed are never dropped to make room. Acknowledged entries
 *   older than `retainSentMs` and poll readings beyond `keepReadingsPerDevice` are the
 *   only things ever deleted.
 * - **Integrity**: `PRAGMA quick_check` at open. A damaged file is copied row by row into
 *   a fresh one and kept beside it as `<path>.corrupt-<time>`; every row carries a
 *   SHA-256 checksum, and a row whose checksum does not match is moved to the
 *   `quarantine` table with its raw bytes, never silently dropped.
 * - **Retries**: exponential backoff with jitter, at least the server's `Retry-After`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, renameSync } from "node:fs";
import Database from "better-sqlite3";
import { StorageError } from "../errors.js";
import { backoffDelayMs } from "../soap/retry.js";
import { bindConnection } from "./connection.js";

/** What an outbox entry carries to the server. */
export type OutboxKind = "billing-read" | "supplies-report" | "register-devices" | "sync-status";

/** Delivery state of an entry. */
export type OutboxState = "pending" | "sent" | "parked";

/** A message to commit to the outbox. */
export interface OutboxInput {
  /** Which operation delivers it. */
  kind: OutboxKind;
  /** Device serial number, when the message is about one device. */
  serial?: string;
  /** When the reading was taken (epoch ms); part of the idempotency key. */
  readAtMs?: number;
  /**
   * A business key that must exist at most once (e.g. `billing:SERIAL:2026-11`): a second
   * append with the same `dedupKey` returns the existing entry instead of adding one.
   */
  dedupKey?: string;
  /** JSON-serialisable body; the `key` field is filled in by the outbox when absent. */
  payload: unknown;
}

/** One committed message. */
export interface OutboxEntry {
  /** Monotonic sequence number. */
  seq: number;
  /** Idempotency key: `<serial>:<readAt ISO>:<seq>`; the server stores each key once. */
  key: string;
  /** Which operation delivers it. */
  kind: OutboxKind;
  /** Device serial, when any. */
  serial: string | null;
  /** Reading time (epoch ms), when any. */
  readAtMs: number | null;
  /** The business dedup key, when any. */
  dedupKey: string | null;
  /** The message body. */
  payload: unknown;
  /** Delivery state. */
  state: OutboxState;
  /** Delivery attempts so far. */
  attempts: number;
  /** Epoch ms of the next attempt (pending entries). */
  nextAttemptAtMs: number;
  /** Last failure, or the reason it was parked. */
  lastError: string | null;
  /** Epoch ms the entry was committed. */
  createdAtMs: number;
  /** Epoch ms it was acknowledged or parked. */
  doneAtMs: number | null;
}

/** A row moved aside because it failed its checksum or could not be read. */
export interface QuarantinedRow {
  /** Quarantine id. */
  id: number;
  /** Table the row came from. */
  table: string;
  /** The row's id in that table, when it could be read. */
  rowId: number | null;
  /** Why it was quarantined. */
  reason: string;
  /** The row as stored (JSON of its columns, with text as raw bytes), for forensics. */
  raw: Buffer;
  /** Epoch ms it was quarantined. */
  atMs: number;
}

/** Counts per state. */
export interface OutboxStats {
  /** Waiting for delivery. */
  pending: number;
  /** Acknowledged (until pruned). */
  sent: number;
  /** Refused by the server with a non-retryable fault. */
  parked: number;
  /** Rows quarantined for failing their checksum. */
  quarantined: number;
  /** Poll readings kept locally. */
  readings: number;
}

/** What {@link Outbox.open} found. */
export interface OutboxOpenReport {
  /** `ok`, or `recovered` when the file was damaged and rebuilt from its readable rows. */
  integrity: "ok" | "recovered";
  /** The damaged file kept for forensics, after a recovery. */
  corruptCopyPath?: string;
  /** Rows quarantined at open (checksum mismatch or unreadable). */
  quarantined: number;
  /** `quick_check` / `integrity_check` messages, when not ok. */
  problems: string[];
}

/** A poll reading as kept locally (the source of billing reads and supplies reports). */
export interface StoredReading {
  /** Row id. */
  id: number;
  /** Device serial. */
  serial: string;
  /** Where the device answered (`host:port`). */
  address: string;
  /** Epoch ms of the read. */
  readAtMs: number;
  /** The reading as committed. */
  reading: unknown;
}

/** Options of {@link Outbox.open}. */
export interface OutboxOptions {
  /** Time source (epoch ms); the agent passes its {@link Clock}. Default `Date.now`. */
  now?: () => number;
  /** Unsent entries (pending + parked) allowed before new ones are refused. Default 100 000. */
  maxEntries?: number;
  /** Upper bound of the database file, enforced by SQLite (`max_page_count`). Default 256 MiB. */
  maxBytes?: number;
  /** First retry delay. Default 60 000. */
  retryDelayMs?: number;
  /** Longest retry delay. Default 6 h. */
  maxRetryDelayMs?: number;
  /** Random source in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
  /** `quick` (default) runs `PRAGMA quick_check` at open; `full` runs `integrity_check`. */
  integrityCheck?: "quick" | "full";
  /** What to do with a damaged file: `recover` (default) rebuilds it, `throw` raises `STORAGE_CORRUPT`. */
  onCorrupt?: "recover" | "throw";
  /** Poll readings kept per device. Default 48. */
  keepReadingsPerDevice?: number;
  /** How long acknowledged entries are kept. Default 7 days. */
  retainSentMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  serial TEXT,
  read_at INTEGER,
  dedup TEXT UNIQUE,
  payload TEXT NOT NULL,
  checksum TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  done_at INTEGER
);
CREATE INDEX IF NOT EXISTS entries_due ON entries(state, next_attempt_at);
CREATE TABLE IF NOT EXISTS readings (
  id INTEGER PRIMARY KEY,
  serial TEXT NOT NULL,
  address TEXT NOT NULL,
  read_at INTEGER NOT NULL,
  payload TEXT NOT NULL,
  checksum TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS readings_serial ON readings(serial, read_at);
CREATE TABLE IF NOT EXISTS devices (
  serial TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  mac TEXT,
  vendor TEXT,
  model TEXT,
  state TEXT NOT NULL DEFAULT 'ok',
  first_seen_at INTEGER NOT NULL,
  last_ok_at INTEGER,
  failed_polls INTEGER NOT NULL DEFAULT 0,
  registered INTEGER NOT NULL DEFAULT 0,
  billing INTEGER NOT NULL DEFAULT 0,
  supplies INTEGER NOT NULL DEFAULT 0,
  supplies_interval_ms INTEGER,
  last_supplies_at INTEGER,
  status_dirty INTEGER NOT NULL DEFAULT 0,
  detail TEXT
);
CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY,
  source_table TEXT NOT NULL,
  row_id INTEGER,
  reason TEXT NOT NULL,
  raw BLOB NOT NULL,
  at INTEGER NOT NULL
);
`;

const TABLES = ["meta", "entries", "readings", "devices", "quarantine"] as const;

interface EntryRow {
  seq: number;
  key: string;
  kind: string;
  serial: string | null;
  read_at: number | null;
  dedup: string | null;
  payload: string;
  checksum: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  done_at: number | null;
}

interface ReadingRow {
  id: number;
  serial: string;
  address: string;
  read_at: number;
  payload: string;
  checksum: string;
}

/** SHA-256 over the fields that must never change after commit. */
function entryChecksum(e: {
  key: string;
  kind: string;
  serial: string | null;
  read_at: number | null;
  dedup: string | null;
  payload: string;
}): string {
  return createHash("sha256")
    .update(`${e.key}\n${e.kind}\n${e.serial ?? ""}\n${e.read_at ?? ""}\n${e.dedup ?? ""}\n${e.payload}`)
    .digest("hex");
}

function readingChecksum(r: { serial: string; address: string; read_at: number; payload: string }): string {
  return createHash("sha256").update(`${r.serial}\n${r.address}\n${r.read_at}\n${r.payload}`).digest("hex");
}

/** Maps a better-sqlite3 error to a {@link StorageError} with a stable code. */
export function toStorageError(err: unknown, doing: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = typeof (err as { code?: unknown })?.code === "string" ? (err as { code: string }).code : "";
  const msg = err instanceof Error ? err.message : String(err);
  if (code === "SQLITE_FULL")
    return new StorageError("STORAGE_FULL", `${doing}: the outbox is full (disk or size limit): ${msg}`, {
      cause: err,
    });
  if (code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB")
    return new StorageError("STORAGE_CORRUPT", `${doing}: the outbox file is damaged: ${msg}`, {
      cause: err,
    });
  if (code.startsWith("SQLITE_IOERR"))
    return new StorageError("STORAGE_IO", `${doing}: I/O error on the outbox file: ${msg}`, { cause: err });
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED")
    return new StorageError("STORAGE_BUSY", `${doing}: the outbox is locked by another process: ${msg}`, {
      cause: err,
      retryable: true,
    });
  return new StorageError("STORAGE_ERROR", `${doing}: ${msg}`, { cause: err });
}

function rowToEntry(row: EntryRow): OutboxEntry {
  return {
    seq: row.seq,
    key: row.key,
    kind: row.kind as OutboxKind,
    serial: row.serial,
    readAtMs: row.read_at,
    dedupKey: row.dedup,
    payload: JSON.parse(row.payload) as unknown,
    state: row.state as OutboxState,
    attempts: row.attempts,
    nextAttemptAtMs: row.next_attempt_at,
    lastError: row.last_error,
    createdAtMs: row.created_at,
    doneAtMs: row.done_at,
  };
}

/**
 * The durable outbox: a single SQLite file (WAL, `synchronous=FULL`) that also keeps the
 * agent's registrations, device registry and recent poll readings.
 *
 * @example
 * ```ts
 * const outbox = Outbox.open("/var/lib/esol/outbox.db");
 * const [entry] = outbox.append([{ kind: "billing-read", serial: "X1", readAtMs: Date.now(), payload: read }]);
 * // ... send entry.payload with entry.key ...
 * outbox.markSent([entry.seq]);
 * ```
 */
export class Outbox {
  /** What the integrity check at open found. */
  readonly openReport: OutboxOpenReport;
  /** The database file. */
  readonly path: string;
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #maxEntries: number;
  readonly #retryDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #keepReadings: number;
  readonly #retainSentMs: number;

  private constructor(path: string, db: Database.Database, report: OutboxOpenReport, options: OutboxOptions) {
    this.path = path;
    this.#db = db;
    bindConnection(this, db);
    this.openReport = report;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#retryDelayMs = options.retryDelayMs ?? 60_000;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 6 * 3_600_000;
    this.#keepReadings = options.keepReadingsPerDevice ?? 48;
    this.#retainSentMs = options.retainSentMs ?? 7 * 86_400_000;
  }

  /**
   * Opens (or creates) the outbox at `path`, checks its integrity, rebuilds it when
   * damaged (see the module policy) and quarantines rows whose checksum fails.
   * @throws StorageError `STORAGE_CORRUPT` (with `onCorrupt: "throw"`), `STORAGE_IO`, `STORAGE_BUSY`.
   */
  static open(path: string, options: OutboxOptions = {}): Outbox {
    const now = options.now ?? Date.now;
    const problems: string[] = [];
    let db: Database.Database | undefined;
    let corrupt = false;
    try {
      db = openDatabase(path, options);
      const check = options.integrityCheck === "full" ? "integrity_check" : "quick_check";
      const rows = db.pragma(check) as Array<Record<string, string>>;
      for (const r of rows) {
        const v = Object.values(r)[0];
        if (v !== "ok") problems.push(String(v));
      }
      corrupt = problems.length > 0;
      if (!corrupt) db.exec(SCHEMA);
    } catch (err) {
      const e = toStorageError(err, `opening ${path}`);
      if (e.code !== "STORAGE_CORRUPT") {
        db?.close();
        throw e;
      }
      problems.push(e.message);
      corrupt = true;
    }
    let report: OutboxOpenReport = { integrity: "ok", quarantined: 0, problems };
    if (corrupt) {
      db?.close();
      if (options.onCorrupt === "throw")
        throw new StorageError(
          "STORAGE_CORRUPT",
          `the outbox ${path} is damaged: ${problems.slice(0, 3).join("; ")}`,
        );
      const recovered = recoverInto(path, now(), options);
      db = recovered.db;
      report = {
        integrity: "recovered",
        corruptCopyPath: recovered.corruptCopyPath,
        quarantined: recovered.unreadable,
        problems,
      };
    }
    const outbox = new Outbox(path, db as Database.Database, report, options);
    const bad = outbox.verify();
    report.quarantined += bad;
    return outbox;
  }

  /**
   * Checks the checksum of every unsent entry and every kept reading; a mismatch moves
   * the row to the quarantine table. Returns the number of rows quarantined.
   */
  verify(): number {
    let moved = 0;
    const entries = this.#db.prepare("SELECT * FROM entries WHERE state != 'sent'").all() as EntryRow[];
    for (const row of entries) if (!this.#entryIntact(row)) moved++;
    const readings = this.#db.prepare("SELECT * FROM readings").all() as ReadingRow[];
    for (const row of readings) {
      if (readingChecksum(row) !== row.checksum) {
        this.#quarantine("readings", row.id, "checksum mismatch");
        moved++;
      }
    }
    return moved;
  }

  /** True when the row is intact; else quarantines it and returns false. */
  #entryIntact(row: EntryRow): boolean {
    let ok = entryChecksum(row) === row.checksum;
    if (ok) {
      try {
        JSON.parse(row.payload);
      } catch {
        ok = false;
      }
    }
    if (!ok) this.#quarantine("entries", row.seq, "checksum mismatch");
    return ok;
  }

  #quarantine(table: "entries" | "readings", rowId: number, reason: string): void {
    const idColumn = table === "entries" ? "seq" : "id";
    // Raw bytes: every text column as a blob, so a flipped bit survives as it was on disk.
    const cols = this.#db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{
      name: string;
    }>;
    const select = cols.map((c) => `CAST(${c.name} AS BLOB) AS ${c.name}`).join(", ");
    const raw = this.#db.prepare(`SELECT ${select} FROM ${table} WHERE ${idColumn} = ?`).get(rowId) as
      | Record<string, Buffer | null>
      | undefined;
    const encoded = Buffer.from(
      JSON.stringify(
        Object.fromEntries(
          Object.entries(raw ?? {}).map(([k, v]) => [k, v === null ? null : v.toString("base64")]),
        ),
      ),
    );
    this.#db.transaction(() => {
      this.#db
        .prepare("INSERT INTO quarantine (source_table, row_id, reason, raw, at) VALUES (?, ?, ?, ?, ?)")
        .run(table, rowId, reason, encoded, this.#now());
      this.#db.prepare(`DELETE FROM ${table} WHERE ${idColumn} = ?`).run(rowId);
    })();
  }

  /**
   * Commits messages in one transaction and returns them (an existing entry when its
   * `dedupKey` was already committed).
   * @throws StorageError `STORAGE_FULL` when the outbox holds `maxEntries` unsent entries or
   * the disk / size limit is reached; nothing already committed is touched.
   */
  append(inputs: OutboxInput[]): OutboxEntry[] {
    const now = this.#now();
    const tx = this.#db.transaction((items: OutboxInput[]) => {
      const out: OutboxEntry[] = [];
      const unsent = (
        this.#db.prepare("SELECT count(*) AS n FROM entries WHERE state IN ('pending', 'parked')").get() as {
          n: number;
        }
      ).n;
      let added = 0;
      for (const input of items) {
        if (input.dedupKey !== undefined) {
          const existing = this.#db.prepare("SELECT * FROM entries WHERE dedup = ?").get(input.dedupKey) as
            | EntryRow
            | undefined;
          if (existing) {
            out.push(rowToEntry(existing));
            continue;
          }
        }
        if (unsent + added >= this.#maxEntries)
          throw new StorageError(
            "STORAGE_FULL",
            `the outbox holds ${unsent + added} unsent entries (maxEntries ${this.#maxEntries}); refusing a new ${input.kind} rather than dropping committed ones`,
          );
        const seq = this.#nextSeq();
        const readAt = input.readAtMs ?? now;
        const key = `${input.serial ?? input.kind}:${new Date(readAt).toISOString()}:${seq}`;
        const body =
          typeof input.payload === "object" && input.payload !== null && !Array.isArray(input.payload)
            ? { key, ...(input.payload as Record<string, unknown>) }
            : input.payload;
        const row = {
          seq,
          key,
          kind: input.kind,
          serial: input.serial ?? null,
          read_at: input.readAtMs ?? null,
          dedup: input.dedupKey ?? null,
          payload: JSON.stringify(body),
        };
        this.#db
          .prepare(
            `INSERT INTO entries (seq, key, kind, serial, read_at, dedup, payload, checksum, next_attempt_at, created_at)
             VALUES (@seq, @key, @kind, @serial, @read_at, @dedup, @payload, @checksum, @now, @now)`,
          )
          .run({ ...row, checksum: entryChecksum(row), now });
        added++;
        out.push(rowToEntry(this.#db.prepare("SELECT * FROM entries WHERE seq = ?").get(seq) as EntryRow));
      }
      return out;
    });
    return this.#write(() => tx.immediate(inputs), "committing to the outbox");
  }

  #nextSeq(): number {
    const row = this.#db.prepare("SELECT value FROM meta WHERE name = 'seq'").get() as
      | { value: string }
      | undefined;
    const max = (this.#db.prepare("SELECT max(seq) AS m FROM entries").get() as { m: number | null }).m ?? 0;
    const seq = Math.max(Number(row?.value ?? 0), max) + 1;
    this.#db
      .prepare(
        "INSERT INTO meta (name, value) VALUES ('seq', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
      )
      .run(String(seq));
    return seq;
  }

  /**
   * Runs a write; on `SQLITE_FULL` frees what the policy allows (acknowledged entries,
   * old readings) and tries once more before refusing with `STORAGE_FULL`.
   */
  #write<T>(fn: () => T, doing: string): T {
    try {
      return fn();
    } catch (err) {
      const e = toStorageError(err, doing);
      if (e.code !== "STORAGE_FULL" || err instanceof StorageError) throw e;
      let freed = 0;
      try {
        freed = this.prune({ sentOlderThanMs: 0 });
      } catch {
        // Pruning itself may not fit; the original error is the one to report.
      }
      if (freed === 0) throw e;
      try {
        return fn();
      } catch (err2) {
        throw toStorageError(err2, doing);
      }
    }
  }

  /** The entry with this business dedup key, if committed. */
  findByDedupKey(dedupKey: string): OutboxEntry | undefined {
    const row = this.#db.prepare("SELECT * FROM entries WHERE dedup = ?").get(dedupKey) as
      | EntryRow
      | undefined;
    return row ? rowToEntry(row) : undefined;
  }

  /** The entry with this sequence number. */
  get(seq: number): OutboxEntry | undefined {
    const row = this.#db.prepare("SELECT * FROM entries WHERE seq = ?").get(seq) as EntryRow | undefined;
    return row ? rowToEntry(row) : undefined;
  }

  /**
   * Pending entries whose next attempt is due, oldest first, each re-verified against its
   * checksum (a damaged one is quarantined instead of sent).
   */
  due(options: { kinds?: OutboxKind[]; limit?: number; atMs?: number } = {}): OutboxEntry[] {
    const at = options.atMs ?? this.#now();
    const kinds = options.kinds ?? ["register-devices", "sync-status", "billing-read", "supplies-report"];
    const rows = this.#db
      .prepare(
        `SELECT * FROM entries WHERE state = 'pending' AND next_attempt_at <= ? AND kind IN (${kinds.map(() => "?").join(",")}) ORDER BY seq LIMIT ?`,
      )
      .all(at, ...kinds, options.limit ?? 1000) as EntryRow[];
    return rows.filter((r) => this.#entryIntact(r)).map(rowToEntry);
  }

  /** Every entry in a state, oldest first (for `esol agent status` and tests). */
  list(state?: OutboxState): OutboxEntry[] {
    const rows = (
      state
        ? this.#db.prepare("SELECT * FROM entries WHERE state = ? ORDER BY seq").all(state)
        : this.#db.prepare("SELECT * FROM entries ORDER BY seq").all()
    ) as EntryRow[];
    return rows.map(rowToEntry);
  }

  /** Epoch ms of the earliest pending attempt, if any. */
  nextAttemptAtMs(): number | undefined {
    const row = this.#db
      .prepare("SELECT min(next_attempt_at) AS t FROM entries WHERE state = 'pending'")
      .get() as {
      t: number | null;
    };
    return row.t ?? undefined;
  }

  /** Marks entries acknowledged by the server. */
  markSent(seqs: number[]): void {
    const now = this.#now();
    const stmt = this.#db.prepare(
      "UPDATE entries SET state = 'sent', done_at = ?, attempts = attempts + 1 WHERE seq = ?",
    );
    this.transaction(() => {
      for (const s of seqs) stmt.run(now, s);
    }, "acknowledging outbox entries");
  }

  /**
   * Records a failed attempt and schedules the next one: exponential backoff from
   * `retryDelayMs` (doubling per attempt, capped at `maxRetryDelayMs`) with jitter in
   * [50 %, 100 %], and never sooner than `retryAfterMs` when the server gave one.
   * Returns the epoch ms of the next attempt.
   */
  markFailed(seqs: number[], reason: string, options: { retryAfterMs?: number } = {}): number {
    const now = this.#now();
    let next = now;
    const get = this.#db.prepare("SELECT attempts FROM entries WHERE seq = ?");
    const stmt = this.#db.prepare(
      "UPDATE entries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ? AND state = 'pending'",
    );
    this.transaction(() => {
      for (const s of seqs) {
        const attempts = ((get.get(s) as { attempts: number } | undefined)?.attempts ?? 0) + 1;
        const delay = retryDelayMs(attempts, {
          retryDelayMs: this.#retryDelayMs,
          maxRetryDelayMs: this.#maxRetryDelayMs,
          random: this.#random,
          ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}),
        });
        next = Math.max(next, now + delay);
        stmt.run(now + delay, reason.slice(0, 500), s);
      }
    }, "recording a failed delivery");
    return next;
  }

  /** Parks entries the server refused for good; the reason stays visible in `list("parked")`. */
  park(seqs: number[], reason: string): void {
    const now = this.#now();
    const stmt = this.#db.prepare(
      "UPDATE entries SET state = 'parked', attempts = attempts + 1, last_error = ?, done_at = ? WHERE seq = ?",
    );
    this.transaction(() => {
      for (const s of seqs) stmt.run(reason.slice(0, 500), now, s);
    }, "parking outbox entries");
  }

  /** Puts parked entries (all, or the given ones) back in the queue, e.g. after an operator fixed the cause. */
  requeueParked(seqs?: number[]): number {
    const now = this.#now();
    if (!seqs)
      return this.#db
        .prepare(
          "UPDATE entries SET state = 'pending', next_attempt_at = ?, done_at = NULL WHERE state = 'parked'",
        )
        .run(now).changes;
    let n = 0;
    const stmt = this.#db.prepare(
      "UPDATE entries SET state = 'pending', next_attempt_at = ?, done_at = NULL WHERE seq = ? AND state = 'parked'",
    );
    for (const s of seqs) n += stmt.run(now, s).changes;
    return n;
  }

  /**
   * Size of the database file in bytes (`page_count × page_size`, SQLite PRAGMA), the figure
   * `maxBytes` bounds; the WAL file is not counted.
   */
  sizeBytes(): number {
    const pages = Number(this.#db.pragma("page_count", { simple: true }));
    const pageSize = Number(this.#db.pragma("page_size", { simple: true }));
    return pages * pageSize;
  }

  /** Counts per state. */
  stats(): OutboxStats {
    const rows = this.#db.prepare("SELECT state, count(*) AS n FROM entries GROUP BY state").all() as Array<{
      state: string;
      n: number;
    }>;
    const by = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    const q = (this.#db.prepare("SELECT count(*) AS n FROM quarantine").get() as { n: number }).n;
    const r = (this.#db.prepare("SELECT count(*) AS n FROM readings").get() as { n: number }).n;
    return {
      pending: by.pending ?? 0,
      sent: by.sent ?? 0,
      parked: by.parked ?? 0,
      quarantined: q,
      readings: r,
    };
  }

  /** Every quarantined row. */
  quarantined(): QuarantinedRow[] {
    const rows = this.#db.prepare("SELECT * FROM quarantine ORDER BY id").all() as Array<{
      id: number;
      source_table: string;
      row_id: number | null;
      reason: string;
      raw: Buffer;
      at: number;
    }>;
    return rows.map((r) => ({
      id: r.id,
      table: r.source_table,
      rowId: r.row_id,
      reason: r.reason,
      raw: r.raw,
      atMs: r.at,
    }));
  }

  /**
   * Commits a poll reading (before anything derived from it is sent) and keeps only the
   * newest `keepReadingsPerDevice` per device.
   */
  recordReading(serial: string, address: string, readAtMs: number, reading: unknown): StoredReading {
    const payload = JSON.stringify(reading);
    const row = { serial, address, read_at: readAtMs, payload };
    const tx = this.#db.transaction(() => {
      const info = this.#db
        .prepare("INSERT INTO readings (serial, address, read_at, payload, checksum) VALUES (?, ?, ?, ?, ?)")
        .run(serial, address, readAtMs, payload, readingChecksum(row));
      this.#db
        .prepare(
          "DELETE FROM readings WHERE serial = ? AND id NOT IN (SELECT id FROM readings WHERE serial = ? ORDER BY read_at DESC, id DESC LIMIT ?)",
        )
        .run(serial, serial, this.#keepReadings);
      return Number(info.lastInsertRowid);
    });
    const id = this.#write(() => tx.immediate(), "committing a poll reading");
    return { id, serial, address, readAtMs, reading: JSON.parse(payload) as unknown };
  }

  /** The newest intact poll reading of a device (a damaged one is quarantined and skipped). */
  latestReading(serial: string): StoredReading | undefined {
    const rows = this.#db
      .prepare("SELECT * FROM readings WHERE serial = ? ORDER BY read_at DESC, id DESC LIMIT 5")
      .all(serial) as ReadingRow[];
    for (const row of rows) {
      if (readingChecksum(row) !== row.checksum) {
        this.#quarantine("readings", row.id, "checksum mismatch");
        continue;
      }
      return {
        id: row.id,
        serial: row.serial,
        address: row.address,
        readAtMs: row.read_at,
        reading: JSON.parse(row.payload),
      };
    }
    return undefined;
  }

  /** A persisted agent setting (registration state, server overrides). */
  getMeta(name: string): string | undefined {
    return (
      this.#db.prepare("SELECT value FROM meta WHERE name = ?").get(name) as { value: string } | undefined
    )?.value;
  }

  /** Persists an agent setting. */
  setMeta(name: string, value: string): void {
    this.#write(
      () =>
        this.#db
          .prepare(
            "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
          )
          .run(name, value),
      "saving agent state",
    );
  }

  /** Deletes acknowledged entries older than `sentOlderThanMs` (default `retainSentMs`). Returns rows deleted. */
  prune(options: { sentOlderThanMs?: number } = {}): number {
    const cutoff = this.#now() - (options.sentOlderThanMs ?? this.#retainSentMs);
    return this.#db.prepare("DELETE FROM entries WHERE state = 'sent' AND done_at <= ?").run(cutoff).changes;
  }

  /** Runs `fn` in one immediate transaction. */
  transaction<T>(fn: () => T, doing = "updating the outbox"): T {
    return this.#write(() => this.#db.transaction(fn).immediate(), doing);
  }

  /** Closes the file (checkpointing the WAL). */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

/** The retry delay for the `attempts`-th failure (1-based); pure, see {@link Outbox.markFailed}. */
export function retryDelayMs(
  attempts: number,
  options: { retryDelayMs: number; maxRetryDelayMs: number; random: () => number; retryAfterMs?: number },
): number {
  const jittered = backoffDelayMs(attempts, options.retryDelayMs, options.maxRetryDelayMs, options.random);
  return Math.max(jittered, options.retryAfterMs ?? 0);
}

function openDatabase(path: string, options: OutboxOptions): Database.Database {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    const pageSize = Number(db.pragma("page_size", { simple: true }));
    const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    db.pragma(`max_page_count = ${Math.max(16, Math.floor(maxBytes / pageSize))}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Rebuilds a damaged outbox: the damaged file is renamed aside (kept), a fresh one is
 * created at `path`, and every row that can still be read is copied over. Rows that
 * cannot be read are recorded in `quarantine` with what is known of them.
 */
function recoverInto(
  path: string,
  now: number,
  options: OutboxOptions,
): { db: Database.Database; corruptCopyPath: string; unreadable: number } {
  const corruptCopyPath = `${path}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, "-")}`;
  for (const suffix of ["", "-wal", "-shm"])
    if (existsSync(path + suffix)) renameSync(path + suffix, corruptCopyPath + suffix);
  const db = openDatabase(path, options);
  db.exec(SCHEMA);
  let unreadable = 0;
  let old: Database.Database | undefined;
  try {
    old = new Database(corruptCopyPath, { readonly: true, fileMustExist: true });
  } catch {
    old = undefined;
  }
  const note = db.prepare(
    "INSERT INTO quarantine (source_table, row_id, reason, raw, at) VALUES (?, ?, ?, ?, ?)",
  );
  if (!old) {
    note.run(
      "*",
      null,
      "the damaged file could not be opened at all; kept beside the outbox",
      Buffer.from(corruptCopyPath),
      now,
    );
    return { db, corruptCopyPath, unreadable: 1 };
  }
  for (const table of TABLES) {
    const rows: Array<Record<string, unknown>> = [];
    let failedAt: string | undefined;
    try {
      for (const r of old.prepare(`SELECT rowid AS __rowid, * FROM ${table}`).iterate())
        rows.push(r as Record<string, unknown>);
    } catch (err) {
      failedAt = err instanceof Error ? err.message : String(err);
    }
    if (failedAt !== undefined) {
      // A damaged page stops the scan; probe the remaining rowids one by one.
      const seen = new Set(rows.map((r) => Number(r.__rowid)));
      let maxRowid = 0;
      try {
        maxRowid = Number(
          (old.prepare(`SELECT max(rowid) AS m FROM ${table}`).get() as { m: number | null }).m ?? 0,
        );
      } catch {
        maxRowid = Math.max(0, ...seen) + 10_000;
      }
      const one = old.prepare(`SELECT rowid AS __rowid, * FROM ${table} WHERE rowid = ?`);
      for (let id = 1; id <= Math.min(maxRowid, 10_000_000); id++) {
        if (seen.has(id)) continue;
        try {
          const r = one.get(id) as Record<string, unknown> | undefined;
          if (r) rows.push(r);
        } catch (err) {
          unreadable++;
          note.run(
            table,
            id,
            `unreadable in the damaged file: ${err instanceof Error ? err.message : String(err)}`,
            Buffer.alloc(0),
            now,
          );
        }
      }
    }
    db.transaction(() => {
      for (const r of rows) {
        const { __rowid, ...cols } = r;
        const names = Object.keys(cols);
        try {
          db.prepare(
            `INSERT OR IGNORE INTO ${table} (${names.join(",")}) VALUES (${names.map(() => "?").join(",")})`,
          ).run(...names.map((n) => cols[n]));
        } catch (err) {
          unreadable++;
          note.run(
            table,
            Number(__rowid),
            `could not be copied: ${err instanceof Error ? err.message : String(err)}`,
            Buffer.from(JSON.stringify(cols, (_k, v) => (Buffer.isBuffer(v) ? v.toString("base64") : v))),
            now,
          );
        }
      }
    })();
  }
  old.close();
  db.prepare(
    "INSERT INTO meta (name, value) VALUES ('recovered_from', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
  ).run(corruptCopyPath);
  return { db, corruptCopyPath, unreadable };
}
