/**
 * Namespace and URI constants of SOAP 1.1, WS-Security 1.0/1.1 and XML-DSig.
 * @module
 */

// The SOAP envelope namespaces are defined once, in the SOAP layer.
export { SOAP11_NAMESPACE as SOAP11_NS, SOAP12_NAMESPACE as SOAP12_NS } from "../soap/envelope.js";
/** XML-DSig namespace. */
export const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
/** Namespace of `xmlns` attributes. */
export const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/** The namespace set a WS-Security header is written in. */
export interface WsseNamespaces {
  /** `wsse:` — Security, BinarySecurityToken, SecurityTokenReference, UsernameToken. */
  wsse: string;
  /** `wsu:` — Timestamp, Id. */
  wsu: string;
  /** ValueType of an X.509 v3 BinarySecurityToken. */
  x509ValueType: string;
  /** EncodingType of base64 tokens and nonces. */
  base64Encoding: string;
  /** Password Type for PasswordDigest. */
  passwordDigest: string;
  /** Password Type for PasswordText. */
  passwordText: string;
}

/** WS-Security 1.0 (OASIS, January 2004) — the default. */
export const WSS_2004: WsseNamespaces = {
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  x509ValueType: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3",
  base64Encoding:
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary",
  passwordDigest:
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest",
  passwordText:
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText",
};

/**
 * The 2003 draft (`schemas.xmlsoap.org/ws/2003/06`, OASIS WSS TC working drafts of
 * "Web Services Security: SOAP Message Security", June 2003, before the 1.0 standard moved
 * to `docs.oasis-open.org/wss/2004/01`) that the original eSolutions clients date from
 * (shared DESIGN.md); value types are QNames there.
 */
export const WSS_2003_DRAFT: WsseNamespaces = {
  wsse: "http://schemas.xmlsoap.org/ws/2003/06/secext",
  wsu: "http://schemas.xmlsoap.org/ws/2003/06/utility",
  x509ValueType: "wsse:X509v3",
  base64Encoding: "wsse:Base64Binary",
  passwordDigest: "wsse:PasswordDigest",
  passwordText: "wsse:PasswordText",
};

/**
 * The 2002 namespaces of the "WS-Security Addendum" (IBM, Microsoft, VeriSign, version 1.0,
 * 18 August 2002: `schemas.xmlsoap.org/ws/2002/07/secext` and `…/2002/07/utility`, the
 * first to define `wsu:Timestamp`), which Microsoft WSE 1.0 sent; value types are QNames.
 * The April 2002 `…/2002/04/secext` has no Timestamp, so no message in it can pass the
 * verifier's Timestamp rule and it is not listed.
 */
export const WSS_2002_DRAFT: WsseNamespaces = {
  wsse: "http://schemas.xmlsoap.org/ws/2002/07/secext",
  wsu: "http://schemas.xmlsoap.org/ws/2002/07/utility",
  x509ValueType: "wsse:X509v3",
  base64Encoding: "wsse:Base64Binary",
  passwordDigest: "wsse:PasswordDigest",
  passwordText: "wsse:PasswordText",
};

/** The draft namespace sets a sender granted the legacy profile may use, oldest first. */
export const WSS_DRAFTS: readonly WsseNamespaces[] = [WSS_2002_DRAFT, WSS_2003_DRAFT];

/**
 * ValueType of an `X509PKIPathv1` BinarySecurityToken: a DER `PkiPath` (SEQUENCE OF
 * Certificate) holding the signer's certificate and the CAs above it (WSS X.509 Token
 * Profile 1.1 §3.1).
 */
export const X509_PKIPATH_VALUE_TYPE =
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1";

/** ValueType of a SHA-1 thumbprint KeyIdentifier (X.509 Token Profile 1.1). */
export const THUMBPRINT_SHA1_VALUE_TYPE =
  "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1";
/**
 * ValueType of a SHA-256 thumbprint KeyIdentifier. Not in an OASIS profile (1.1 only
 * defines SHA-1); named by analogy so both sides of this SDK can use a collision-safe hash.
 */
export const THUMBPRINT_SHA256_VALUE_TYPE =
  "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA256";
/** ValueType of a subject key identifier KeyIdentifier (X.509 Token Profile 1.0 §3.2.1). */
export const X509_SKI_VALUE_TYPE =
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier";
/** ValueType of a SecurityTokenReference/Reference to an X.509 token (WSS 1.0). */
export const X509_REFERENCE_VALUE_TYPE = WSS_2004.x509ValueType;

/** Exclusive XML canonicalization (without comments) — the only c14n we accept. */
export const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
