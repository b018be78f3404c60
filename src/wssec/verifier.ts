/**
 * The strict WS-Security verifier (SECURITY.md, "Verifier profile"). It does not use
 * xml-crypto's `checkSignature`: every element it trusts is located by structure
 * (the Envelope's Body, the Timestamp of the one Security header) and each Reference
 * must resolve to exactly those, so a signature over moved or wrapped content cannot
 * vouch for the Body the server reads.
 * @module
 */
import { createHash, type KeyObject, timingSafeEqual, X509Certificate } from "node:crypto";
import { type Clock, epochMsOf } from "../clock.js";
import { ConfigError, SecurityError, type SecurityErrorCode } from "../errors.js";
import type { RequestVerifier, VerifiedSender } from "../soap/security.js";
import {
  type DigestAlgorithmSpec,
  digestAlgorithmByUri,
  digestBase64,
  LEGACY_RSA_SHA1,
  LEGACY_SHA1,
  type LegacySignatureAlgorithmName,
  type SignatureAlgorithmName,
  signatureAlgorithmByUri,
  verifyCanonical,
} from "./algorithms.js";
import { describeCertificate, type LoadedCertificate, loadCertificates } from "./keys.js";
import {
  DSIG_NS,
  EXC_C14N,
  SOAP11_NS,
  SOAP12_NS,
  THUMBPRINT_SHA1_VALUE_TYPE,
  THUMBPRINT_SHA256_VALUE_TYPE,
  WSS_2002_DRAFT,
  WSS_2003_DRAFT,
  WSS_2004,
  WSS_DRAFTS,
  type WsseNamespaces,
  X509_PKIPATH_VALUE_TYPE,
  X509_SKI_VALUE_TYPE,
} from "./namespaces.js";
import { ReplayCache } from "./replay.js";
import type { KeyReferenceKind } from "./signer.js";
import { checkWireForm, DEFAULT_WIRE_LIMITS } from "./wire.js";
import {
  type CertificateNameFields,
  parseDistinguishedName,
  readCertificateNameFields,
  sameDistinguishedName,
  splitPkiPath,
} from "./x509.js";
import {
  excC14n as canonicalize,
  descendants,
  type XmlElement as Element,
  childElements as elementChildren,
  idAttributesOf as idAttributes,
  isXmlElement as isElement,
  isEnvelopeBody,
  parseXml,
  textContentOnly as textOnly,
} from "./xml.js";

/** Options of {@link WsSecurityVerifier}. */
export interface WsSecurityVerifierOptions {
  /** Pinned sender certificates (PEM; a text may hold several). */
  trust?: (string | Buffer)[];
  /**
   * Pinned sender certificates granted the legacy profile (PEM; a text may hold several):
   * messages whose key is one of these may also use RSA-SHA1 signatures, SHA-1 digests and
   * the 2002/2003 draft WS-Security namespaces ({@link LegacyForm}). The grant is per
   * certificate, never global: the same forms from any other sender are refused with the
   * error they always get (`WSS_ALGORITHM`, `WSS_NAMESPACE`). Each accepted message reports
   * the forms it used in {@link VerifiedRequest.legacyForms} (the server logs them).
   */
  trustLegacy?: (string | Buffer)[];
  /** CA certificates; a sender certificate issued directly by one of them is trusted when its subject matches `subject`. */
  trustCa?: (string | Buffer)[];
  /**
   * Required with `trustCa`. A RegExp is tested against the subject in `CN=…, O=…` form;
   * a string is a regular expression that must match the whole subject.
   */
  subject?: RegExp | string;
  /** Refuse unsigned requests (default true). */
  requireSignature?: boolean;
  /** Largest accepted envelope in bytes (default 10 MiB). */
  maxBytes?: number;
  /** Deepest accepted element nesting (default 64). */
  maxDepth?: number;
  /** Allowed clock difference (default 60,000 ms). */
  clockSkewMs?: number;
  /** Largest accepted Expires − Created (default 300,000 ms). */
  maxLifetimeMs?: number;
  /**
   * Largest accepted age of a Timestamp that has no `Expires` (default 300,000 ms): such a
   * message is treated as expiring at Created + maxAgeMs. WSS 1.1 SOAP Message Security
   * §10 makes `Expires` optional; WSS4J does not require it.
   */
  maxAgeMs?: number;
  /**
   * Most fractional-second digits accepted in Created/Expires (default 3, milliseconds;
   * at most 9). Digits beyond milliseconds are truncated, never rounded.
   */
  timestampFractionDigits?: number;
  /** Upper bound on remembered signatures (default 100,000). */
  replayCacheSize?: number;
  /**
   * Also accept the 2003 draft WS-Security namespaces from every sender (default false).
   * Giving it emits one `DeprecationWarning` per process (code `ESOL_DEP_ALLOW_DRAFT_NAMESPACES`).
   * @deprecated Since 0.2; removed in 0.3. Grant the older forms per sender instead:
   *   {@link WsSecurityVerifierOptions.trustLegacy} (`esol server --trust-legacy`) accepts the
   *   2003 draft namespaces from those certificates only.
   */
  allowDraftNamespaces?: boolean;
  /**
   * The clock of Timestamp and certificate validity checks: a {@link Clock} (wall time, the default; a `ManualClock` in tests — never a scaled clock: the peer checks these times against its own).
   * Default wall time. A plain function returning epoch ms is deprecated (accepted until 0.3).
   */
  clock?: Clock | (() => number);
}

let draftNamespacesOptionWarned = false;

/**
 * The first use of the deprecated `allowDraftNamespaces` in a process emits one
 * `DeprecationWarning` (node's `--no-deprecation` silences it); the option still works until 0.3.
 */
function warnDraftNamespacesOption(): void {
  if (draftNamespacesOptionWarned) return;
  draftNamespacesOptionWarned = true;
  process.emitWarning(
    "WsSecurityVerifierOptions.allowDraftNamespaces is deprecated: grant the 2003 draft namespaces per sender with trustLegacy (esol server --trust-legacy); allowDraftNamespaces is removed in 0.3",
    { type: "DeprecationWarning", code: "ESOL_DEP_ALLOW_DRAFT_NAMESPACES" },
  );
}

/**
 * How strictly a pinned sender is verified: `strict` (every sender unless granted otherwise)
 * or `legacy` (also the {@link LegacyForm}s, for peers that predate WS-Security 1.0).
 */
export type SenderProfile = "strict" | "legacy";

/**
 * A form only the legacy profile accepts: `rsa-sha1` (XML-DSig 1.0 §6.4.2 RSA-SHA1
 * SignatureMethod), `sha1-digest` (a SHA-1 DigestMethod), `wss-2002-draft` /
 * `wss-2003-draft` (the Security header in the {@link WSS_2002_DRAFT} / {@link WSS_2003_DRAFT}
 * namespaces).
 */
export type LegacyForm = "rsa-sha1" | "sha1-digest" | "wss-2002-draft" | "wss-2003-draft";

/** What a successful verification established. Extends the shared {@link VerifiedSender}. */
export interface VerifiedRequest extends VerifiedSender {
  /**
   * True when the key came from a pinned certificate or a trusted CA. False only when
   * no trust is configured and `requireSignature` is false: the message was
   * integrity-checked against its own embedded certificate, which proves nothing
   * about who sent it.
   */
  trusted: boolean;
  /** Signature algorithm used (`rsa-sha1` only from a sender granted the legacy profile). */
  algorithm: SignatureAlgorithmName | LegacySignatureAlgorithmName;
  /** The profile of the certificate that verified the message (`strict` unless pinned with `trustLegacy`). */
  profile: SenderProfile;
  /** The legacy forms this message used; empty for a message any sender may send. */
  legacyForms: LegacyForm[];
  /** How the signature named its key. */
  keyReference: KeyReferenceKind;
  /** Timestamp Created. */
  created: Date;
  /**
   * Timestamp Expires; for a Timestamp without `Expires`, Created + `maxAgeMs` (see
   * {@link VerifiedRequest.expiresGiven}).
   */
  expires: Date;
  /** Whether the Timestamp carried `Expires` (false: {@link VerifiedRequest.expires} is derived). */
  expiresGiven: boolean;
  /** The verified Body element, canonical form (exc-c14n) — read business values from this. */
  bodyCanonical: string;
}

/** Counters of a verifier, for the server's health output. */
export interface VerifierStats {
  /** Requests accepted (signed or, when allowed, unsigned). */
  accepted: number;
  /** Requests refused, by error code. */
  refused: Record<string, number>;
  /** Signatures currently in the replay cache. */
  replayCacheSize: number;
}

const UTILITY_EC_NS = "http://www.w3.org/2001/10/xml-exc-c14n#";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ID_REF = /^#([A-Za-z_][A-Za-z0-9_.-]*)$/;
/**
 * xsd:dateTime in UTC: the WSS 1.1 SOAP Message Security §10 timestamp elements "SHOULD"
 * be UTC and the Basic Security Profile 1.1 (R3217, R3213) requires the `Z` form, so an
 * offset such as `+02:00` is refused rather than converted.
 */
const UTC_DATE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;
const OFFSET_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2})?$/;

const WATCHED_NAMESPACES: ReadonlySet<string> = new Set([
  SOAP11_NS,
  SOAP12_NS,
  DSIG_NS,
  UTILITY_EC_NS,
  WSS_2004.wsse,
  WSS_2004.wsu,
  WSS_2003_DRAFT.wsse,
  WSS_2003_DRAFT.wsu,
]);
/** Elements inside a streamed Body that the rules below must still see. */
const keepInBody = (el: Element): boolean =>
  el.attributes.length > 0 || (el.namespaceURI !== null && WATCHED_NAMESPACES.has(el.namespaceURI));

/** The one `ds:KeyInfo` child of a Signature (for gating a legacy form before the structure checks). */
const keyInfoOf = (signature: Element): Element => {
  const found = elementChildren(signature).filter((c) => isElement(c, DSIG_NS, "KeyInfo"));
  if (found.length !== 1) throw new Error("no single KeyInfo");
  return found[0] as Element;
};

/** `{ns}local` test that does not narrow (a type guard's false branch would make the element `never`). */
const hasName = (el: Element, ns: string, local: string): boolean =>
  el.localName === local && el.namespaceURI === ns;

const fail = (code: SecurityErrorCode, message: string): never => {
  throw new SecurityError(code, message);
};
/** Attacker-controlled text in messages is cut short. */
const quote = (s: string | null | undefined): string => JSON.stringify((s ?? "").slice(0, 64));

/** A resolved verification key and the certificate it came from. */
interface ResolvedKey {
  key: KeyObject;
  cert: LoadedCertificate;
  trusted: boolean;
  kind: KeyReferenceKind;
  profile: SenderProfile;
}

/** A legacy form a message used, and how it is refused when its sender is not granted it. */
interface LegacyUse {
  form: LegacyForm;
  code: SecurityErrorCode;
  message: string;
}

interface TrustedCertificate extends LoadedCertificate {
  profile: SenderProfile;
  subjectLine: string;
  /** Issuer, serial and SKI; undefined when the DER could not be read for them. */
  names: CertificateNameFields | undefined;
}

const readNames = (c: LoadedCertificate): CertificateNameFields | undefined => {
  try {
    return readCertificateNameFields(c.der);
  } catch {
    return undefined;
  }
};

/** Longest CA chain above the sender's certificate (intermediates + root). */
const MAX_CA_CHAIN = 8;

/** Whether `cert` names `issuer` as its issuer and carries its signature. */
const issuedBy = (cert: LoadedCertificate, issuer: LoadedCertificate): boolean => {
  try {
    return cert.x509.checkIssued(issuer.x509) && cert.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
};

/** A root: issuer equals subject and its own key verifies its signature (key usage aside). */
const selfSigned = (c: LoadedCertificate): boolean => {
  try {
    return c.x509.issuer === c.x509.subject && c.x509.verify(c.x509.publicKey);
  } catch {
    return false;
  }
};

const subjectLine = (x509: X509Certificate): string => x509.subject.split("\n").join(", ");

/**
 * Verifies signed SOAP 1.1 requests against pinned certificates (or a CA and a subject
 * constraint), implementing every rule of the verifier profile. Throws a
 * `SecurityError` with a `WSS_*` code to refuse; {@link securityFault} renders it.
 *
 * @example
 * ```ts
 * const verifier = new WsSecurityVerifier({ trust: [proxyCertPem] });
 * const sender = verifier.verifyRequest(requestText); // throws SecurityError to refuse
 * ```
 */
export class WsSecurityVerifier implements RequestVerifier {
  private readonly pinned = new Map<string, TrustedCertificate>();
  private readonly bySha1 = new Map<string, TrustedCertificate>();
  private readonly cas: LoadedCertificate[];
  /** Issuer of each intermediate CA among `cas` (roots are absent). */
  private readonly caIssuers = new Map<LoadedCertificate, LoadedCertificate>();
  private readonly subject: RegExp | undefined;
  private readonly requireSignature: boolean;
  private readonly limits: { maxBytes: number; maxDepth: number };
  private readonly skewMs: number;
  private readonly maxLifetimeMs: number;
  private readonly maxAgeMs: number;
  private readonly fractionDigits: number;
  /** Whether the 2003 draft namespaces are accepted from every sender (`allowDraftNamespaces`). */
  private readonly draftsForAll: boolean;
  /** Pinned certificates with the legacy profile. */
  private legacyPinned = 0;
  private readonly clock: () => number;
  private readonly replay: ReplayCache;
  private readonly counters = { accepted: 0, refused: {} as Record<string, number> };

  /** @throws ConfigError for unreadable certificates or a CA without a subject constraint. */
  constructor(options: WsSecurityVerifierOptions = {}) {
    for (const pem of options.trust ?? [])
      for (const c of loadCertificates(pem, "trusted certificate")) this.pin(c);
    for (const pem of options.trustLegacy ?? [])
      for (const c of loadCertificates(pem, "trusted legacy certificate")) this.pin(c, "legacy");
    this.cas = (options.trustCa ?? []).flatMap((pem) => loadCertificates(pem, "trusted CA certificate"));

    if (this.cas.length > 0 && options.subject === undefined) {
      throw new ConfigError("CONFIG_SUBJECT", "trustCa needs a subject constraint (subject pattern)");
    }
    // An intermediate given with trustCa is trusted only through a root given with it.
    for (const ca of this.cas) {
      if (selfSigned(ca)) continue;
      const parent = this.cas.find((p) => p !== ca && p.x509.ca && issuedBy(ca, p));
      if (!parent)
        throw new ConfigError(
          "CONFIG_CERT",
          `trusted CA certificate ${subjectLine(ca.x509)} is not self-signed and its issuer is not among the trustCa certificates: add the root`,
        );
      this.caIssuers.set(ca, parent);
    }
    this.subject =
      options.subject === undefined
        ? undefined
        : typeof options.subject === "string"
          ? new RegExp(`^(?:${options.subject})$`)
          : options.subject;
    this.requireSignature = options.requireSignature ?? true;
    if (this.requireSignature && this.pinned.size === 0 && this.cas.length === 0) {
      throw new ConfigError(
        "CONFIG_NO_TRUST",
        "signed requests are required but no trusted certificate or CA is configured",
      );
    }
    this.limits = {
      maxBytes: options.maxBytes ?? DEFAULT_WIRE_LIMITS.maxBytes,
      maxDepth: options.maxDepth ?? DEFAULT_WIRE_LIMITS.maxDepth,
    };
    for (const [name, value] of Object.entries({
      ...this.limits,
      clockSkewMs: options.clockSkewMs,
      maxLifetimeMs: options.maxLifetimeMs,
      maxAgeMs: options.maxAgeMs,
    })) {
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new ConfigError("CONFIG_LIMIT", `${name} must be a positive number`);
      }
    }
    this.skewMs = options.clockSkewMs ?? 60_000;
    this.maxLifetimeMs = options.maxLifetimeMs ?? 300_000;
    this.maxAgeMs = options.maxAgeMs ?? 300_000;
    const digits = options.timestampFractionDigits ?? 3;
    if (!Number.isInteger(digits) || digits < 0 || digits > 9)
      throw new ConfigError("CONFIG_LIMIT", "timestampFractionDigits must be an integer from 0 to 9");
    this.fractionDigits = digits;
    if (options.allowDraftNamespaces !== undefined) warnDraftNamespacesOption();
    this.draftsForAll = options.allowDraftNamespaces ?? false;
    this.clock = epochMsOf(options.clock);
    this.replay = new ReplayCache(options.replayCacheSize ?? 100_000);
  }

  /**
   * Pins one more certificate at run time — e.g. the one a proxy presented at
   * registration, so its later messages can use the short thumbprint reference.
   * Without `options.profile`, a certificate already pinned keeps its profile (re-pinning a
   * legacy sender at its registration does not take the grant away); a new one is `strict`.
   */
  trustCertificate(pem: string | Buffer, options: { profile?: SenderProfile } = {}): void {
    for (const c of loadCertificates(pem, "trusted certificate")) this.pin(c, options.profile);
  }

  /** The namespace sets a Security header is looked for in. */
  private get namespaceSets(): readonly WsseNamespaces[] {
    if (this.legacyPinned > 0) return [WSS_2004, ...WSS_DRAFTS];
    return this.draftsForAll ? [WSS_2004, WSS_2003_DRAFT] : [WSS_2004];
  }

  /** Counters since construction. */
  get stats(): VerifierStats {
    return {
      accepted: this.counters.accepted,
      refused: { ...this.counters.refused },
      replayCacheSize: this.replay.size,
    };
  }

  private pin(c: LoadedCertificate, profile?: SenderProfile): void {
    const before = this.pinned.get(c.thumbprintSha256);
    const t: TrustedCertificate = {
      ...c,
      profile: profile ?? before?.profile ?? "strict",
      subjectLine: subjectLine(c.x509),
      names: readNames(c),
    };
    if (before?.profile === "legacy") this.legacyPinned--;
    if (t.profile === "legacy") this.legacyPinned++;
    this.pinned.set(c.thumbprintSha256, t);
    this.bySha1.set(c.thumbprintSha1, t);
  }

  /**
   * Verifies one request envelope (the raw text, before any SOAP parsing).
   * Returns the sender, or undefined for an unsigned request when `requireSignature` is false.
   * @throws SecurityError with a `WSS_*` code when the request must be refused.
   */
  verifyRequest(envelope: string): VerifiedRequest | undefined {
    try {
      const result = this.check(envelope);
      this.counters.accepted++;
      return result;
    } catch (err) {
      const code = err instanceof SecurityError ? err.code : "WSS_INTERNAL";
      this.counters.refused[code] = (this.counters.refused[code] ?? 0) + 1;
      if (err instanceof SecurityError) throw err;
      throw new SecurityError("WSS_MALFORMED", "the message could not be processed", { cause: err });
    }
  }

  private check(envelope: string): VerifiedRequest | undefined {
    checkWireForm(envelope, this.limits);
    // The Body's content is streamed (no tree): it is read again only to canonicalize it.
    // Every element a rule below looks for (anything with an attribute, anything in a
    // SOAP, WS-Security or XML-DSig namespace) is kept, wherever it hides.
    const root = parseXml(envelope, { streamContentOf: isEnvelopeBody, keep: keepInBody });
    if (root.localName === "Envelope" && root.namespaceURI !== SOAP11_NS) {
      fail(
        "WSS_VERSION_MISMATCH",
        root.namespaceURI === SOAP12_NS
          ? "SOAP 1.2 envelope; this service speaks SOAP 1.1"
          : "not a SOAP 1.1 envelope namespace",
      );
    }
    if (!isElement(root, SOAP11_NS, "Envelope"))
      fail("WSS_MALFORMED", "the root element is not a SOAP 1.1 Envelope");

    // The Envelope holds [Header?, Body] and nothing else: a second Body or a wrapper
    // element is where signature-wrapping attacks hide the signed original.
    const children = elementChildren(root);
    const bodies = children.filter((c) => isElement(c, SOAP11_NS, "Body"));
    const headers = children.filter((c) => isElement(c, SOAP11_NS, "Header"));
    if (bodies.length === 0) fail("WSS_MALFORMED", "the envelope has no Body");
    if (bodies.length > 1 || headers.length > 1) fail("WSS_WRAPPING", "more than one Body or Header");
    if (children.length !== bodies.length + headers.length)
      fail("WSS_WRAPPING", "unexpected element directly under Envelope");
    const body = bodies[0] as Element;
    const header = headers[0];
    if (header && children.indexOf(header) > children.indexOf(body))
      fail("WSS_MALFORMED", "Header after Body");

    const all = descendants(root);
    const named = (ns: string, local: string): Element[] =>
      all.filter((el) => el.localName === local && el.namespaceURI === ns);
    const ids = new Map<string, Element>();
    for (const { value, element } of idAttributes(root)) {
      if (ids.has(value)) fail("WSS_WRAPPING", `duplicate Id ${quote(value)}`);
      ids.set(value, element);
    }

    const signatures = named(DSIG_NS, "Signature");
    const securityHeaders: { el: Element; ns: WsseNamespaces }[] = [];
    for (const ns of this.namespaceSets) {
      for (const el of named(ns.wsse, "Security")) {
        if (el.parentNode !== (header ?? null))
          fail("WSS_WRAPPING", "a Security element outside the SOAP Header");
        securityHeaders.push({ el, ns });
      }
    }
    if (securityHeaders.length > 1) fail("WSS_WRAPPING", "more than one Security header");
    if (securityHeaders.length === 0 && header) {
      const foreign = elementChildren(header).find((el) => el.localName === "Security");
      if (foreign)
        fail("WSS_NAMESPACE", `Security header in namespace ${quote(foreign.namespaceURI)} is not accepted`);
    }
    const security = securityHeaders[0];
    if (!security || signatures.length === 0) {
      if (signatures.length > 0) fail("WSS_WRAPPING", "a signature outside the Security header");
      if (this.requireSignature)
        fail(
          "WSS_UNSIGNED",
          security
            ? "the Security header holds no signature"
            : "the request is not signed (no Security header)",
        );
      return undefined;
    }
    if (signatures.length !== 1) fail("WSS_WRAPPING", "more than one ds:Signature");
    const signature = signatures[0] as Element;
    // Forms only a sender granted the legacy profile may use. Each is gated where it is met:
    // the key is resolved then (once), and every other sender gets, at that same point, the
    // refusal it gets from a verifier without any grant (nothing about the message is judged
    // before it that a grant-less verifier would not judge first).
    const legacy: LegacyUse[] = [];
    let gatedKey: ResolvedKey | undefined;
    const allowLegacy = (use: LegacyUse): void => {
      try {
        gatedKey ??= this.resolveKey(keyInfoOf(signature), security.el, ids, security.ns);
      } catch {
        fail(use.code, use.message);
      }
      if (gatedKey?.profile !== "legacy") fail(use.code, use.message);
      legacy.push(use);
    };
    if (security.ns !== WSS_2004 && !(this.draftsForAll && security.ns === WSS_2003_DRAFT))
      allowLegacy({
        form: security.ns === WSS_2002_DRAFT ? "wss-2002-draft" : "wss-2003-draft",
        code: "WSS_NAMESPACE",
        message: `Security header in namespace ${quote(security.ns.wsse)} is not accepted`,
      });
    if (signature.parentNode !== security.el)
      fail("WSS_WRAPPING", "the ds:Signature is not a child of the Security header");
    if (named(DSIG_NS, "SignedInfo").length !== 1) fail("WSS_WRAPPING", "more than one SignedInfo");
    const ns = security.ns;

    // Signature = SignedInfo, SignatureValue, KeyInfo; no ds:Object (nothing to hide content in).
    const [signedInfo, signatureValueEl, keyInfo, ...extra] = elementChildren(signature);
    if (
      !isElement(signedInfo, DSIG_NS, "SignedInfo") ||
      !isElement(signatureValueEl, DSIG_NS, "SignatureValue")
    ) {
      fail("WSS_MALFORMED", "Signature must hold SignedInfo then SignatureValue");
    }
    if (!isElement(keyInfo, DSIG_NS, "KeyInfo") || extra.length > 0)
      fail("WSS_MALFORMED", "Signature must end with exactly one KeyInfo");
    const si = signedInfo as Element;

    const [c14nMethod, sigMethod, ...references] = elementChildren(si);
    if (!isElement(c14nMethod, DSIG_NS, "CanonicalizationMethod"))
      fail("WSS_MALFORMED", "SignedInfo lacks CanonicalizationMethod");
    const siPrefixes = this.excC14nPrefixes(c14nMethod as Element, "canonicalization");
    if (!isElement(sigMethod, DSIG_NS, "SignatureMethod"))
      fail("WSS_MALFORMED", "SignedInfo lacks SignatureMethod");
    const sigAlgUri = (sigMethod as Element).getAttribute("Algorithm") ?? "";
    let alg = signatureAlgorithmByUri(sigAlgUri);
    const refusedAlgorithm = `signature algorithm ${quote(sigAlgUri)} is not accepted`;
    if (!alg && sigAlgUri === LEGACY_RSA_SHA1.uri && this.legacyPinned > 0) {
      allowLegacy({ form: "rsa-sha1", code: "WSS_ALGORITHM", message: refusedAlgorithm });
      alg = LEGACY_RSA_SHA1;
    }
    if (!alg) return fail("WSS_ALGORITHM", refusedAlgorithm);
    if (elementChildren(sigMethod as Element).length > 0)
      fail("WSS_ALGORITHM", "SignatureMethod parameters are not accepted");

    // Timestamp: exactly one, a direct child of this Security header.
    const timestamps = named(ns.wsu, "Timestamp");
    if (timestamps.length === 0) fail("WSS_MALFORMED", "the Security header has no Timestamp");
    if (timestamps.length > 1) fail("WSS_WRAPPING", "more than one Timestamp");
    const timestamp = timestamps[0] as Element;
    if (timestamp.parentNode !== security.el)
      fail("WSS_WRAPPING", "the Timestamp is not in the Security header");
    const { created, expires: givenExpires } = this.readTimestamp(timestamp, ns);

    // References: exactly the Body and the Timestamp, once each.
    if (references.length !== 2)
      fail(
        "WSS_WRAPPING",
        `the signature must reference exactly the Body and the Timestamp (found ${references.length} references)`,
      );
    const targets = new Map<
      Element,
      { prefixes: string[]; digest: DigestAlgorithmSpec; value: string; name: string }
    >();
    for (const ref of references) {
      if (!isElement(ref, DSIG_NS, "Reference")) fail("WSS_MALFORMED", "unexpected element in SignedInfo");
      const r = ref as Element;
      const uri = r.getAttribute("URI") ?? "";
      const m = ID_REF.exec(uri);
      if (!m) fail("WSS_WRAPPING", `reference URI ${quote(uri)} is not a same-document #Id reference`);
      const target = ids.get((m as RegExpExecArray)[1] as string);
      if (!target) return fail("WSS_WRAPPING", `reference ${quote(uri)} points to no element`);
      if (target !== body && target !== timestamp)
        fail("WSS_WRAPPING", `reference ${quote(uri)} points to neither the Body nor the Timestamp`);
      if (targets.has(target)) fail("WSS_WRAPPING", "the same element is referenced twice");
      const parts = elementChildren(r);
      let k = 0;
      let prefixes: string[] = [];
      const transforms = parts[k];
      if (isElement(transforms, DSIG_NS, "Transforms")) {
        k++;
        const list = elementChildren(transforms);
        if (list.length > 2) fail("WSS_ALGORITHM", "more than 2 transforms");
        for (const t of list) {
          if (!isElement(t, DSIG_NS, "Transform")) fail("WSS_MALFORMED", "unexpected element in Transforms");
          prefixes = this.excC14nPrefixes(t, "transform");
        }
        if (list.length === 0) fail("WSS_ALGORITHM", "empty Transforms");
      } else {
        // Without a transform the node-set would be serialized with inclusive c14n.
        fail("WSS_ALGORITHM", "a Reference without the exclusive c14n transform");
      }
      const digestMethod = parts[k++];
      const digestValueEl = parts[k++];
      if (
        !isElement(digestMethod, DSIG_NS, "DigestMethod") ||
        !isElement(digestValueEl, DSIG_NS, "DigestValue") ||
        parts.length !== k
      ) {
        fail("WSS_MALFORMED", "Reference must hold Transforms, DigestMethod, DigestValue");
      }
      const digestUri = (digestMethod as Element).getAttribute("Algorithm") ?? "";
      let digest = digestAlgorithmByUri(digestUri);
      const refusedDigest = `digest algorithm ${quote(digestUri)} is not accepted`;
      if (!digest && digestUri === LEGACY_SHA1.uri && this.legacyPinned > 0) {
        if (!legacy.some((l) => l.form === "sha1-digest"))
          allowLegacy({ form: "sha1-digest", code: "WSS_ALGORITHM", message: refusedDigest });
        digest = LEGACY_SHA1;
      }
      if (!digest) return fail("WSS_ALGORITHM", refusedDigest);
      const value = (textOnly(digestValueEl as Element) ?? "").replace(/\s+/g, "");
      if (!BASE64.test(value)) fail("WSS_MALFORMED", "DigestValue is not base64");
      targets.set(target, { prefixes, digest, value, name: target === body ? "Body" : "Timestamp" });
    }

    const keyRef = gatedKey ?? this.resolveKey(keyInfo as Element, security.el, ids, ns);
    if (keyRef.key.asymmetricKeyType !== alg.keyType)
      fail("WSS_ALGORITHM", `${alg.name} does not match the ${keyRef.key.asymmetricKeyType} key`);

    // Digests first, so an altered part is reported as such.
    let bodyCanonical: string | undefined;
    for (const [target, t] of targets) {
      const canonical = canonicalize(target, t.prefixes);
      if (target === body && t.prefixes.length === 0) bodyCanonical = canonical;
      const computed = Buffer.from(digestBase64(t.digest, canonical), "base64");
      const given = Buffer.from(t.value, "base64");
      if (computed.length !== given.length || !timingSafeEqual(computed, given)) {
        fail("WSS_BAD_DIGEST", `the ${t.name} does not match its signed digest`);
      }
    }
    const sigText = (textOnly(signatureValueEl as Element) ?? "").replace(/\s+/g, "");
    if (!BASE64.test(sigText)) fail("WSS_MALFORMED", "SignatureValue is not base64");
    const sigBytes = Buffer.from(sigText, "base64");
    // Non-canonical base64 (spare bits set in the last character) would decode to the same
    // signature under a different text.
    if (sigBytes.toString("base64") !== sigText)
      fail("WSS_MALFORMED", "SignatureValue is not canonical base64");
    const signedInfoCanonical = canonicalize(si, siPrefixes);
    if (!verifyCanonical(alg, keyRef.key, signedInfoCanonical, sigBytes)) {
      fail("WSS_BAD_SIGNATURE", "the signature does not verify with the sender's key");
    }

    const now = this.clock();
    const at = (ms: number): string => new Date(ms).toISOString();
    if (created.getTime() > now + this.skewMs)
      fail(
        "WSS_NOT_YET_VALID",
        `the Timestamp is created in the future (Created ${at(created.getTime())}, server time ${at(now)}, skew ${this.skewMs / 1000} s)`,
      );
    const expires = givenExpires ?? new Date(created.getTime() + this.maxAgeMs);
    if (expires.getTime() < now - this.skewMs)
      fail(
        "WSS_EXPIRED",
        givenExpires
          ? `the Timestamp has expired (Expires ${at(expires.getTime())}, server time ${at(now)}, skew ${this.skewMs / 1000} s)`
          : `the Timestamp is too old (Created ${at(created.getTime())}, no Expires, maximum age ${this.maxAgeMs / 1000} s, server time ${at(now)})`,
      );
    // The lifetime limit is on what the sender declared: a derived Expires (maxAgeMs) is the server's own.
    if (givenExpires && expires.getTime() - created.getTime() > this.maxLifetimeMs) {
      fail(
        "WSS_LIFETIME",
        `the Timestamp lifetime exceeds ${Math.round(this.maxLifetimeMs / 1000)} s (Created ${at(created.getTime())}, Expires ${at(expires.getTime())})`,
      );
    }
    const cert = keyRef.cert;
    if (cert.x509.validFrom && Date.parse(cert.x509.validFrom) > now + this.skewMs)
      fail("WSS_UNTRUSTED_KEY", "the certificate is not yet valid");
    if (cert.x509.validTo && Date.parse(cert.x509.validTo) < now - this.skewMs)
      fail("WSS_UNTRUSTED_KEY", "the certificate has expired");

    // Keyed on what was signed, not on the SignatureValue text: an ECDSA signature (r, s)
    // has a second valid form (r, n - s), so a cache keyed on the value alone lets an
    // attacker replay an ECDSA-signed message once more per captured signature.
    const replayKey = createHash("sha256").update(signedInfoCanonical, "utf8").digest("base64");
    this.replay.remember(replayKey, expires.getTime() + this.skewMs, now);

    return {
      thumbprintSha256: cert.thumbprintSha256Hex,
      subject: subjectLine(cert.x509),
      certificatePem: cert.pem,
      trusted: keyRef.trusted,
      algorithm: alg.name,
      profile: keyRef.profile,
      legacyForms: legacy.map((l) => l.form),
      keyReference: keyRef.kind,
      created,
      expires,
      expiresGiven: givenExpires !== undefined,
      bodyCanonical: bodyCanonical ?? canonicalize(body),
    };
  }

  /** Checks an exc-c14n CanonicalizationMethod/Transform; returns its InclusiveNamespaces prefixes. */
  private excC14nPrefixes(el: Element, what: string): string[] {
    const uri = el.getAttribute("Algorithm") ?? "";
    if (uri !== EXC_C14N)
      fail("WSS_ALGORITHM", `${what} ${quote(uri)} is not accepted (exclusive c14n without comments only)`);
    const kids = elementChildren(el);
    if (kids.length === 0) return [];
    const [inc, ...more] = kids;
    if (more.length > 0 || !isElement(inc, UTILITY_EC_NS, "InclusiveNamespaces"))
      fail("WSS_MALFORMED", `unexpected content in ${what}`);
    // Exc-C14N §3: "#default" names the default namespace; it must be kept (dropping it
    // refused every WSS4J message whose envelope declares a default namespace).
    return ((inc as Element).getAttribute("PrefixList") ?? "").split(/\s+/).filter((p) => p.length > 0);
  }

  private readTimestamp(ts: Element, ns: WsseNamespaces): { created: Date; expires: Date | undefined } {
    const kids = elementChildren(ts);
    const [createdEl, expiresEl] = kids;
    if (!isElement(createdEl, ns.wsu, "Created"))
      fail("WSS_MALFORMED", "the Timestamp must start with Created");
    if (kids.length > 2 || (kids.length === 2 && !isElement(expiresEl, ns.wsu, "Expires")))
      fail("WSS_MALFORMED", "the Timestamp may hold only Created and an optional Expires");
    const parse = (el: Element, name: string): Date => {
      const text = (textOnly(el) ?? "").trim();
      const m = UTC_DATE.exec(text);
      if (!m) {
        if (OFFSET_DATE.test(text))
          fail("WSS_MALFORMED", `Timestamp ${name} ${quote(text)} is not in UTC (write it with "Z")`);
        fail("WSS_MALFORMED", `Timestamp ${name} ${quote(text)} is not an xsd:dateTime`);
      }
      const fraction = (m as RegExpExecArray)[2] ?? "";
      if (fraction.length > this.fractionDigits)
        fail(
          "WSS_MALFORMED",
          `Timestamp ${name} ${quote(text)} has more than ${this.fractionDigits} fractional-second digits`,
        );
      const ms = Date.parse(`${(m as RegExpExecArray)[1]}.${fraction.slice(0, 3).padEnd(3, "0")}Z`);
      if (Number.isNaN(ms)) fail("WSS_MALFORMED", `Timestamp ${name} ${quote(text)} is not a valid time`);
      return new Date(ms);
    };
    const created = parse(createdEl as Element, "Created");
    const expires = expiresEl ? parse(expiresEl as Element, "Expires") : undefined;
    if (expires && expires.getTime() <= created.getTime())
      fail(
        "WSS_MALFORMED",
        `Timestamp Expires ${expires.toISOString()} is not after Created ${created.toISOString()}`,
      );
    return { created, expires };
  }

  /**
   * Finds the verification key (WSS X.509 Token Profile 1.1 §3.2): a BinarySecurityToken
   * reference (with or without ValueType), a KeyIdentifier (ThumbprintSHA1/256,
   * X509SubjectKeyIdentifier, or the certificate itself), or `ds:X509Data` holding
   * `X509IssuerSerial` or `X509Certificate`. Names are resolved against the pinned
   * certificates only; a certificate carried in the message is used only when it is pinned
   * or issued by a trusted CA (or, without any trust configured, as untrusted). A name
   * that matches more than one pinned certificate is refused.
   */
  private resolveKey(
    keyInfo: Element,
    security: Element,
    ids: Map<string, Element>,
    ns: WsseNamespaces,
  ): ResolvedKey {
    const kids = elementChildren(keyInfo);
    const [str] = kids;
    if (kids.length !== 1 || !isElement(str, ns.wsse, "SecurityTokenReference")) {
      return fail(
        "WSS_UNTRUSTED_KEY",
        "KeyInfo must hold one SecurityTokenReference (X509Data or KeyValue directly in KeyInfo are not accepted)",
      );
    }
    const refKids = elementChildren(str);
    const ref: Element | undefined = refKids[0];
    if (refKids.length !== 1 || !ref)
      return fail("WSS_MALFORMED", "SecurityTokenReference must hold one reference");
    const pinnedOnly = (found: TrustedCertificate[], what: string, kind: KeyReferenceKind): ResolvedKey => {
      if (found.length === 0) return fail("WSS_UNTRUSTED_KEY", `the ${what} names no trusted certificate`);
      if (found.length > 1)
        return fail(
          "WSS_UNTRUSTED_KEY",
          `the ${what} names ${found.length} trusted certificates (ambiguous)`,
        );
      const cert = found[0] as TrustedCertificate;
      return { key: cert.x509.publicKey, cert, trusted: true, kind, profile: cert.profile };
    };
    if (hasName(ref, ns.wsse, "KeyIdentifier")) {
      const valueType = ref.getAttribute("ValueType") ?? "";
      const enc = ref.getAttribute("EncodingType");
      if (enc && enc !== ns.base64Encoding) fail("WSS_MALFORMED", "the KeyIdentifier is not base64");
      const value = (textOnly(ref) ?? "").replace(/\s+/g, "");
      if (!BASE64.test(value)) fail("WSS_MALFORMED", "the KeyIdentifier is not base64");
      if (valueType === THUMBPRINT_SHA1_VALUE_TYPE) {
        const found = this.bySha1.get(value);
        return pinnedOnly(found ? [found] : [], "thumbprint", "thumbprint-sha1");
      }
      if (valueType === THUMBPRINT_SHA256_VALUE_TYPE) {
        const found = this.pinned.get(value);
        return pinnedOnly(found ? [found] : [], "thumbprint", "thumbprint-sha256");
      }
      if (valueType === X509_SKI_VALUE_TYPE) {
        const ski = Buffer.from(value, "base64");
        const found = [...this.pinned.values()].filter(
          (c) => c.names?.subjectKeyIdentifier.equals(ski) === true,
        );
        return pinnedOnly(found, "subject key identifier", "ski");
      }
      if (valueType === ns.x509ValueType) return this.embedded(value, "x509-data", "KeyIdentifier");
      return fail("WSS_UNTRUSTED_KEY", `KeyIdentifier type ${quote(valueType)} is not accepted`);
    }
    if (hasName(ref, DSIG_NS, "X509Data")) {
      // zeep writes X509Certificate and X509IssuerSerial together: every item must name
      // the same trusted certificate.
      // zeep's Signature also leaves an empty X509IssuerSerial template next to the
      // certificate: an item without content names nothing and is skipped.
      const all = elementChildren(ref);
      const items = all.filter(
        (item) => !(hasName(item, DSIG_NS, "X509IssuerSerial") && item.children.length === 0),
      );
      if (items.length === 0 || all.length > 3)
        return fail("WSS_MALFORMED", "X509Data must hold 1 to 3 items");
      const resolved = items.map((item) => this.x509DataItem(item, pinnedOnly));
      const first = resolved[0] as ResolvedKey;
      if (resolved.some((r) => r.cert.thumbprintSha256 !== first.cert.thumbprintSha256))
        return fail("WSS_UNTRUSTED_KEY", "the X509Data items name different certificates");
      return first;
    }
    if (!hasName(ref, ns.wsse, "Reference"))
      return fail("WSS_UNTRUSTED_KEY", `unsupported token reference ${quote(ref.localName)}`);
    const refValueType = ref.getAttribute("ValueType");
    if (
      refValueType !== null &&
      refValueType !== ns.x509ValueType &&
      refValueType !== X509_PKIPATH_VALUE_TYPE
    )
      fail("WSS_UNTRUSTED_KEY", `a token reference of ValueType ${quote(refValueType)} is not accepted`);
    const uri = ref.getAttribute("URI") ?? "";
    const m = ID_REF.exec(uri);
    const token = m ? ids.get(m[1] as string) : undefined;
    if (!token || !isElement(token, ns.wsse, "BinarySecurityToken") || token.parentNode !== security) {
      return fail(
        "WSS_UNTRUSTED_KEY",
        "the token reference does not point to a BinarySecurityToken in this Security header",
      );
    }
    const tokenType = token.getAttribute("ValueType") ?? "";
    const isPath = tokenType === X509_PKIPATH_VALUE_TYPE && ns === WSS_2004;
    if (tokenType !== ns.x509ValueType && !isPath)
      fail("WSS_UNTRUSTED_KEY", "the BinarySecurityToken is not an X.509 v3 certificate or an X509PKIPathv1");
    if (refValueType !== null && refValueType !== tokenType)
      fail("WSS_UNTRUSTED_KEY", "the token reference's ValueType is not the BinarySecurityToken's");
    const enc = token.getAttribute("EncodingType");
    if (enc && enc !== ns.base64Encoding) fail("WSS_MALFORMED", "the BinarySecurityToken is not base64");
    const value = (textOnly(token) ?? "").replace(/\s+/g, "");
    return isPath ? this.pkiPath(value) : this.embedded(value, "bst", "BinarySecurityToken");
  }

  /** One item of `ds:X509Data` (XML-DSig §4.4.4): X509Certificate, X509IssuerSerial or X509SKI. */
  private x509DataItem(
    item: Element,
    pinnedOnly: (found: TrustedCertificate[], what: string, kind: KeyReferenceKind) => ResolvedKey,
  ): ResolvedKey {
    if (hasName(item, DSIG_NS, "X509Certificate"))
      return this.embedded((textOnly(item) ?? "").replace(/\s+/g, ""), "x509-data", "X509Certificate");
    if (hasName(item, DSIG_NS, "X509SKI")) {
      const value = (textOnly(item) ?? "").replace(/\s+/g, "");
      if (!BASE64.test(value)) fail("WSS_MALFORMED", "X509SKI is not base64");
      const ski = Buffer.from(value, "base64");
      return pinnedOnly(
        [...this.pinned.values()].filter((c) => c.names?.subjectKeyIdentifier.equals(ski)),
        "subject key identifier",
        "ski",
      );
    }
    if (!hasName(item, DSIG_NS, "X509IssuerSerial"))
      return fail("WSS_UNTRUSTED_KEY", `X509Data/${quote(item.localName)} is not accepted`);
    const [nameEl, serialEl, ...rest] = elementChildren(item);
    if (
      !isElement(nameEl, DSIG_NS, "X509IssuerName") ||
      !isElement(serialEl, DSIG_NS, "X509SerialNumber") ||
      rest.length > 0
    )
      return fail("WSS_MALFORMED", "X509IssuerSerial must hold X509IssuerName then X509SerialNumber");
    const issuerText = textOnly(nameEl) ?? "";
    const issuer = parseDistinguishedName(issuerText);
    if (!issuer)
      return fail("WSS_MALFORMED", `X509IssuerName ${quote(issuerText)} is not a distinguished name`);
    const serialText = (textOnly(serialEl) ?? "").trim();
    if (!/^[+-]?\d{1,200}$/.test(serialText))
      return fail("WSS_MALFORMED", `X509SerialNumber ${quote(serialText)} is not an integer`);
    const serial = BigInt(serialText);
    const reversed = [...issuer].reverse();
    const found = [...this.pinned.values()].filter(
      (c) =>
        c.names !== undefined &&
        c.names.serialNumber === serial &&
        // RFC 4514 lists the last RDN first; some stacks write DER order: both mean the same name.
        (sameDistinguishedName(issuer, c.names.issuer) || sameDistinguishedName(reversed, c.names.issuer)),
    );
    return pinnedOnly(found, "issuer and serial number", "issuer-serial");
  }

  /** A certificate the message carries: usable only when pinned or issued by a trusted CA. */
  private embedded(b64: string, kind: KeyReferenceKind, what: string): ResolvedKey {
    let embedded: LoadedCertificate;
    try {
      if (!BASE64.test(b64)) throw new Error("not base64");
      embedded = describeCertificate(new X509Certificate(Buffer.from(b64, "base64")));
    } catch {
      return fail("WSS_MALFORMED", `the ${what} is not a readable certificate`);
    }
    return this.trustedLeaf(embedded, [], kind, "the embedded certificate is not trusted");
  }

  /**
   * An `X509PKIPathv1` token (WSS X.509 Token Profile 1.1 §3.1): a DER PkiPath whose last
   * certificate is the signer's. The signer is usable when pinned, or when it chains through
   * the path's other certificates (each a CA, issued by the next one up, valid now) to a CA
   * given with `trustCa` and matches the subject rule. A root the path carries is never
   * trusted because it is there: the chain must reach a configured CA.
   */
  private pkiPath(b64: string): ResolvedKey {
    let path: LoadedCertificate[];
    try {
      if (!BASE64.test(b64)) throw new Error("not base64");
      path = splitPkiPath(Buffer.from(b64, "base64"), MAX_CA_CHAIN + 1).map((der) =>
        describeCertificate(new X509Certificate(der)),
      );
    } catch {
      return fail("WSS_MALFORMED", "the X509PKIPathv1 token is not a readable PkiPath");
    }
    const leaf = path[path.length - 1] as LoadedCertificate;
    const above = path.slice(0, -1).reverse();
    return this.trustedLeaf(leaf, above, "pkipath", "the PkiPath's signing certificate is not trusted");
  }

  /** The key of a certificate the message carries, when pinned or CA-issued (`above`: the message's intermediates, issuer first). */
  private trustedLeaf(
    leaf: LoadedCertificate,
    above: LoadedCertificate[],
    kind: KeyReferenceKind,
    refusal: string,
  ): ResolvedKey {
    const pinned = this.pinned.get(leaf.thumbprintSha256);
    if (pinned)
      return { key: pinned.x509.publicKey, cert: pinned, trusted: true, kind, profile: pinned.profile };
    if (this.cas.length > 0 && this.issuedByTrustedCa(leaf, above)) {
      return { key: leaf.x509.publicKey, cert: leaf, trusted: true, kind, profile: "strict" };
    }
    if (this.pinned.size === 0 && this.cas.length === 0 && !this.requireSignature) {
      return { key: leaf.x509.publicKey, cert: leaf, trusted: false, kind, profile: "strict" };
    }
    return fail("WSS_UNTRUSTED_KEY", refusal);
  }

  /**
   * Whether `cert` matches the subject rule and is issued by a trusted CA whose chain up to
   * a root given with `trustCa` is valid now (RFC 5280 §6.1, simplified: signatures, the
   * cA flag and validity periods; the message carries only the leaf).
   */
  private issuedByTrustedCa(cert: LoadedCertificate, above: LoadedCertificate[] = []): boolean {
    const subject = subjectLine(cert.x509);
    if (!this.subject?.test(subject)) return false;
    const now = this.clock();
    const valid = (c: LoadedCertificate): boolean =>
      Date.parse(c.x509.validFrom) <= now + this.skewMs && Date.parse(c.x509.validTo) >= now - this.skewMs;
    const byTrusted = (c: LoadedCertificate): LoadedCertificate | undefined =>
      this.cas.find((ca) => ca.x509.ca && issuedBy(c, ca));
    // Intermediates the message carries (a PkiPath), up to the first one a trusted CA issued.
    let current = cert;
    for (const next of above) {
      if (byTrusted(current)) break;
      if (!next.x509.ca || !issuedBy(current, next) || !valid(next)) return false;
      current = next;
    }
    const issuer = byTrusted(current);
    for (let ca = issuer, depth = 0; ca && depth <= MAX_CA_CHAIN; ca = this.caIssuers.get(ca), depth++) {
      if (!valid(ca)) return false;
      if (!this.caIssuers.has(ca)) return true;
    }
    return false;
  }
}
