/**
 * The outbox's integrity: the SHA-256 checksum every row carries, the quarantine that keeps
 * a row failing it (with its raw bytes, never silently dropped), and the rebuild of a damaged
 * file from its readable rows. Not exported from the package.
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, renameSync } from "node:fs";
import Database from "better-sqlite3";
import { migrateOutbox, OUTBOX_TABLES, openOutboxDatabase } from "./outbox-schema.js";

/** A row of `entries` as stored. */
export interface EntryRow {
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

/** A row of `readings` as stored. */
export interface ReadingRow {
  id: number;
  serial: string;
  address: string;
  read_at: number;
  payload: string;
  checksum: string;
}

/** SHA-256 over the fields that must never change after commit. */
export function entryChecksum(e: {
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

/** SHA-256 over a reading's fields. */
export function readingChecksum(r: {
  serial: string;
  address: string;
  read_at: number;
  payload: string;
}): string {
  return createHash("sha256").update(`${r.serial}\n${r.address}\n${r.read_at}\n${r.payload}`).digest("hex");
}

/**
 * Moves one row of `entries` or `readings` to `quarantine`, its text columns kept as raw
 * bytes (base64 in JSON) so a flipped bit survives as it was on disk.
 */
export function quarantineRow(
  db: Database.Database,
  table: "entries" | "readings",
  rowId: number,
  reason: string,
  atMs: number,
): void {
  const idColumn = table === "entries" ? "seq" : "id";
  const cols = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{
    name: string;
  }>;
  const select = cols.map((c) => `CAST(${c.name} AS BLOB) AS ${c.name}`).join(", ");
  const raw = db.prepare(`SELECT ${select} FROM ${table} WHERE ${idColumn} = ?`).get(rowId) as
    | Record<string, Buffer | null>
    | undefined;
  const encoded = Buffer.from(
    JSON.stringify(
      Object.fromEntries(
        Object.entries(raw ?? {}).map(([k, v]) => [k, v === null ? null : v.toString("base64")]),
      ),
    ),
  );
  db.transaction(() => {
    db.prepare("INSERT INTO quarantine (source_table, row_id, reason, raw, at) VALUES (?, ?, ?, ?, ?)").run(
      table,
      rowId,
      reason,
      encoded,
      atMs,
    );
    db.prepare(`DELETE FROM ${table} WHERE ${idColumn} = ?`).run(rowId);
  })();
}

/**
 * Rebuilds a damaged outbox: the damaged file is renamed aside (kept), a fresh one is
 * created at `path`, and every row that can still be read is copied over. Rows that
 * cannot be read are recorded in `quarantine` with what is known of them. When a write
 * fails (e.g. `STORAGE_FULL` under `maxBytes`), both files are closed before the error
 * propagates: no database handle outlives a failed rebuild.
 */
export function recoverInto(
  path: string,
  now: number,
  options: { maxBytes?: number | undefined },
): { db: Database.Database; corruptCopyPath: string; unreadable: number } {
  const corruptCopyPath = `${path}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, "-")}`;
  for (const suffix of ["", "-wal", "-shm"])
    if (existsSync(path + suffix)) renameSync(path + suffix, corruptCopyPath + suffix);
  const db = openOutboxDatabase(path, options);
  try {
    migrateOutbox(db, path);
    const unreadable = copyReadableRows(db, corruptCopyPath, now);
    if (unreadable === undefined) return { db, corruptCopyPath, unreadable: 1 };
    db.prepare(
      "INSERT INTO meta (name, value) VALUES ('recovered_from', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
    ).run(corruptCopyPath);
    return { db, corruptCopyPath, unreadable };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Copies every readable row of the damaged file at `corruptCopyPath` into `db`, noting the
 * others in `quarantine`; returns how many could not be copied, or undefined when the damaged
 * file could not be opened at all (then noted as one quarantine row). The damaged file is
 * closed on every path out.
 */
function copyReadableRows(db: Database.Database, corruptCopyPath: string, now: number): number | undefined {
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
    return undefined;
  }
  try {
    for (const table of OUTBOX_TABLES) {
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
    return unreadable;
  } finally {
    old.close();
  }
}
