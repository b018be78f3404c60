/**
 * The reference eSolutions Communication Server (`esolutions-sdk/server`): every operation of
 * the v1 contract over one SQLite file, HTTPS by default, WS-Security verification through a
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
import { readSignerProfiles, withSignerProfiles } from "./signer-profiles.js";
import { CommunicationStore, type StoreExport } from "./store.js";

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
export {
  readSignerProfiles,
  recordSignerProfiles,
  type SignerProfileGrant,
} from "./signer-profiles.js";
export { SIGNATURE_POLICIES, type SignaturePolicy, type TimestampRules } from "./signers.js";
export type { StoreExport } from "./store.js";
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
  const store = CommunicationStore.open(dbPath, { readonly: true });
  try {
    return withSignerProfiles(store.exportAll(), readSignerProfiles(dbPath));
  } finally {
    store.close();
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
  const store = CommunicationStore.open(dbPath);
  try {
    return store.unbindSigner(proxyId);
  } finally {
    store.close();
  }
}
