/**
 * Which pinned signers an operator granted the legacy WS-Security profile
 * (`esol server --trust-legacy`), kept beside the store in the same SQLite file so that
 * `esol server export` shows the grant on the proxies those certificates signed for. The
 * flags are the source of truth: each start of the server replaces the recorded grants with
 * the current ones (a grant given earlier keeps its first date).
 * @module
 */
import Database from "better-sqlite3";
import { StorageError } from "../errors.js";
import type { SenderProfile } from "../wssec/index.js";
import type { StoreExport } from "./store.js";

/** One recorded grant. */
export interface SignerProfileGrant {
  /** SHA-256 thumbprint of the certificate, lowercase hex (as in the export's `signer`). */
  thumbprintSha256: string;
  /** Subject of the certificate, `CN=…, O=…` form. */
  subject: string;
  /** The profile granted. */
  profile: SenderProfile;
  /** When it was first granted, ISO 8601 UTC. */
  grantedAt: string;
}

const TABLE = `CREATE TABLE IF NOT EXISTS signer_profiles (
  thumbprint_sha256 TEXT PRIMARY KEY, subject TEXT NOT NULL, profile TEXT NOT NULL, granted_at TEXT NOT NULL)`;

/**
 * Replaces the recorded grants of the store at `dbPath` with `grants` (a grant already
 * recorded keeps its `grantedAt`). Call it after the server opened (or created) the store.
 * @param at The time new grants are recorded with.
 * @throws StorageError `STORAGE_OPEN` when the file cannot be written.
 * @example
 * ```ts
 * recordSignerProfiles("cs.db", [{ thumbprintSha256, subject: "CN=proxy-1", profile: "legacy" }], new Date());
 * ```
 */
export function recordSignerProfiles(
  dbPath: string,
  grants: ReadonlyArray<Omit<SignerProfileGrant, "grantedAt">>,
  at: Date,
): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    const conn = db;
    conn.exec(TABLE);
    const insert = conn.prepare(
      `INSERT INTO signer_profiles (thumbprint_sha256, subject, profile, granted_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (thumbprint_sha256) DO UPDATE SET subject = excluded.subject,
         granted_at = CASE WHEN profile = excluded.profile THEN granted_at ELSE excluded.granted_at END,
         profile = excluded.profile`,
    );
    conn.transaction(() => {
      const keep = new Set(grants.map((g) => g.thumbprintSha256));
      for (const row of conn.prepare("SELECT thumbprint_sha256 FROM signer_profiles").all() as Array<{
        thumbprint_sha256: string;
      }>)
        if (!keep.has(row.thumbprint_sha256))
          conn.prepare("DELETE FROM signer_profiles WHERE thumbprint_sha256 = ?").run(row.thumbprint_sha256);
      for (const g of grants) insert.run(g.thumbprintSha256, g.subject, g.profile, at.toISOString());
    })();
  } catch (err) {
    throw new StorageError(
      "STORAGE_OPEN",
      `cannot record signer profiles in ${dbPath}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  } finally {
    db?.close();
  }
}

/**
 * The grants recorded in the store at `dbPath` (none when the server never recorded any).
 * @throws StorageError `STORAGE_OPEN` when the file cannot be read.
 */
export function readSignerProfiles(dbPath: string): SignerProfileGrant[] {
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const exists = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'signer_profiles'")
      .get();
    if (!exists) return [];
    return (
      db.prepare("SELECT * FROM signer_profiles ORDER BY granted_at, thumbprint_sha256").all() as Array<
        Record<string, string>
      >
    ).map((r) => ({
      thumbprintSha256: r.thumbprint_sha256 as string,
      subject: r.subject as string,
      profile: r.profile as SenderProfile,
      grantedAt: r.granted_at as string,
    }));
  } catch (err) {
    throw new StorageError(
      "STORAGE_OPEN",
      `cannot read signer profiles in ${dbPath}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  } finally {
    db?.close();
  }
}

/**
 * Marks each exported proxy whose registration signer holds a grant with that profile
 * (`signer.profile`, `signer.profileGrantedAt`); other proxies are left as they are.
 */
export function withSignerProfiles(
  exported: StoreExport,
  grants: readonly SignerProfileGrant[],
): StoreExport {
  if (grants.length === 0) return exported;
  const byThumbprint = new Map(grants.map((g) => [g.thumbprintSha256, g]));
  return {
    ...exported,
    proxies: exported.proxies.map((p) => {
      const grant = p.signer ? byThumbprint.get(p.signer.thumbprintSha256) : undefined;
      return grant && p.signer
        ? { ...p, signer: { ...p.signer, profile: grant.profile, profileGrantedAt: grant.grantedAt } }
        : p;
    }),
  };
}
