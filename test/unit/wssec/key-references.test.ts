/**
 * Key references other than a BinarySecurityToken: X509IssuerSerial (issuer compared by
 * meaning, serials beyond 2^63), X509SubjectKeyIdentifier (extension or RFC 5280 method 1),
 * ThumbprintSHA1, X509Data/X509Certificate, and the BST reference with or without
 * ValueType — always resolved against pinned / CA-trusted certificates, ambiguous
 * matches refused. KeyInfo is not signed, so an attacker may rewrite it freely: these
 * tests do exactly that.
 */
import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import { createRequestVerifier } from "../../../src/wssec/index.js";
import { readCertificateNameFields } from "../../../src/wssec/x509.js";
import { createTestIdentity, type TestIdentity } from "../../helpers/keys.js";
import { opensslIdentity } from "../../helpers/openssl.js";
import { replaceOnce, SAMPLE_ENVELOPE, signWith } from "./support.js";

const refusal = (fn: () => unknown): SecurityError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecurityError) return err;
    throw err;
  }
  throw new Error("the verifier accepted the message");
};

/** Serial 2^120-ish: beyond 2^63, as CAs issue them (RFC 5280 allows 20 octets). */
const BIG_SERIAL = "00f1e2d3c4b5a6978877665544332211";
let named: TestIdentity;
let other: TestIdentity;

beforeAll(async () => {
  named = await opensslIdentity({
    subject: "/C=DE/O=Example, Inc./OU=R\\+D/CN=proxy  1+UID=p1/emailAddress=ops@example.com",
    serialHex: BIG_SERIAL,
    subjectKeyIdentifier: "0102030405060708090a0b0c0d0e0f1011121314",
  });
  other = await opensslIdentity({ subject: "/C=DE/O=Example, Inc./CN=proxy 2", serialHex: "02" });
});

const issuerSerialOf = (msg: string): string =>
  (/<ds:X509IssuerName>([^<]*)<\/ds:X509IssuerName>/.exec(msg) as RegExpExecArray)[1] as string;

const withIssuerName = (msg: string, name: string): string =>
  replaceOnce(
    msg,
    /<ds:X509IssuerName>[^<]*<\/ds:X509IssuerName>/,
    `<ds:X509IssuerName>${name}</ds:X509IssuerName>`,
  );

describe("X509IssuerSerial", () => {
  it("resolves a serial beyond 2^63 and an issuer with escapes and a multi-valued RDN", () => {
    const msg = signWith(named, SAMPLE_ENVELOPE, { keyReference: "issuer-serial" });
    expect(msg).toContain(`<ds:X509SerialNumber>${BigInt(`0x${BIG_SERIAL}`)}</ds:X509SerialNumber>`);
    expect(issuerSerialOf(msg)).toContain("O=Example\\, Inc.");
    const sender = createRequestVerifier({ trust: [other.certPem, named.certPem] }).verifyRequest(msg);
    expect(sender).toMatchObject({ keyReference: "issuer-serial", trusted: true });
    expect(sender?.thumbprintSha256).toBe(
      new X509Certificate(named.certPem).fingerprint256.replace(/:/g, "").toLowerCase(),
    );
  });

  for (const [form, name] of [
    [
      "spaces around separators and '=' (WCF)",
      "E = ops@example.com , CN = proxy  1 + UID = p1 , OU = R\\+D , O = Example\\, Inc. , C = DE",
    ],
    [
      "keywords in other case, E and OID. forms",
      "e=OPS@EXAMPLE.COM,UID=P1+cn=Proxy 1,OID.2.5.4.11=r\\+d,o=example\\, inc.,c=de",
    ],
    [
      "attributes of the multi-valued RDN swapped",
      "1.2.840.113549.1.9.1=ops@example.com,UID=p1+CN=proxy  1,OU=R\\+D,O=Example\\, Inc.,C=DE",
    ],
    [
      "hex escapes and a #BER value",
      "EMAILADDRESS=ops@example.com,CN=proxy\\20\\201+UID=#0c027031,OU=R\\2BD,O=Example\\2C Inc.,C=DE",
    ],
    ["RFC 1779 quoting and ';'", 'E=ops@example.com;CN=proxy  1+UID=p1;OU="R+D";O="Example, Inc.";C=DE'],
    [
      "DER order (most significant RDN first)",
      "C=DE,O=Example\\, Inc.,OU=R\\+D,CN=proxy  1+UID=p1,E=ops@example.com",
    ],
  ] as const) {
    it(`accepts an issuer name written with ${form}`, () => {
      const msg = withIssuerName(signWith(named, SAMPLE_ENVELOPE, { keyReference: "issuer-serial" }), name);
      expect(createRequestVerifier({ trust: [named.certPem] }).verifyRequest(msg)?.keyReference).toBe(
        "issuer-serial",
      );
    });
  }

  it("refuses another serial, another issuer, a malformed name or serial", () => {
    const verifier = () => createRequestVerifier({ trust: [named.certPem] });
    const msg = signWith(named, SAMPLE_ENVELOPE, { keyReference: "issuer-serial" });
    const serial = BigInt(`0x${BIG_SERIAL}`);
    const plusOne = msg.replace(`>${serial}<`, `>${serial + 1n}<`);
    expect(refusal(() => verifier().verifyRequest(plusOne)).code).toBe("WSS_UNTRUSTED_KEY");
    // 2^64 + serial mod 2^64: a verifier comparing 64-bit integers would confuse them.
    const truncated = msg.replace(`>${serial}<`, `>${(serial % (1n << 64n)) + (1n << 64n) * 7n}<`);
    expect(refusal(() => verifier().verifyRequest(truncated)).code).toBe("WSS_UNTRUSTED_KEY");
    expect(
      refusal(() => verifier().verifyRequest(withIssuerName(msg, "CN=proxy 1,O=Example\\, Inc.,C=DE"))).code,
    ).toBe("WSS_UNTRUSTED_KEY");
    expect(refusal(() => verifier().verifyRequest(withIssuerName(msg, "not a name"))).code).toBe(
      "WSS_MALFORMED",
    );
    expect(refusal(() => verifier().verifyRequest(msg.replace(`>${serial}<`, ">0x1F<"))).code).toBe(
      "WSS_MALFORMED",
    );
  });

  it("attack: an IssuerSerial naming another pinned certificate than the one that signed is refused", () => {
    const msg = signWith(other, SAMPLE_ENVELOPE, { keyReference: "issuer-serial" });
    const otherFields = readCertificateNameFields(new X509Certificate(other.certPem).raw);
    const namedFields = readCertificateNameFields(new X509Certificate(named.certPem).raw);
    const swapped = replaceOnce(
      withIssuerName(msg, "E=ops@example.com,CN=proxy  1+UID=p1,OU=R\\+D,O=Example\\, Inc.,C=DE"),
      `>${otherFields.serialNumber}<`,
      `>${namedFields.serialNumber}<`,
    );
    const verifier = createRequestVerifier({ trust: [named.certPem, other.certPem] });
    expect(refusal(() => verifier.verifyRequest(swapped)).code).toBe("WSS_BAD_SIGNATURE");
    expect(verifier.verifyRequest(msg)?.keyReference).toBe("issuer-serial");
  });

  it("refuses an IssuerSerial that names a certificate that is not pinned", () => {
    const msg = signWith(named, SAMPLE_ENVELOPE, { keyReference: "issuer-serial" });
    expect(refusal(() => createRequestVerifier({ trust: [other.certPem] }).verifyRequest(msg)).code).toBe(
      "WSS_UNTRUSTED_KEY",
    );
  });
});

describe("X509SubjectKeyIdentifier", () => {
  it("resolves by the SKI extension when the certificate has one", () => {
    const msg = signWith(named, SAMPLE_ENVELOPE, { keyReference: "ski" });
    expect(msg).toContain(
      `>${Buffer.from("0102030405060708090a0b0c0d0e0f1011121314", "hex").toString("base64")}<`,
    );
    expect(
      createRequestVerifier({ trust: [other.certPem, named.certPem] }).verifyRequest(msg)?.keyReference,
    ).toBe("ski");
  });

  it("resolves by the RFC 5280 method 1 hash when the certificate has no SKI extension", async () => {
    const bare = await opensslIdentity({
      subject: "/CN=no-ski",
      serialHex: "03",
      subjectKeyIdentifier: "none",
    });
    const fields = readCertificateNameFields(new X509Certificate(bare.certPem).raw);
    expect(fields.subjectKeyIdentifierFromExtension).toBe(false);
    // openssl's own "hash" SKI is method 1: a certificate on the same key with the extension agrees.
    const withExt = await opensslIdentity({ subject: "/CN=ski", serialHex: "04", keyPem: bare.keyPem });
    expect(readCertificateNameFields(new X509Certificate(withExt.certPem).raw).subjectKeyIdentifier).toEqual(
      fields.subjectKeyIdentifier,
    );
    const msg = signWith(bare, SAMPLE_ENVELOPE, { keyReference: "ski" });
    expect(createRequestVerifier({ trust: [bare.certPem] }).verifyRequest(msg)?.subject).toBe("CN=no-ski");
  });

  it("attack: an SKI that two pinned certificates share is refused as ambiguous", async () => {
    const twin = await opensslIdentity({
      subject: "/CN=twin",
      serialHex: "05",
      subjectKeyIdentifier: "0102030405060708090a0b0c0d0e0f1011121314",
    });
    const msg = signWith(named, SAMPLE_ENVELOPE, { keyReference: "ski" });
    const r = refusal(() =>
      createRequestVerifier({ trust: [named.certPem, twin.certPem] }).verifyRequest(msg),
    );
    expect(r.code).toBe("WSS_UNTRUSTED_KEY");
    expect(r.message).toContain("ambiguous");
  });

  it("refuses an SKI of an unpinned certificate, and non-base64 identifiers", () => {
    const msg = signWith(named, SAMPLE_ENVELOPE, { keyReference: "ski" });
    expect(refusal(() => createRequestVerifier({ trust: [other.certPem] }).verifyRequest(msg)).code).toBe(
      "WSS_UNTRUSTED_KEY",
    );
    const garbled = msg.replace(/(ValueType="[^"]*#X509SubjectKeyIdentifier">)[^<]*/, "$1not*base64");
    expect(refusal(() => createRequestVerifier({ trust: [named.certPem] }).verifyRequest(garbled)).code).toBe(
      "WSS_MALFORMED",
    );
  });
});

describe("certificates carried in the message", () => {
  it("X509Data/X509Certificate is used only when pinned or CA-issued under the subject rule", async () => {
    const msg = signWith(named, SAMPLE_ENVELOPE, { keyReference: "x509-data" });
    expect(createRequestVerifier({ trust: [named.certPem] }).verifyRequest(msg)?.keyReference).toBe(
      "x509-data",
    );
    expect(refusal(() => createRequestVerifier({ trust: [other.certPem] }).verifyRequest(msg)).code).toBe(
      "WSS_UNTRUSTED_KEY",
    );
    const ca = await createTestIdentity("ec-p256", { commonName: "esol-test-ca-x509data", isCa: true });
    const issued = await createTestIdentity("ec-p256", { commonName: "proxy-71", ca });
    const verifier = createRequestVerifier({ trustCa: [ca.certPem], subject: "CN=proxy-\\d+" });
    expect(
      verifier.verifyRequest(signWith(issued, SAMPLE_ENVELOPE, { keyReference: "x509-data" }))?.subject,
    ).toBe("CN=proxy-71");
  });

  it("accepts a BST reference without ValueType (Metro) and refuses one with another ValueType", () => {
    const msg = signWith(named);
    const bare = replaceOnce(msg, /(<wsse:Reference URI="#[^"]+") ValueType="[^"]*"/, "$1");
    expect(createRequestVerifier({ trust: [named.certPem] }).verifyRequest(bare)?.keyReference).toBe("bst");
    const saml = replaceOnce(
      msg,
      /(<wsse:Reference URI="#[^"]+" ValueType=")[^"]*"/,
      '$1http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0"',
    );
    expect(refusal(() => createRequestVerifier({ trust: [named.certPem] }).verifyRequest(saml)).code).toBe(
      "WSS_UNTRUSTED_KEY",
    );
  });

  it("accepts X509Data with X509Certificate and X509IssuerSerial of the same certificate (zeep), refuses a mix", () => {
    const serialized = signWith(named, SAMPLE_ENVELOPE, { keyReference: "issuer-serial" });
    const issuerSerial = (
      /<ds:X509IssuerSerial>[\s\S]*<\/ds:X509IssuerSerial>/.exec(serialized) as RegExpExecArray
    )[0];
    const cert = (c: TestIdentity) =>
      `<ds:X509Certificate>${c.certPem.replace(/-----[^-]+-----|\s/g, "")}</ds:X509Certificate>`;
    const both = serialized.replace(issuerSerial, `${cert(named)}${issuerSerial}`);
    const verifier = () => createRequestVerifier({ trust: [named.certPem, other.certPem] });
    expect(verifier().verifyRequest(both)?.keyReference).toBe("x509-data");
    const mixed = serialized.replace(issuerSerial, `${cert(other)}${issuerSerial}`);
    expect(refusal(() => verifier().verifyRequest(mixed)).message).toContain("different certificates");
    const subjectName = serialized.replace(
      issuerSerial,
      `${issuerSerial}<ds:X509SubjectName>CN=x</ds:X509SubjectName>`,
    );
    expect(refusal(() => verifier().verifyRequest(subjectName)).code).toBe("WSS_UNTRUSTED_KEY");
    // zeep's Signature leaves the IssuerSerial template empty: skipped, the certificate decides.
    const zeep = serialized.replace(issuerSerial, `<ds:X509IssuerSerial/>${cert(named)}`);
    expect(verifier().verifyRequest(zeep)?.keyReference).toBe("x509-data");
    const emptyOnly = serialized.replace(issuerSerial, "<ds:X509IssuerSerial/>");
    expect(refusal(() => verifier().verifyRequest(emptyOnly)).code).toBe("WSS_MALFORMED");
    const four = serialized.replace(
      issuerSerial,
      `${cert(named)}${issuerSerial}${issuerSerial}${cert(named)}`,
    );
    expect(refusal(() => verifier().verifyRequest(four)).code).toBe("WSS_MALFORMED");
  });
});
