/**
 * Test identities (private key + X.509 certificate, PEM) generated with `selfsigned`.
 * Generated once per test process and cached: RSA key generation is the slow part of
 * many suites, and sharing keys between tests does not weaken what they prove.
 * @module
 */
import { generate } from "selfsigned";

/** Which kind of key a test identity holds. */
export type TestKeyType = "rsa" | "ec-p256" | "ec-p384";

/** A private key and its self-signed (or CA-issued) certificate, both PEM. */
export interface TestIdentity {
  /** PKCS#8 private key, PEM. */
  keyPem: string;
  /** X.509 certificate, PEM. */
  certPem: string;
}

/** Options of {@link createTestIdentity}. */
export interface TestIdentityOptions {
  /** Subject common name. Defaults to `esol-test-<type>`. */
  commonName?: string;
  /** Issue the certificate from this CA instead of self-signing. */
  ca?: TestIdentity;
  /** Make the certificate a CA (basicConstraints cA, keyCertSign). */
  isCa?: boolean;
  /** Validity start; defaults to one hour ago (absorbs clock skew). */
  notBefore?: Date;
  /** Validity end; defaults to 30 days after `notBefore`. */
  notAfter?: Date;
}

const cache = new Map<string, Promise<TestIdentity>>();

/**
 * Creates a fresh identity (never cached).
 * @example
 * ```ts
 * const { keyPem, certPem } = await createTestIdentity("ec-p256", { commonName: "proxy-1" });
 * ```
 */
export async function createTestIdentity(
  type: TestKeyType,
  options: TestIdentityOptions = {},
): Promise<TestIdentity> {
  const notBefore = options.notBefore ?? new Date(Date.now() - 3_600_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 30 * 86_400_000);
  const extensions = options.isCa
    ? [
        { name: "basicConstraints" as const, cA: true, critical: true },
        { name: "keyUsage" as const, keyCertSign: true, digitalSignature: true, critical: true },
      ]
    : [
        { name: "basicConstraints" as const, cA: false },
        { name: "keyUsage" as const, digitalSignature: true },
      ];
  const result = await generate([{ name: "commonName", value: options.commonName ?? `esol-test-${type}` }], {
    keyType: type === "rsa" ? "rsa" : "ec",
    ...(type === "rsa" ? { keySize: 2048 } : { curve: type === "ec-p256" ? "P-256" : "P-384" }),
    algorithm: "sha256",
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions,
    ...(options.ca ? { ca: { key: options.ca.keyPem, cert: options.ca.certPem } } : {}),
  });
  return { keyPem: result.private, certPem: result.cert };
}

/**
 * A cached identity per `(type, name)`: the same key and certificate for every caller
 * in this process.
 */
export function testIdentity(type: TestKeyType, name = "default"): Promise<TestIdentity> {
  const id = `${type}/${name}`;
  let pending = cache.get(id);
  if (!pending) {
    pending = createTestIdentity(type, { commonName: `esol-test-${type}-${name}` });
    cache.set(id, pending);
  }
  return pending;
}
