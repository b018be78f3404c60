/**
 * The outbox file: how it is opened (WAL, `synchronous=FULL`, a size bound), its tables,
 * and the `user_version` migration ladder that brings a file written by an earlier release
 * to the schema this release knows (SQLite `PRAGMA user_version`, https://sqlite.org/pragma.html#pragma_user_version).
 *
 * Ladder: `MIGRATIONS[i]` takes a file from version `i` to `i + 1`, in one transaction with
 * the version bump. Version 0 is a new file, or one written before the ladder existed (its
 * tables are those of version 1, created with `IF NOT EXISTS`, so step 0 → 1 is the same
 * script for both). A file with a higher version than {@link OUTBOX_SCHEMA_VERSION} was
 * written by a newer release and is refused (`STORAGE_SCHEMA`), never opened and rewritten.
 *
 * To change the schema: append a step to `MIGRATIONS` (e.g. `ALTER TABLE devices ADD COLUMN …`)
 * and add a test that opens a file of the previous version. Not exported from the package.
 * @module
 */
import Database from "better-sqlite3";
import { StorageError } from "../errors.js";

/** Version 1: the tables of the first release (entries, readings, devices, meta, quarantine). */
const SCHEMA_V1 = `
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

/** The migration ladder: step `i` takes a file from `user_version` `i` to `i + 1`. */
const MIGRATIONS: readonly string[] = [SCHEMA_V1];

/** The schema version this release writes (`PRAGMA user_version`). */
export const OUTBOX_SCHEMA_VERSION: number = MIGRATIONS.length;

/** Every table of the outbox file, in the order a recovery copies them. */
export const OUTBOX_TABLES = ["meta", "entries", "readings", "devices", "quarantine"] as const;

/**
 * Brings the file to {@link OUTBOX_SCHEMA_VERSION}, one step per transaction. Returns the
 * version the file had.
 * @throws StorageError `STORAGE_SCHEMA` when the file's version is newer than this release knows.
 */
export function migrateOutbox(db: Database.Database, path: string): number {
  const from = Number(db.pragma("user_version", { simple: true }));
  if (from > OUTBOX_SCHEMA_VERSION)
    throw new StorageError(
      "STORAGE_SCHEMA",
      `the outbox ${path} has schema version ${from}, written by a newer release; this one knows up to version ${OUTBOX_SCHEMA_VERSION}: upgrade the agent (or move the file aside to start empty)`,
    );
  for (let v = from; v < OUTBOX_SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v] as string;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return from;
}

/**
 * Opens the SQLite file with the outbox's pragmas: WAL, `synchronous=FULL`, a 5 s busy
 * timeout, and `max_page_count` from `maxBytes` (default 256 MiB).
 */
export function openOutboxDatabase(
  path: string,
  options: { maxBytes?: number | undefined },
): Database.Database {
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
