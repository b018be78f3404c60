/**
 * The durable outbox (store-and-forward): every message the agent owes the server is
 * committed (fsync, WAL, `synchronous=FULL`) before any network I/O, carries an
 * idempotency key, and stays `pending` until the server acknowledges it (`sent`) or
 * answers with a fault that no retry can fix (`parked`, with the reason).
 *
 * This module is the queue; the file, its schema and migrations are in `./outbox-schema.ts`,
 * checksums, quarantine and recovery in `./outbox-integrity.ts`.
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
import type Database from "better-sqlite3";
import { type Clock, epochMsOf } from "../clock.js";
import { StorageError } from "../errors.js";
import { backoffDelayMs } from "../soap/retry.js";
import { bindConnection } from "./connection.js";
import {
  type EntryRow,
  entryChecksum,
  quarantineRow,
  type ReadingRow,
  readingChecksum,
  recoverInto,
} from "./outbox-integrity.js";
import { migrateOutbox, openOutboxDatabase } from "./outbox-schema.js";
import { toStorageError } from "./storage-error.js";

export { toStorageError };

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
  /** When the reading was taken; part of the idempotency key. */
  readAt?: Date;
  /**
   * When the reading was taken, epoch ms.
   * @deprecated Use `readAt`; accepted until 0.3, ignored when `readAt` is given.
   */
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
  /** Reading time, when any. */
  readAt: Date | null;
  /**
   * {@link OutboxEntry.readAt} in epoch ms.
   * @deprecated Use `readAt`; still set, removed in 0.3.
   */
  readAtMs: number | null;
  /** The business dedup key, when any. */
  dedupKey: string | null;
  /** The message body. */
  payload: unknown;
  /** Delivery state. */
  state: OutboxState;
  /** Delivery attempts so far. */
  attempts: number;
  /** When the next attempt is due (pending entries). */
  nextAttemptAt: Date;
  /**
   * {@link OutboxEntry.nextAttemptAt} in epoch ms.
   * @deprecated Use `nextAttemptAt`; still set, removed in 0.3.
   */
  nextAttemptAtMs: number;
  /** Last failure, or the reason it was parked. */
  lastError: string | null;
  /** When the entry was committed. */
  createdAt: Date;
  /**
   * {@link OutboxEntry.createdAt} in epoch ms.
   * @deprecated Use `createdAt`; still set, removed in 0.3.
   */
  createdAtMs: number;
  /** When it was acknowledged or parked. */
  doneAt: Date | null;
  /**
   * {@link OutboxEntry.doneAt} in epoch ms.
   * @deprecated Use `doneAt`; still set, removed in 0.3.
   */
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
  /** When it was quarantined. */
  quarantinedAt: Date;
  /**
   * {@link QuarantinedRow.quarantinedAt} in epoch ms.
   * @deprecated Use `quarantinedAt`; still set, removed in 0.3.
   */
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
  /** When the device was read. */
  readAt: Date;
  /**
   * {@link StoredReading.readAt} in epoch ms.
   * @deprecated Use `readAt`; still set, removed in 0.3.
   */
  readAtMs: number;
  /** The reading as committed (its JSON form: instants are ISO 8601 strings). */
  reading: unknown;
}

/** Options of {@link Outbox.open}. */
export interface OutboxOptions {
  /** Clock of the outbox's timestamps and retry times; the agent passes its own. Default wall time. */
  clock?: Clock;
  /**
   * Time source (epoch ms).
   * @deprecated Pass {@link OutboxOptions.clock}; accepted until 0.3, ignored when `clock` is given.
   */
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

function rowToEntry(row: EntryRow): OutboxEntry {
  return {
    seq: row.seq,
    key: row.key,
    kind: row.kind as OutboxKind,
    serial: row.serial,
    readAt: row.read_at === null ? null : new Date(row.read_at),
    readAtMs: row.read_at,
    dedupKey: row.dedup,
    payload: JSON.parse(row.payload) as unknown,
    state: row.state as OutboxState,
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at),
    nextAttemptAtMs: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    createdAtMs: row.created_at,
    doneAt: row.done_at === null ? null : new Date(row.done_at),
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
 * const [entry] = outbox.append([{ kind: "billing-read", serial: "X1", readAt: read.readAt, payload: read }]);
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
  /**
   * Each device's newest intact reading as this connection committed or last read it, so that
   * the status page, `/status.json` and the alarms do not re-read (checksum, parse) one row per
   * device after every poll. Valid while no other connection wrote the file (`data_version`).
   */
  readonly #newest = new Map<string, StoredReading>();
  /** Readings recorded inside a still-open transaction: kept once it commits, dropped if it rolls back. */
  readonly #pendingNewest = new Map<string, StoredReading>();
  /** SQLite's `PRAGMA data_version` when {@link Outbox.#newest} was last known valid. */
  #newestVersion: number | undefined;
  /** The prepared `PRAGMA data_version`. */
  #dataVersion: Database.Statement | undefined;

  private constructor(path: string, db: Database.Database, report: OutboxOpenReport, options: OutboxOptions) {
    this.path = path;
    this.#db = db;
    bindConnection(this, db);
    this.openReport = report;
    this.#now = epochMsOf(options.clock ?? options.now);
    this.#random = options.random ?? Math.random;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#retryDelayMs = options.retryDelayMs ?? 60_000;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 6 * 3_600_000;
    // At least the newest: the outbox serves it (from memory too) for alarms, billing and status.
    this.#keepReadings = Math.max(1, options.keepReadingsPerDevice ?? 48);
    this.#retainSentMs = options.retainSentMs ?? 7 * 86_400_000;
    this.#checkNewest(); // the file's version to compare with from now on
  }

  /**
   * Opens (or creates) the outbox at `path`, checks its integrity, rebuilds it when
   * damaged (see the module policy) and quarantines rows whose checksum fails.
   * @throws StorageError `STORAGE_CORRUPT` (with `onCorrupt: "throw"`), `STORAGE_IO`, `STORAGE_BUSY`.
   */
  static open(path: string, options: OutboxOptions = {}): Outbox {
    const now = epochMsOf(options.clock ?? options.now);
    const problems: string[] = [];
    let db: Database.Database | undefined;
    let corrupt = false;
    try {
      db = openOutboxDatabase(path, options);
      const check = options.integrityCheck === "full" ? "integrity_check" : "quick_check";
      const rows = db.pragma(check) as Array<Record<string, string>>;
      for (const r of rows) {
        const v = Object.values(r)[0];
        if (v !== "ok") problems.push(String(v));
      }
      corrupt = problems.length > 0;
      if (!corrupt) migrateOutbox(db, path);
    } catch (err) {
      const e = toStorageError(err, `opening ${path}`);
      if (e.code !== "STORAGE_CORRUPT") {
        // Also `STORAGE_SCHEMA`: a file of a newer release is refused, never rebuilt.
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
    quarantineRow(this.#db, table, rowId, reason, this.#now());
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
        const inputReadAtMs = input.readAt?.getTime() ?? input.readAtMs;
        const readAt = inputReadAtMs ?? now;
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
          read_at: inputReadAtMs ?? null,
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

  /** When the earliest pending attempt is due, if any. */
  nextAttemptAt(): Date | undefined {
    const ms = this.nextAttemptAtMs();
    return ms === undefined ? undefined : new Date(ms);
  }

  /**
   * {@link Outbox.nextAttemptAt} in epoch ms.
   * @deprecated Use `nextAttemptAt()`; removed in 0.3.
   */
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
   * Puts a delivered (`sent`) entry back in the queue with its payload and idempotency key
   * unchanged: the server asked for it again, so it no longer has it (its store was reset or
   * restored). A server that still has it answers the resend as a duplicate.
   * @returns whether the entry was re-queued (false: unknown seq, or not `sent`).
   */
  resendDelivered(seq: number): boolean {
    return (
      this.#db
        .prepare(
          "UPDATE entries SET state = 'pending', next_attempt_at = ?, done_at = NULL WHERE seq = ? AND state = 'sent'",
        )
        .run(this.#now(), seq).changes > 0
    );
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
      quarantinedAt: new Date(r.at),
      atMs: r.at,
    }));
  }

  /**
   * Commits a poll reading (before anything derived from it is sent) and keeps only the
   * newest `keepReadingsPerDevice` per device. `readAt` is when the device was read (epoch ms,
   * a `number`, is deprecated, accepted until 0.3); SQLite keeps it as epoch ms.
   */
  recordReading(serial: string, address: string, readAt: Date | number, reading: unknown): StoredReading {
    const readAtMs = typeof readAt === "number" ? readAt : readAt.getTime();
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
    const stored: StoredReading = {
      id,
      serial,
      address,
      readAt: new Date(readAtMs),
      readAtMs,
      reading: JSON.parse(payload) as unknown,
    };
    this.#noteNewest(stored);
    return stored;
  }

  /** Keeps `stored` as its device's newest reading (once its transaction commits) unless an older one. */
  #noteNewest(stored: StoredReading): void {
    const staged = this.#db.inTransaction;
    const into = staged ? this.#pendingNewest : this.#newest;
    const kept = into.get(stored.serial) ?? (staged ? undefined : this.#newest.get(stored.serial));
    if (!kept || newerReading(stored, kept)) into.set(stored.serial, stored);
  }

  /**
   * Settles readings staged by {@link Outbox.#noteNewest} once no transaction is open: `committed`
   * keeps them, otherwise (a rollback, or a transaction this class did not run) they are dropped
   * from memory and read again from the file when asked.
   */
  #settleNewest(committed: boolean): void {
    if (this.#pendingNewest.size === 0 || this.#db.inTransaction) return;
    for (const [serial, stored] of this.#pendingNewest) {
      const kept = this.#newest.get(serial);
      if (!committed) this.#newest.delete(serial);
      else if (!kept || newerReading(stored, kept)) this.#newest.set(serial, stored);
    }
    this.#pendingNewest.clear();
  }

  /** Forgets {@link Outbox.#newest} when another connection has written the file since it was last checked. */
  #checkNewest(): void {
    this.#dataVersion ??= this.#db.prepare("PRAGMA data_version").pluck();
    const version = this.#dataVersion.get() as number;
    if (version !== this.#newestVersion) {
      this.#newest.clear();
      this.#newestVersion = version;
    }
  }

  /**
   * The newest intact poll reading of a device (a damaged one is quarantined and skipped).
   * Served from memory when this outbox committed or already read it and no other connection
   * has written the file since; the object returned is then shared between callers: do not
   * modify it.
   */
  latestReading(serial: string): StoredReading | undefined {
    // Inside a transaction the file (this connection's view) is the truth; see #settleNewest.
    if (this.#db.inTransaction) return this.#latestReadingFromFile(serial);
    this.#settleNewest(false);
    this.#checkNewest();
    const kept = this.#newest.get(serial);
    if (kept) return kept;
    const stored = this.#latestReadingFromFile(serial);
    if (stored) this.#newest.set(serial, stored);
    return stored;
  }

  /** {@link Outbox.latestReading} from the file. */
  #latestReadingFromFile(serial: string): StoredReading | undefined {
    // The newest row alone first: it is intact but for damage, and its payload is kilobytes.
    const newest = this.#db
      .prepare("SELECT * FROM readings WHERE serial = ? ORDER BY read_at DESC, id DESC LIMIT 1")
      .get(serial) as ReadingRow | undefined;
    if (newest === undefined) return undefined;
    if (readingChecksum(newest) === newest.checksum)
      return {
        id: newest.id,
        serial: newest.serial,
        address: newest.address,
        readAt: new Date(newest.read_at),
        readAtMs: newest.read_at,
        reading: JSON.parse(newest.payload),
      };
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
        readAt: new Date(row.read_at),
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
    let result: T;
    const stagedBefore = new Map(this.#pendingNewest);
    try {
      result = this.#write(() => {
        // Readings staged by an earlier attempt (rolled back, then retried) are not committed.
        this.#settleNewest(false);
        return this.#db.transaction(fn).immediate();
      }, doing);
    } catch (err) {
      if (this.#db.inTransaction) {
        // Nested in an outer transaction: only this one (a savepoint) rolled back, so only what
        // it staged goes; the outer one may still commit what was staged before it.
        this.#pendingNewest.clear();
        for (const [serial, stored] of stagedBefore) this.#pendingNewest.set(serial, stored);
      } else this.#settleNewest(false);
      throw err;
    }
    this.#settleNewest(true);
    return result;
  }

  /** Closes the file (checkpointing the WAL). */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

/** Whether `a` comes before `b` in `ORDER BY read_at DESC, id DESC` (the newest reading first). */
function newerReading(a: StoredReading, b: StoredReading): boolean {
  return a.readAtMs > b.readAtMs || (a.readAtMs === b.readAtMs && a.id > b.id);
}

/** The retry delay for the `attempts`-th failure (1-based); pure, see {@link Outbox.markFailed}. */
export function retryDelayMs(
  attempts: number,
  options: { retryDelayMs: number; maxRetryDelayMs: number; random: () => number; retryAfterMs?: number },
): number {
  const jittered = backoffDelayMs(attempts, options.retryDelayMs, options.maxRetryDelayMs, options.random);
  return Math.max(jittered, options.retryAfterMs ?? 0);
}
