/**
 * The server's own request verification when no trust is configured: signed messages are
 * integrity-checked against their embedded certificate (first use) or against the
 * certificates proxies bound at registration (thumbprint references), with one replay
 * guard across both.
 * @module
 */
import { createHash, X509Certificate } from "node:crypto";
import { isSdkError } from "../errors.js";
import type { RequestVerifier } from "../soap/security.js";
import { type VerifiedRequest, WsSecurityVerifier } from "../wssec/index.js";
import { ReplayCache } from "../wssec/replay.js";
import {
  type CertificateNameFields,
  readCertificateNameFields,
  sameDistinguishedName,
} from "../wssec/x509.js";

/**
 * How the server treats request signatures.
 * - `required`: every request is signed by a key the configured `verifier` trusts.
 * - `tofu`: every request is signed; with no certificate configured, a proxy's first
 *   signed `RegisterProxy` binds its certificate (trust on first use) and every later
 *   request for that ProxyId must be signed by it.
 * - `optional`: unsigned requests are accepted (local development); signed ones are
 *   still checked and a signed registration still binds its certificate.
 */
export type SignaturePolicy = "required" | "tofu" | "optional";

/** The values {@link SignaturePolicy} takes. */
export const SIGNATURE_POLICIES: readonly SignaturePolicy[] = ["required", "tofu", "optional"];

/** The verifiers' default clock skew, kept past each message's Expires. */
const SKEW_MS = 60_000;

/**
 * The verifier's Timestamp rules (WSS 1.1 SOAP Message Security §10): see
 * `RequestVerifierOptions` of `esolutions-sdk` for each field and its default.
 */
export interface TimestampRules {
  /** Allowed clock difference in ms (default 60,000). */
  clockSkewMs?: number;
  /** Largest accepted age in ms of a Timestamp without `Expires` (default 300,000). */
  maxAgeMs?: number;
  /** Most fractional-second digits accepted (default 3; up to 9). */
  timestampFractionDigits?: number;
}
/** Accepted messages remembered at most (the verifier's default replay cache size). */
const MAX_REMEMBERED = 100_000;

/** What key references resolve a certificate by: its SKI, and its issuer and serial. */
interface ReferenceIdentity {
  thumbprint: string;
  names: CertificateNameFields;
}

function referenceIdentity(pem: string): ReferenceIdentity {
  const cert = new X509Certificate(pem);
  return { thumbprint: cert.fingerprint256, names: readCertificateNameFields(cert.raw) };
}

/** Whether two certificates answer the same SKI or IssuerSerial reference (names compared by meaning). */
function sameReference(a: CertificateNameFields, b: CertificateNameFields): boolean {
  return (
    a.subjectKeyIdentifier.equals(b.subjectKeyIdentifier) ||
    (a.serialNumber === b.serialNumber && sameDistinguishedName(a.issuer, b.issuer))
  );
}

/**
 * Verifies with two strict verifiers: `open` trusts only each message's own embedded
 * certificate (what a first registration can offer), `bound` knows the registered
 * certificates (needed for thumbprint references). A message refused by one for its key
 * alone is tried on the other. Each verifier has its own replay cache and the key
 * reference is not signed, so a message accepted by one could be replayed through the
 * other with its KeyInfo rewritten: the guard here remembers every accepted message.
 */
export class FirstUseVerifier implements RequestVerifier {
  private readonly open: WsSecurityVerifier;
  private bound: WsSecurityVerifier | undefined;
  /** Every message either verifier accepted: the same cache the verifiers use, one more instance. */
  private readonly accepted = new ReplayCache(MAX_REMEMBERED);

  constructor(private readonly settings: TimestampRules & { maxBytes: number; clock: () => number }) {
    this.open = new WsSecurityVerifier({ requireSignature: false, ...settings });
  }

  /**
   * Accepts key references to `pem` from now on (it was bound at registration) — unless its
   * subject key identifier or issuer and serial equal those of a certificate bound before:
   * anyone may register under trust on first use, and such a twin would make the earlier
   * proxy's SKI / IssuerSerial references ambiguous (refused). The twin is then not bound
   * for those references (its own BST-referenced messages still verify); returns whether it was.
   */
  bind(pem: string): boolean {
    const id = referenceIdentity(pem);
    const twin = [...this.bindings.values()].find(
      (other) => other.thumbprint !== id.thumbprint && sameReference(other.names, id.names),
    );
    if (twin) return false;
    this.bindings.set(id.thumbprint, id);
    if (this.bound) this.bound.trustCertificate(pem);
    else this.bound = new WsSecurityVerifier({ trust: [pem], requireSignature: false, ...this.settings });
    return true;
  }

  /** What key references of the bound certificates resolve on, by thumbprint. */
  private readonly bindings = new Map<string, ReferenceIdentity>();

  /** Returns the (untrusted) signer, or undefined for an unsigned request. */
  verifyRequest(envelope: string): VerifiedRequest | undefined {
    // A cheap hint for which verifier to try first; correctness does not depend on it.
    const order = !this.bound
      ? [this.open]
      : envelope.includes("KeyIdentifier")
        ? [this.bound, this.open]
        : [this.open, this.bound];
    let refusal: unknown;
    for (const verifier of order) {
      let result: VerifiedRequest | undefined;
      try {
        result = verifier.verifyRequest(envelope);
      } catch (err) {
        if (isSdkError(err) && err.code === "WSS_UNTRUSTED_KEY") {
          refusal = err;
          continue;
        }
        throw err;
      }
      if (result) this.remember(result);
      return result;
    }
    throw refusal;
  }

  /** @throws SecurityError `WSS_REPLAY` for a message accepted before; `WSS_BUSY` when the cache is full. */
  private remember(r: VerifiedRequest): void {
    // Keyed on what either verifier's result tells: the signer, the timestamp and the Body.
    const key = createHash("sha256")
      .update(`${r.thumbprintSha256}\n${r.created.toISOString()}\n${r.expires.toISOString()}\n`)
      .update(r.bodyCanonical)
      .digest("base64");
    this.accepted.remember(
      key,
      r.expires.getTime() + (this.settings.clockSkewMs ?? SKEW_MS),
      this.settings.clock(),
    );
  }
}
