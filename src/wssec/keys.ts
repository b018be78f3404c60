/**
 * Loading private keys and X.509 certificates, and the identifiers derived from a
 * certificate (thumbprints, subject) that key references and pinning use.
 * @module
 */
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { ConfigError } from "../errors.js";

/** A certificate with the identifiers the signer and verifier look it up by. */
export interface LoadedCertificate {
  /** Parsed certificate. */
  x509: X509Certificate;
  /** DER bytes. */
  der: Buffer;
  /** Base64 of the DER (the BinarySecurityToken content). */
  base64: string;
  /** SHA-1 of the DER, base64 (ThumbprintSHA1 KeyIdentifier). */
  thumbprintSha1: string;
  /** SHA-256 of the DER, base64 (ThumbprintSHA256 KeyIdentifier). */
  thumbprintSha256: string;
  /** SHA-256 of the DER, lowercase hex (reported as the sender identity). */
  thumbprintSha256Hex: string;
  /** PEM text. */
  pem: string;
}

/** Wraps a parsed certificate with its identifiers. */
export function describeCertificate(x509: X509Certificate): LoadedCertificate {
  const der = Buffer.from(x509.raw);
  return {
    x509,
    der,
    base64: der.toString("base64"),
    thumbprintSha1: createHash("sha1").update(der).digest("base64"),
    thumbprintSha256: createHash("sha256").update(der).digest("base64"),
    thumbprintSha256Hex: createHash("sha256").update(der).digest("hex"),
    pem: x509.toString(),
  };
}

/**
 * Parses every certificate in a PEM text (a bundle may hold several).
 * @throws ConfigError `CONFIG_CERT` when there is none or one is unreadable.
 */
export function loadCertificates(pem: string | Buffer, what = "certificate"): LoadedCertificate[] {
  const text = typeof pem === "string" ? pem : pem.toString("utf8");
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks || blocks.length === 0) {
    // A DER buffer is accepted too: some tools write .cer files in DER.
    if (Buffer.isBuffer(pem) && pem[0] === 0x30) return [describeCertificate(parseX509(pem, what))];
    throw new ConfigError("CONFIG_CERT", `${what}: no PEM certificate found`);
  }
  return blocks.map((b) => describeCertificate(parseX509(b, what)));
}

/** Parses exactly one certificate (the first of a bundle). */
export function loadCertificate(pem: string | Buffer, what = "certificate"): LoadedCertificate {
  const [first] = loadCertificates(pem, what);
  if (!first) throw new ConfigError("CONFIG_CERT", `${what}: no certificate found`);
  return first;
}

function parseX509(input: string | Buffer, what: string): X509Certificate {
  try {
    return new X509Certificate(input);
  } catch (cause) {
    throw new ConfigError("CONFIG_CERT", `${what}: not a readable X.509 certificate`, { cause });
  }
}

/**
 * Loads a private key from PEM (PKCS#8, PKCS#1 or SEC1) or passes a `KeyObject` through.
 * @throws ConfigError `CONFIG_KEY` when it is not a private key.
 */
export function loadPrivateKey(key: string | Buffer | KeyObject): KeyObject {
  if (typeof key === "object" && !Buffer.isBuffer(key)) {
    if (key.type !== "private") throw new ConfigError("CONFIG_KEY", "signing key: a private key is required");
    return key;
  }
  try {
    return createPrivateKey(key);
  } catch (cause) {
    throw new ConfigError("CONFIG_KEY", "signing key: not a readable private key (PEM expected)", { cause });
  }
}

/** Key type in the sense of the signature algorithm table. */
export function keyKind(key: KeyObject): "rsa" | "ec" | "other" {
  const t = key.asymmetricKeyType;
  return t === "rsa" ? "rsa" : t === "ec" ? "ec" : "other";
}
