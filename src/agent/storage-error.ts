/**
 * The mapping of SQLite failures to {@link StorageError} codes. Its own module, free of
 * better-sqlite3's types, so the public `outbox.d.ts` that re-exports it names none
 * (a strict consumer with `skipLibCheck: false` would fail on them, TS7016).
 * @module
 */
import { StorageError } from "../errors.js";

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
