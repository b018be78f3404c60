/**
 * The signature and digest algorithms this SDK signs with and accepts. Everything
 * else (SHA-1, HMAC, MD5, DSA) is refused by construction: it has no entry here.
 * @module
 */
import { createHash, type KeyObject, sign, verify } from "node:crypto";

/** Names of the signature algorithms, as used by options and the CLI. */
export type SignatureAlgorithmName = "rsa-sha256" | "rsa-sha512" | "ecdsa-sha256" | "ecdsa-sha384";

/**
 * Names of the signature algorithms the verifier accepts only from a sender granted the
 * legacy profile (never signed with by this SDK).
 */
export type LegacySignatureAlgorithmName = "rsa-sha1";

/** One XML-DSig signature algorithm. */
export interface SignatureAlgorithmSpec {
  /** Option name, e.g. `ecdsa-sha256` (`rsa-sha1` only for the legacy profile's RSA-SHA1). */
  name: SignatureAlgorithmName | LegacySignatureAlgorithmName;
  /** XML-DSig `SignatureMethod/@Algorithm`. */
  uri: string;
  /** Node hash name. */
  hash: "sha1" | "sha256" | "sha384" | "sha512";
  /** Key type the algorithm needs. */
  keyType: "rsa" | "ec";
  /** Digest algorithm the signer pairs with it for references. */
  digest: DigestAlgorithmSpec;
}

/** One XML-DSig digest algorithm. */
export interface DigestAlgorithmSpec {
  /** XML-DSig `DigestMethod/@Algorithm`. */
  uri: string;
  /** Node hash name. */
  hash: "sha1" | "sha256" | "sha512";
}

/** SHA-256 digest. */
export const SHA256: DigestAlgorithmSpec = { uri: "http://www.w3.org/2001/04/xmlenc#sha256", hash: "sha256" };
/** SHA-512 digest. */
export const SHA512: DigestAlgorithmSpec = { uri: "http://www.w3.org/2001/04/xmlenc#sha512", hash: "sha512" };

/** Every accepted signature algorithm by option name. */
export const SIGNATURE_ALGORITHMS: Readonly<Record<SignatureAlgorithmName, SignatureAlgorithmSpec>> = {
  "rsa-sha256": {
    name: "rsa-sha256",
    uri: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    hash: "sha256",
    keyType: "rsa",
    digest: SHA256,
  },
  "rsa-sha512": {
    name: "rsa-sha512",
    uri: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    hash: "sha512",
    keyType: "rsa",
    digest: SHA256,
  },
  "ecdsa-sha256": {
    name: "ecdsa-sha256",
    uri: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    hash: "sha256",
    keyType: "ec",
    digest: SHA256,
  },
  "ecdsa-sha384": {
    name: "ecdsa-sha384",
    uri: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    hash: "sha384",
    keyType: "ec",
    digest: SHA256,
  },
};

/**
 * SHA-1 digest (XML-DSig 1.0 §6.2.1, `http://www.w3.org/2000/09/xmldsig#sha1`): accepted by
 * the verifier only from a sender granted the legacy profile; never in the tables above.
 */
export const LEGACY_SHA1: DigestAlgorithmSpec = {
  uri: "http://www.w3.org/2000/09/xmldsig#sha1",
  hash: "sha1",
};

/**
 * RSA-SHA1 (XML-DSig 1.0 §6.4.2, `http://www.w3.org/2000/09/xmldsig#rsa-sha1`), what the
 * 2002/2003-era WS-Security stacks signed with: accepted by the verifier only from a sender
 * granted the legacy profile; never in {@link SIGNATURE_ALGORITHMS}, never signed with.
 */
export const LEGACY_RSA_SHA1: SignatureAlgorithmSpec = {
  name: "rsa-sha1",
  uri: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  hash: "sha1",
  keyType: "rsa",
  digest: LEGACY_SHA1,
};

/** Looks up a signature algorithm by its XML-DSig URI; undefined when not accepted. */
export function signatureAlgorithmByUri(uri: string): SignatureAlgorithmSpec | undefined {
  return Object.values(SIGNATURE_ALGORITHMS).find((a) => a.uri === uri);
}

/** Looks up a digest algorithm by its XML-DSig URI; undefined when not accepted. */
export function digestAlgorithmByUri(uri: string): DigestAlgorithmSpec | undefined {
  return uri === SHA256.uri ? SHA256 : uri === SHA512.uri ? SHA512 : undefined;
}

/** Base64 digest of canonical bytes. */
export function digestBase64(digest: DigestAlgorithmSpec, canonical: string): string {
  return createHash(digest.hash).update(canonical, "utf8").digest("base64");
}

/**
 * Signs canonical SignedInfo. ECDSA values are the raw `r || s` concatenation that
 * XML-DSig (RFC 4051) requires, not the DER that OpenSSL produces by default.
 */
export function signCanonical(alg: SignatureAlgorithmSpec, key: KeyObject, canonical: string): string {
  return sign(alg.hash, Buffer.from(canonical, "utf8"), {
    key,
    ...(alg.keyType === "ec" ? { dsaEncoding: "ieee-p1363" as const } : {}),
  }).toString("base64");
}

/** Verifies a signature made by {@link signCanonical}. */
export function verifyCanonical(
  alg: SignatureAlgorithmSpec,
  key: KeyObject,
  canonical: string,
  signature: Buffer,
): boolean {
  return verify(
    alg.hash,
    Buffer.from(canonical, "utf8"),
    { key, ...(alg.keyType === "ec" ? { dsaEncoding: "ieee-p1363" as const } : {}) },
    signature,
  );
}

/** XML-DSig URI of ECDSA-SHA256. */
export const ECDSA_SHA256_URI = SIGNATURE_ALGORITHMS["ecdsa-sha256"].uri;
/** XML-DSig URI of ECDSA-SHA384. */
export const ECDSA_SHA384_URI = SIGNATURE_ALGORITHMS["ecdsa-sha384"].uri;
