/**
 * Which pinned signers an operator granted the legacy WS-Security profile
 * (`esol server --trust-legacy`), kept in the store (table `signer_profiles`, a step of each
 * store's migration ladder) so that `esol server export` shows the grant on the proxies
 * those certificates signed for, on SQLite and PostgreSQL alike. The flags are the source of
 * truth: each start of the server replaces the recorded grants with the current ones (a
 * grant given earlier keeps its first date).
 * @module
 */
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

/** A `signer_profiles` row as a grant (both stores use the same column names). */
export function grantFromRow(r: Record<string, unknown>): SignerProfileGrant {
  return {
    thumbprintSha256: r.thumbprint_sha256 as string,
    subject: r.subject as string,
    profile: r.profile as SenderProfile,
    grantedAt: r.granted_at as string,
  };
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
