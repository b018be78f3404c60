/**
 * WS-Security for eSolutions SOAP 1.1: the client-side signer, the strict server-side
 * verifier and the SOAP faults for refused requests (its own canonicalization and
 * signature code: it does not use xml-crypto).
 *
 * @example
 * ```ts
 * const signer = createMessageSigner({ key: keyPem, cert: certPem });
 * const verifier = createRequestVerifier({ trust: [certPem] });
 * const sender = verifier.verifyRequest(await signer.secureRequest(envelope, { operation: "Sync", attempt: 1 }));
 * ```
 * @module
 */
import type { KeyObject } from "node:crypto";
import type { Clock } from "../clock.js";
import type { MessageSecurity } from "../soap/security.js";
import type { SignatureAlgorithmName } from "./algorithms.js";
import { type KeyReferenceKind, type UsernameTokenOptions, WsSecuritySigner } from "./signer.js";
import {
  type SenderProfile,
  type VerifiedRequest,
  type VerifierStats,
  WsSecurityVerifier,
} from "./verifier.js";

export {
  type DigestAlgorithmSpec,
  ECDSA_SHA256_URI,
  ECDSA_SHA384_URI,
  type LegacySignatureAlgorithmName,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithmName,
  type SignatureAlgorithmSpec,
} from "./algorithms.js";
export { charsetOf, type DecodedEnvelope, decodeEnvelope, type EnvelopeEncoding } from "./charset.js";
export {
  SECURITY_FAULTS,
  type SecurityFaultCode,
  securityFault,
  securityFaultCode,
  securityFaultReason,
} from "./fault.js";
export {
  THUMBPRINT_SHA1_VALUE_TYPE,
  THUMBPRINT_SHA256_VALUE_TYPE,
  WSS_2002_DRAFT,
  WSS_2003_DRAFT,
  WSS_2004,
  type WsseNamespaces,
  X509_PKIPATH_VALUE_TYPE,
  X509_SKI_VALUE_TYPE,
} from "./namespaces.js";
export { NodeSoapSecurity, type NodeSoapSecurityShape } from "./node-soap-security.js";
export {
  KEY_REFERENCE_KINDS,
  type KeyReferenceKind,
  passwordDigest,
  type UsernameTokenOptions,
  WsSecuritySigner,
  type WsSecuritySignerOptions,
} from "./signer.js";
export {
  type LegacyForm,
  type SenderProfile,
  type VerifiedRequest,
  type VerifierStats,
  WsSecurityVerifier,
  type WsSecurityVerifierOptions,
} from "./verifier.js";
export { checkWireForm, type WireLimits } from "./wire.js";

/** Options of {@link createRequestVerifier} (the `esol server` flags map onto these). */
export interface RequestVerifierOptions {
  /** Pinned client certificates, PEM (`--trust`). */
  trust?: (string | Buffer)[];
  /**
   * Pinned client certificates granted the legacy profile, PEM (`--trust-legacy`): their
   * messages may also use RSA-SHA1, SHA-1 digests and the 2002/2003 draft namespaces (see
   * {@link WsSecurityVerifierOptions.trustLegacy}). Off unless given.
   */
  trustLegacy?: (string | Buffer)[];
  /** CA certificates, PEM (`--trust-ca`); needs `subject`. */
  trustCa?: (string | Buffer)[];
  /** Subject constraint for CA-issued certificates (`--subject`); a string must match the whole subject. */
  subject?: RegExp | string;
  /** Refuse unsigned requests (default true; `--insecure-unsigned` sets false). */
  requireSignature?: boolean;
  /** Largest accepted envelope in bytes (default 10 MiB). Apply it after gunzip too. */
  maxBytes?: number;
  /**
   * Also accept the 2003 draft WS-Security namespaces older device clients send, from every
   * sender (default false). Emits one `DeprecationWarning` per process (`ESOL_DEP_ALLOW_DRAFT_NAMESPACES`).
   * @deprecated Since 0.2; removed in 0.3. Use {@link RequestVerifierOptions.trustLegacy}: the same
   *   forms, granted to the listed certificates only.
   */
  allowDraftNamespaces?: boolean;
  /** Allowed clock difference in ms (default 60,000). */
  clockSkewMs?: number;
  /** Largest accepted age in ms of a Timestamp without `Expires` (default 300,000). */
  maxAgeMs?: number;
  /** Most fractional-second digits accepted in a Timestamp (default 3; up to 9). */
  timestampFractionDigits?: number;
  /**
   * The clock of Timestamp checks: a {@link Clock} (wall time, the default; a `ManualClock` in tests — never a scaled clock: the peer checks these times against its own).
   * Default wall time. A plain function returning epoch ms is deprecated (accepted until 0.3).
   */
  clock?: Clock | (() => number);
}

/** The verifier the reference server plugs in front of soap's listener. */
export interface StrictRequestVerifier {
  /** Verifies one raw request; throws `SecurityError` (`WSS_*`) to refuse. */
  verifyRequest(envelope: string): VerifiedRequest | undefined;
  /** Pins a certificate at run time (e.g. bound at registration); a pinned one keeps its profile. */
  trustCertificate(pem: string | Buffer, options?: { profile?: SenderProfile }): void;
  /** Accept / refuse counters. */
  readonly stats: VerifierStats;
}

/**
 * Creates the strict request verifier.
 * @throws ConfigError `CONFIG_NO_TRUST` when signatures are required but nothing is trusted,
 *   `CONFIG_SUBJECT` for `trustCa` without `subject`, `CONFIG_CERT` for unreadable PEM.
 * @example
 * ```ts
 * const verifier = createRequestVerifier({ trust: [readFileSync("proxy.crt")] });
 * ```
 */
export function createRequestVerifier(options: RequestVerifierOptions = {}): StrictRequestVerifier {
  return new WsSecurityVerifier({
    ...(options.trust ? { trust: options.trust } : {}),
    ...(options.trustLegacy ? { trustLegacy: options.trustLegacy } : {}),
    ...(options.trustCa ? { trustCa: options.trustCa } : {}),
    ...(options.subject !== undefined ? { subject: options.subject } : {}),
    ...(options.requireSignature !== undefined ? { requireSignature: options.requireSignature } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    ...(options.allowDraftNamespaces !== undefined
      ? { allowDraftNamespaces: options.allowDraftNamespaces }
      : {}),
    ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
    ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
    ...(options.timestampFractionDigits !== undefined
      ? { timestampFractionDigits: options.timestampFractionDigits }
      : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

/** Options of {@link createMessageSigner}. */
export interface MessageSignerOptions {
  /** Private key, PEM or `KeyObject`. */
  key: string | Buffer | KeyObject;
  /** Its certificate, PEM. */
  cert: string | Buffer;
  /** CA certificates above `cert`, issuer first, PEM: sent with it by the `pkipath` key reference. */
  chain?: (string | Buffer)[];
  /** Default `rsa-sha256` (RSA key) or `ecdsa-sha256` (EC key). */
  algorithm?: SignatureAlgorithmName;
  /** Default `bst`; thumbprints need the server to know the certificate already. */
  keyReference?: KeyReferenceKind;
  /** Timestamp lifetime, default 300,000 ms. */
  ttlMs?: number;
  /** Also add a UsernameToken. */
  usernameToken?: UsernameTokenOptions;
  /** Use the 2003 draft namespaces. */
  namespaces?: "wss-2004" | "wss-2003-draft";
  /** Server certificate, PEM: responses must be signed by it (checked by `verifyResponse`). */
  verifyResponsesWith?: string | Buffer;
  /**
   * The clock of the Timestamps it writes: a {@link Clock} (wall time, the default; a `ManualClock` in tests — never a scaled clock: the peer checks these times against its own).
   * Default wall time. A plain function returning epoch ms is deprecated (accepted until 0.3).
   */
  clock?: Clock | (() => number);
}

/**
 * Creates the client's `MessageSecurity`: signs each request attempt and, with
 * `verifyResponsesWith`, verifies that responses are signed by the pinned server certificate.
 * @example
 * ```ts
 * const security = createMessageSigner({ key: keyPem, cert: certPem, keyReference: "thumbprint-sha1" });
 * ```
 */
export function createMessageSigner(options: MessageSignerOptions): MessageSecurity {
  return new WsSecuritySigner({
    key: options.key,
    cert: options.cert,
    ...(options.chain ? { chain: options.chain } : {}),
    ...(options.algorithm ? { algorithm: options.algorithm } : {}),
    ...(options.keyReference ? { keyReference: options.keyReference } : {}),
    ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}),
    ...(options.usernameToken ? { usernameToken: options.usernameToken } : {}),
    ...(options.namespaces ? { namespaces: options.namespaces } : {}),
    ...(options.verifyResponsesWith !== undefined
      ? { verifyResponsesWith: options.verifyResponsesWith }
      : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
