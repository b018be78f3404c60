/**
 * The client-side WS-Security signer: adds a `wsse:Security` header with a fresh
 * `wsu:Timestamp`, an optional UsernameToken and one `ds:Signature` over the Body and
 * the Timestamp (exclusive c14n, SHA-256 digests).
 *
 * The header is written as text and spliced into the caller's bytes (nothing else is
 * re-serialized): its canonical form is known exactly, so only the Body needs a real
 * canonicalization. The verifier re-derives everything from the parsed tree, and
 * xmlsec1 verifies the result in the interop suite, so a mismatch cannot go unseen.
 * @module
 */
import { createHash, type KeyObject, randomBytes } from "node:crypto";
import { type Clock, epochMsOf } from "../clock.js";
import { ConfigError, SecurityError } from "../errors.js";
import type { MessageSecurity, SecurityContext } from "../soap/security.js";
import {
  digestBase64,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithmName,
  type SignatureAlgorithmSpec,
  signCanonical,
} from "./algorithms.js";
import {
  keyKind,
  type LoadedCertificate,
  loadCertificate,
  loadCertificates,
  loadPrivateKey,
} from "./keys.js";
import {
  DSIG_NS,
  EXC_C14N,
  SOAP11_NS,
  THUMBPRINT_SHA1_VALUE_TYPE,
  THUMBPRINT_SHA256_VALUE_TYPE,
  WSS_2003_DRAFT,
  WSS_2004,
  type WsseNamespaces,
  X509_PKIPATH_VALUE_TYPE,
  X509_SKI_VALUE_TYPE,
} from "./namespaces.js";
import { WsSecurityVerifier } from "./verifier.js";
import { checkWireForm } from "./wire.js";
import { formatDistinguishedName, readCertificateNameFields } from "./x509.js";
import { childElements, excC14nTo, idAttributesOf, isEnvelopeBody, isXmlElement, parseXml } from "./xml.js";

/**
 * How the signature names its key (WSS X.509 Token Profile 1.1 §3.2): `bst` a Reference to
 * a BinarySecurityToken; `thumbprint-sha1`/`thumbprint-sha256` a thumbprint KeyIdentifier;
 * `ski` an X509SubjectKeyIdentifier KeyIdentifier; `issuer-serial` `ds:X509Data/X509IssuerSerial`;
 * `x509-data` the certificate in `ds:X509Data/X509Certificate` (the verifier also reports
 * a certificate in a KeyIdentifier this way); `pkipath` a Reference to an `X509PKIPathv1`
 * BinarySecurityToken holding the certificate and the CA certificates above it (§3.1).
 */
export type KeyReferenceKind =
  | "bst"
  | "thumbprint-sha1"
  | "thumbprint-sha256"
  | "ski"
  | "issuer-serial"
  | "x509-data"
  | "pkipath";

/** Every {@link KeyReferenceKind}. */
export const KEY_REFERENCE_KINDS: readonly KeyReferenceKind[] = [
  "bst",
  "thumbprint-sha1",
  "thumbprint-sha256",
  "ski",
  "issuer-serial",
  "x509-data",
  "pkipath",
];

/** A UsernameToken to add to the header. */
export interface UsernameTokenOptions {
  /** `wsse:Username`. */
  username: string;
  /** The shared secret. Sent as a digest unless `passwordType` is `text`. */
  password: string;
  /** `digest` (default): Base64(SHA-1(nonce + created + password)); `text`: the password itself. */
  passwordType?: "digest" | "text";
}

/** Options of {@link WsSecuritySigner}. */
export interface WsSecuritySignerOptions {
  /** Private key (PEM or `KeyObject`). Without it, no signature is added (Timestamp and UsernameToken only). */
  key?: string | Buffer | KeyObject;
  /** The certificate of `key`, PEM. Required with `key`. */
  cert?: string | Buffer;
  /**
   * The CA certificates above `cert`, PEM, its issuer first (a text may hold several): the
   * `pkipath` key reference sends them with `cert` as one `X509PKIPathv1` token, so a server
   * that trusts only the root can verify the chain. Ignored by other key references.
   */
  chain?: (string | Buffer)[];
  /** Signature algorithm; default `rsa-sha256` for RSA keys, `ecdsa-sha256` for EC keys. */
  algorithm?: SignatureAlgorithmName;
  /** Key reference; default `bst` (the certificate travels in the message). */
  keyReference?: KeyReferenceKind;
  /** Timestamp lifetime; default 300,000 ms. The verifier refuses more than 300 s by default. */
  ttlMs?: number;
  /** Add a UsernameToken. */
  usernameToken?: UsernameTokenOptions;
  /** `wss-2004` (default) or the `wss-2003-draft` namespaces older peers expect. */
  namespaces?: "wss-2004" | "wss-2003-draft";
  /** Add `mustUnderstand="1"` to the Security header (default true). */
  mustUnderstand?: boolean;
  /** Server certificate, PEM: `verifyResponse` then requires responses signed by it. */
  verifyResponsesWith?: string | Buffer;
  /**
   * The clock of the Timestamps it writes: a {@link Clock} (wall time, the default; a `ManualClock` in tests — never a scaled clock: the peer checks these times against its own).
   * Default wall time. A plain function returning epoch ms is deprecated (accepted until 0.3).
   */
  clock?: Clock | (() => number);
}

const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };
const escapeText = (s: string): string => s.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? c);

/**
 * Signs SOAP 1.1 envelopes with WS-Security 1.0 — the `MessageSecurity` hook of the
 * CommunicationClient. Call `secureRequest` once per attempt: each call writes a new
 * Timestamp, so a retry is never refused as a replay.
 *
 * @example
 * ```ts
 * const signer = new WsSecuritySigner({ key: keyPem, cert: certPem, keyReference: "thumbprint-sha1" });
 * const wire = signer.secureRequest(envelope, { operation: "Sync", attempt: 1 });
 * ```
 */
export class WsSecuritySigner implements MessageSecurity {
  private readonly key: KeyObject | undefined;
  private readonly cert: LoadedCertificate | undefined;
  /** The PkiPath DER, base64, for the `pkipath` key reference. */
  private readonly pkiPathBase64: string | undefined;
  private readonly alg: SignatureAlgorithmSpec | undefined;
  private readonly keyReference: KeyReferenceKind;
  private readonly ttlMs: number;
  private readonly ns: WsseNamespaces;
  private readonly usernameToken: UsernameTokenOptions | undefined;
  private readonly mustUnderstand: boolean;
  private readonly clock: () => number;
  private readonly responseVerifier: WsSecurityVerifier | undefined;

  /** @throws ConfigError when the key, certificate or algorithm do not fit together. */
  constructor(options: WsSecuritySignerOptions) {
    this.ttlMs = options.ttlMs ?? 300_000;
    if (!(this.ttlMs > 0 && Number.isFinite(this.ttlMs)))
      throw new ConfigError("CONFIG_TTL", "ttlMs must be a positive number");
    this.keyReference = options.keyReference ?? "bst";
    if (!KEY_REFERENCE_KINDS.includes(this.keyReference)) {
      throw new ConfigError(
        "CONFIG_KEY_REFERENCE",
        `unknown key reference ${JSON.stringify(this.keyReference)}`,
      );
    }
    this.ns = options.namespaces === "wss-2003-draft" ? WSS_2003_DRAFT : WSS_2004;
    this.usernameToken = options.usernameToken;
    this.mustUnderstand = options.mustUnderstand ?? true;
    this.clock = epochMsOf(options.clock);
    this.responseVerifier =
      options.verifyResponsesWith === undefined
        ? undefined
        : new WsSecurityVerifier({ trust: [options.verifyResponsesWith], clock: this.clock });
    if (options.key === undefined) {
      if (options.cert !== undefined)
        throw new ConfigError("CONFIG_KEY", "a certificate was given without its private key");
      if (!options.usernameToken)
        throw new ConfigError(
          "CONFIG_KEY",
          "nothing to sign with: give a key and certificate or a usernameToken",
        );
      return;
    }
    if (options.cert === undefined)
      throw new ConfigError("CONFIG_CERT", "a certificate is required with the signing key");
    this.key = loadPrivateKey(options.key);
    this.cert = loadCertificate(options.cert, "signing certificate");
    const kind = keyKind(this.key);
    if (kind === "other") throw new ConfigError("CONFIG_KEY", "signing key must be RSA or EC");
    const name = options.algorithm ?? (kind === "ec" ? "ecdsa-sha256" : "rsa-sha256");
    const alg = SIGNATURE_ALGORITHMS[name];
    if (!alg)
      throw new ConfigError("CONFIG_ALGORITHM", `unknown signature algorithm ${JSON.stringify(name)}`);
    if (alg.keyType !== kind)
      throw new ConfigError(
        "CONFIG_ALGORITHM",
        `${name} needs an ${alg.keyType.toUpperCase()} key, got ${kind.toUpperCase()}`,
      );
    if (!this.cert.x509.checkPrivateKey(this.key))
      throw new ConfigError("CONFIG_KEY", "the private key does not match the certificate");
    this.alg = alg;
    if (this.keyReference === "pkipath") {
      const above = (options.chain ?? []).flatMap((pem) => loadCertificates(pem, "chain certificate"));
      // PkiPath order (X.509 (2000) §11.2): from the trust anchor's side down to the signer.
      this.pkiPathBase64 = derSequence([...above.reverse().map((c) => c.der), this.cert.der]).toString(
        "base64",
      );
    }
  }

  /** The signing certificate (e.g. to register it with the server for thumbprint references). */
  get certificatePem(): string | undefined {
    return this.cert?.pem;
  }

  /**
   * Returns `envelope` with the Security header added (created when the envelope has no
   * Header). Throws `SecurityError` `WSS_MALFORMED` for an envelope that cannot be signed
   * safely: not SOAP 1.1, or holding comments, processing instructions or a DOCTYPE.
   */
  secureRequest(envelope: string, _context?: SecurityContext): string {
    checkWireForm(envelope, { maxBytes: Number.MAX_SAFE_INTEGER, maxDepth: 256 });
    // No tree for the Body's content (large billing bodies); only elements with attributes
    // are kept, for the Id uniqueness checks below.
    const root = parseXml(envelope, {
      streamContentOf: isEnvelopeBody,
      keep: (el) => el.attributes.length > 0,
    });
    if (!isXmlElement(root, SOAP11_NS, "Envelope")) {
      throw new SecurityError(
        "WSS_MALFORMED",
        "not a SOAP 1.1 envelope (expected {http://schemas.xmlsoap.org/soap/envelope/}Envelope)",
      );
    }
    const children = childElements(root);
    const body = children.find((c) => isXmlElement(c, SOAP11_NS, "Body"));
    if (!body) throw new SecurityError("WSS_MALFORMED", "the envelope has no soap:Body");
    const header = children.find((c) => isXmlElement(c, SOAP11_NS, "Header"));
    for (const [prefix, uri] of [
      ["wsu", this.ns.wsu],
      ["wsse", this.ns.wsse],
      ["ds", DSIG_NS],
    ] as const) {
      for (const scope of [header ?? root, body]) {
        const bound = scope.lookupNamespaceURI(prefix);
        if (bound !== null && bound !== uri) {
          throw new SecurityError(
            "WSS_MALFORMED",
            `the envelope binds prefix ${prefix} to another namespace`,
          );
        }
      }
    }

    // Edits to the caller's text, applied back to front so offsets stay valid.
    const edits: { at: number; to: number; text: string }[] = [];
    const ids = idAttributesOf(root).map((a) => a.value);
    const taken = new Set(ids);
    const freshId = (base: string): string => {
      let id = base;
      for (let i = 2; taken.has(id); i++) id = `${base}${i}`;
      taken.add(id);
      return id;
    };
    let bodyId = body.getAttributeNS(this.ns.wsu, "Id");
    if (!bodyId) {
      bodyId = freshId("B");
      const at = body.startTagEnd - (body.selfClosing ? 2 : 1);
      edits.push({ at, to: at, text: ` wsu:Id="${bodyId}"` });
      body.attributes = [
        ...body.attributes,
        {
          qname: "wsu:Id",
          prefix: "wsu",
          localName: "Id",
          namespaceURI: this.ns.wsu,
          value: bodyId,
        },
      ];
    } else if (ids.filter((v) => v === bodyId).length > 1) {
      throw new SecurityError("WSS_MALFORMED", "the Body's wsu:Id is not unique");
    }
    if (root.lookupNamespaceURI("wsu") === null) {
      edits.push({ at: root.startTagEnd - 1, to: root.startTagEnd - 1, text: ` xmlns:wsu="${this.ns.wsu}"` });
    }
    const soapPrefix = body.prefix;
    const now = this.clock();
    const created = new Date(now).toISOString();
    const expires = new Date(now + this.ttlMs).toISOString();
    // A random Timestamp Id makes every SignedInfo unique, so two identical requests
    // signed within the same millisecond are not mistaken for a replay.
    const tsId = freshId(`TS-${randomBytes(6).toString("base64url")}`);
    const tsInner = `<wsu:Created>${created}</wsu:Created><wsu:Expires>${expires}</wsu:Expires>`;
    let security = "";
    // wsu is declared once on the Envelope; exc-c14n renders it on the Timestamp itself.
    security += `<wsu:Timestamp wsu:Id="${tsId}">${tsInner}</wsu:Timestamp>`;

    let bstId: string | undefined;
    if (this.cert && this.keyReference === "bst") {
      bstId = freshId("X509");
      security += `<wsse:BinarySecurityToken EncodingType="${this.ns.base64Encoding}" ValueType="${this.ns.x509ValueType}" wsu:Id="${bstId}">${this.cert.base64}</wsse:BinarySecurityToken>`;
    } else if (this.pkiPathBase64 !== undefined) {
      bstId = freshId("X509");
      security += `<wsse:BinarySecurityToken EncodingType="${this.ns.base64Encoding}" ValueType="${X509_PKIPATH_VALUE_TYPE}" wsu:Id="${bstId}">${this.pkiPathBase64}</wsse:BinarySecurityToken>`;
    }
    if (this.usernameToken) security += this.usernameTokenXml(this.usernameToken, created);

    if (this.key && this.cert && this.alg) {
      const alg = this.alg;
      const bodyHash = createHash(alg.digest.hash);
      excC14nTo(body, [], (chunk) => bodyHash.update(chunk, "utf8"));
      const bodyDigest = bodyHash.digest("base64");
      const tsCanonical = `<wsu:Timestamp xmlns:wsu="${this.ns.wsu}" wsu:Id="${tsId}">${tsInner}</wsu:Timestamp>`;
      const tsDigest = digestBase64(alg.digest, tsCanonical);
      const ref = (id: string, digest: string, selfClose: boolean): string => {
        const end = (name: string) => (selfClose ? "/>" : `></ds:${name}>`);
        return `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="${EXC_C14N}"${end("Transform")}</ds:Transforms><ds:DigestMethod Algorithm="${alg.digest.uri}"${end("DigestMethod")}<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`;
      };
      const signedInfo = (selfClose: boolean, nsDecl: string): string => {
        const end = (name: string) => (selfClose ? "/>" : `></ds:${name}>`);
        return `<ds:SignedInfo${nsDecl}><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"${end("CanonicalizationMethod")}<ds:SignatureMethod Algorithm="${alg.uri}"${end("SignatureMethod")}${ref(bodyId, bodyDigest, selfClose)}${ref(tsId, tsDigest, selfClose)}</ds:SignedInfo>`;
      };
      const signatureValue = signCanonical(alg, this.key, signedInfo(false, ` xmlns:ds="${DSIG_NS}"`));
      security += `<ds:Signature xmlns:ds="${DSIG_NS}">${signedInfo(true, "")}<ds:SignatureValue>${signatureValue}</ds:SignatureValue><ds:KeyInfo><wsse:SecurityTokenReference>${this.keyInfoReference(bstId)}</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>`;
    }

    const mu = this.mustUnderstand && soapPrefix ? ` ${soapPrefix}:mustUnderstand="1"` : "";
    const securityXml = `<wsse:Security xmlns:wsse="${this.ns.wsse}"${mu}>${security}</wsse:Security>`;
    const headerName = soapPrefix ? `${soapPrefix}:Header` : "Header";
    if (!header) {
      edits.push({ at: body.start, to: body.start, text: `<${headerName}>${securityXml}</${headerName}>` });
    } else if (header.selfClosing) {
      edits.push({
        at: header.start,
        to: header.end,
        text: `<${header.qname}>${securityXml}</${header.qname}>`,
      });
    } else {
      edits.push({ at: header.startTagEnd, to: header.startTagEnd, text: securityXml });
    }
    edits.sort((a, b) => b.at - a.at);
    let out = envelope;
    for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.to);
    return out;
  }

  /**
   * With `verifyResponsesWith`: checks that a response is signed by the pinned server
   * certificate under the same strict profile the server applies to requests.
   * Without it, accepts every response.
   * @throws SecurityError (`WSS_*`) when the response must not be trusted.
   */
  verifyResponse(envelope: string, _context?: SecurityContext): void {
    this.responseVerifier?.verifyRequest(envelope);
  }

  private keyInfoReference(bstId: string | undefined): string {
    const cert = this.cert as LoadedCertificate;
    switch (this.keyReference) {
      case "bst":
        return `<wsse:Reference URI="#${bstId}" ValueType="${this.ns.x509ValueType}"/>`;
      case "thumbprint-sha1":
        return `<wsse:KeyIdentifier EncodingType="${this.ns.base64Encoding}" ValueType="${THUMBPRINT_SHA1_VALUE_TYPE}">${cert.thumbprintSha1}</wsse:KeyIdentifier>`;
      case "thumbprint-sha256":
        return `<wsse:KeyIdentifier EncodingType="${this.ns.base64Encoding}" ValueType="${THUMBPRINT_SHA256_VALUE_TYPE}">${cert.thumbprintSha256}</wsse:KeyIdentifier>`;
      case "ski":
        return `<wsse:KeyIdentifier EncodingType="${this.ns.base64Encoding}" ValueType="${X509_SKI_VALUE_TYPE}">${readCertificateNameFields(cert.der).subjectKeyIdentifier.toString("base64")}</wsse:KeyIdentifier>`;
      case "issuer-serial": {
        const names = readCertificateNameFields(cert.der);
        return `<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>${escapeText(formatDistinguishedName(names.issuer))}</ds:X509IssuerName><ds:X509SerialNumber>${names.serialNumber}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>`;
      }
      case "x509-data":
        return `<ds:X509Data><ds:X509Certificate>${cert.base64}</ds:X509Certificate></ds:X509Data>`;
      case "pkipath":
        return `<wsse:Reference URI="#${bstId}" ValueType="${X509_PKIPATH_VALUE_TYPE}"/>`;
    }
  }

  private usernameTokenXml(token: UsernameTokenOptions, created: string): string {
    const user = `<wsse:Username>${escapeText(token.username)}</wsse:Username>`;
    if (token.passwordType === "text") {
      return `<wsse:UsernameToken>${user}<wsse:Password Type="${this.ns.passwordText}">${escapeText(token.password)}</wsse:Password></wsse:UsernameToken>`;
    }
    const nonce = randomBytes(16);
    const digest = passwordDigest(nonce, created, token.password);
    return `<wsse:UsernameToken>${user}<wsse:Password Type="${this.ns.passwordDigest}">${digest}</wsse:Password><wsse:Nonce EncodingType="${this.ns.base64Encoding}">${nonce.toString("base64")}</wsse:Nonce><wsu:Created>${created}</wsu:Created></wsse:UsernameToken>`;
  }
}

/**
 * UsernameToken Profile 1.0 PasswordDigest: Base64(SHA-1(nonce + created + password)).
 * SHA-1 is what the profile defines; it is a password proof, not a signature digest.
 */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash("sha1")
    .update(Buffer.concat([nonce, Buffer.from(created + password, "utf8")]))
    .digest("base64");
}

/** DER `SEQUENCE` of already-encoded items (X.690 §8.9; definite length). */
function derSequence(items: Buffer[]): Buffer {
  const body = Buffer.concat(items);
  const n = body.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : n < 0x10000
          ? Buffer.from([0x82, n >> 8, n & 0xff])
          : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([0x30]), length, body]);
}
