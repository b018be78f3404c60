/**
 * The outbox's SQLite connection, shared with the device registry that keeps its table in
 * the same file. It lives in this module, and not as a property of `Outbox`, so that no
 * public declaration names better-sqlite3's `Database`: its types are a devDependency, and a
 * consumer compiling with `skipLibCheck: false` would fail on them (TS7016).
 * Not exported from the package.
 * @module
 */
import type Database from "better-sqlite3";
import { StorageError } from "../errors.js";

/** One SQLite connection per owner (an `Outbox`), released with it. */
const connections = new WeakMap<object, Database.Database>();

/**
 * Records `db` as the connection of `owner`.
 * @example
 * ```ts
 * bindConnection(outbox, db);
 * ```
 */
export function bindConnection(owner: object, db: Database.Database): void {
  connections.set(owner, db);
}

/**
 * The connection `owner` was bound to.
 * @throws StorageError `STORAGE_IO` when `owner` has none (not an open outbox).
 * @example
 * ```ts
 * const db = connectionOf(outbox);
 * ```
 */
export function connectionOf(owner: object): Database.Database {
  const db = connections.get(owner);
  if (!db) throw new StorageError("STORAGE_IO", "no SQLite connection is bound to this outbox");
  return db;
}
