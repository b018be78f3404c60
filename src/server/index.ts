/**
 * The reference eSolutions Communication Server (`esolutions-sdk/server`): every operation of
 * the v1 contract over one SQLite file or a PostgreSQL database shared by several server
 * processes ({@link openServerStore}), HTTPS by default, WS-Security verification through a
 * {@link RequestVerifier}, and `esol server export`'s JSON.
 *
 * @example
 * ```ts
 * import { CommunicationServer } from "esolutions-sdk/server";
 * // No verifier: trust on first use (every request signed). Pass `verifier` to pin
 * // certificates ("required"), or `signaturePolicy: "optional"` to accept unsigned ones.
 * const server = new CommunicationServer({ dbPath: "/var/lib/esol/server.db", tls: false, port: 8080 });
 * const { url } = await server.start();
 * ```
 * @module
 */
import { existsSync } from "node:fs";
import { StorageError } from "../errors.js";
import type { SignerProfileGrant } from "./signer-profiles.js";
import {
  checkStoreDbScheme,
  isPostgresUrl,
  openStoreBackend,
  type ServerStoreOptions,
  type StoreExport,
} from "./store.js";
import { SqliteServerStore } from "./store-sqlite.js";

export type { Clock, TimerHandle } from "../clock.js";
export type { MessageSecurity, RequestVerifier, VerifiedSender } from "../soap/security.js";
export { CommunicationFaultError, type CommunicationFaultOptions, faultEnvelope } from "./faults.js";
export {
  BILLING_CYCLE_KINDS,
  type BillingCycle,
  type BillingCycleKind,
  billingCycleAt,
  DEVICE_MOVE_POLICIES,
  type DeviceMovePolicy,
} from "./policy.js";
export {
  type ClientConfigurationPolicy,
  CommunicationServer,
  type CommunicationServerOptions,
  type InjectedFault,
  type ServerAddress,
  type ServerLogger,
} from "./server.js";
export type { SignerProfileGrant } from "./signer-profiles.js";
export { SIGNATURE_POLICIES, type SignaturePolicy, type TimestampRules } from "./signers.js";
export {
  openServerStore,
  type PostgresSslMode,
  type ServerStore,
  type ServerStoreOptions,
  type StoreExport,
  type StoreLogger,
} from "./store.js";
export { GENERATED_CERT_FILE, GENERATED_KEY_FILE } from "./tls.js";

/**
 * Reads a server store (while the server runs or not) as the export JSON, without
 * modifying it. Throws `StorageError` (`STORAGE_NOT_FOUND`, `STORAGE_SCHEMA`).
 * @example
 * ```ts
 * const { billingReads } = exportStoreFile("./server.db");
 * ```
 */
export function exportStoreFile(dbPath: string): StoreExport {
  const store = SqliteServerStore.open(dbPath, { readonly: true });
  try {
    return store.exportAllSync();
  } finally {
    store.closeSync();
  }
}

/**
 * Reads a server store — a SQLite file or a PostgreSQL URL — as the export JSON (the same
 * shape for both), without modifying it. Rejects with `StorageError` (`STORAGE_NOT_FOUND`,
 * `STORAGE_SCHEMA`, `STORAGE_UNAVAILABLE`).
 * @example
 * ```ts
 * const { billingReads } = await exportServerStore("postgres://esol@127.0.0.1:5432/esol");
 * ```
 */
export async function exportServerStore(db: string, options: ServerStoreOptions = {}): Promise<StoreExport> {
  const store = await openStoreBackend(db, { ...options, readonly: true });
  try {
    return await store.exportAll();
  } finally {
    await store.close();
  }
}

/**
 * Releases the certificate `proxyId` is bound to (the rotation path for trust on first
 * use): the proxy's next signed `RegisterProxy` binds whichever certificate signs it. A
 * running server sees the change at its next request for that proxy; thumbprint
 * references to the old certificate keep verifying until restart but no longer match the
 * (absent) binding. Returns false when the proxy had no binding.
 * Throws `StorageError` (`STORAGE_OPEN`, `STORAGE_SCHEMA`).
 * @example
 * ```ts
 * unbindProxySigner("./server.db", "proxy-0001");
 * ```
 */
export function unbindProxySigner(dbPath: string, proxyId: string): boolean {
  if (!existsSync(dbPath)) throw new StorageError("STORAGE_NOT_FOUND", `no server store at ${dbPath}`);
  const store = SqliteServerStore.open(dbPath);
  try {
    return store.unbindSignerSync(proxyId);
  } finally {
    store.closeSync();
  }
}

/**
 * {@link unbindProxySigner} for any store: a SQLite file or a PostgreSQL URL (every server
 * process on that database sees the change at its next request for the proxy). Rejects
 * with `StorageError` (`STORAGE_NOT_FOUND`, `STORAGE_OPEN`, `STORAGE_SCHEMA`,
 * `STORAGE_UNAVAILABLE`); throws `ConfigError` `CONFIG_DB` for another `<scheme>://`.
 * @example
 * ```ts
 * await unbindServerProxySigner("postgres://esol@127.0.0.1:5432/esol", "proxy-0001");
 * ```
 */
export async function unbindServerProxySigner(
  db: string,
  proxyId: string,
  options: ServerStoreOptions = {},
): Promise<boolean> {
  checkStoreDbScheme(db);
  if (!isPostgresUrl(db)) return unbindProxySigner(db, proxyId);
  const store = await openStoreBackend(db, options);
  try {
    return await store.unbindSigner(proxyId);
  } finally {
    await store.close();
  }
}

/**
 * Replaces the signer-profile grants recorded in a server store — a SQLite file or a
 * PostgreSQL URL — with `grants` (a grant already recorded keeps its `grantedAt`; new ones
 * get `at`). `esol server` calls it at each start with its `--trust-legacy` certificates,
 * so the export shows `signer.profile` on the proxies they signed for. The store is created
 * or migrated like a server start would.
 * Rejects with `StorageError` (`STORAGE_OPEN`, `STORAGE_SCHEMA`, `STORAGE_UNAVAILABLE`).
 * @example
 * ```ts
 * await recordSignerProfiles("cs.db", [{ thumbprintSha256, subject: "CN=proxy-1", profile: "legacy" }], new Date());
 * ```
 */
export async function recordSignerProfiles(
  db: string,
  grants: ReadonlyArray<Omit<SignerProfileGrant, "grantedAt">>,
  at: Date,
  options: ServerStoreOptions = {},
): Promise<void> {
  const store = await openStoreBackend(db, options);
  try {
    await store.recordSignerProfiles(grants, at);
  } finally {
    await store.close();
  }
}

/**
 * The signer-profile grants recorded in a server store (a SQLite file or a PostgreSQL URL),
 * oldest first; none when the server never recorded any.
 * Rejects with `StorageError` (`STORAGE_NOT_FOUND`, `STORAGE_SCHEMA`, `STORAGE_UNAVAILABLE`).
 * @example
 * ```ts
 * const grants = await readSignerProfiles("cs.db");
 * ```
 */
export async function readSignerProfiles(
  db: string,
  options: ServerStoreOptions = {},
): Promise<SignerProfileGrant[]> {
  const store = await openStoreBackend(db, { ...options, readonly: true });
  try {
    return await store.signerProfiles();
  } finally {
    await store.close();
  }
}
