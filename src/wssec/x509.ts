/**
 * The certificate fields WS-Security key references name — issuer and serial number
 * (`ds:X509IssuerSerial`), subject key identifier (`X509SubjectKeyIdentifier`) — read
 * from the DER (Node's `X509Certificate` gives the issuer only as display text and the
 * serial only as hex), and distinguished names compared by meaning rather than as text.
 *
 * Sources: RFC 5280 §4.1 (certificate structure), §4.2.1.2 (subject key identifier, and
 * its method 1: SHA-1 of the subjectPublicKey BIT STRING), §7.1 (name comparison);
 * RFC 4514 (string form of a distinguished name); RFC 4518 (string preparation,
 * simplified here to NFKC, case folding and space folding); X.690 (DER).
 * @module
 */
import { createHash } from "node:crypto";

/** One attribute of a relative distinguished name. */
export interface NameAttribute {
  /** Attribute type, dotted OID (e.g. `2.5.4.3` for CN). */
  oid: string;
  /** Value as text; for values that are not strings, `#` + hex of their DER. */
  value: string;
}

/** A distinguished name: RDNs in DER order (most significant, e.g. C, first). */
export type DistinguishedName = NameAttribute[][];

/** The fields of a certificate that key references are matched on. */
export interface CertificateNameFields {
  /** Serial number (a DER INTEGER; may exceed 2^63, may be negative in broken certificates). */
  serialNumber: bigint;
  /** Issuer name. */
  issuer: DistinguishedName;
  /** Subject name. */
  subject: DistinguishedName;
  /**
   * Subject key identifier: the extension's value, or RFC 5280 §4.2.1.2 method 1 (SHA-1 of
   * the subjectPublicKey bits) when the certificate has none.
   */
  subjectKeyIdentifier: Buffer;
  /** Whether {@link CertificateNameFields.subjectKeyIdentifier} came from the extension. */
  subjectKeyIdentifierFromExtension: boolean;
}

interface Tlv {
  tag: number;
  /** Offset of the tag. */
  pos: number;
  /** Offset of the contents. */
  start: number;
  /** Offset after the contents. */
  end: number;
}

const bad = (what: string): Error => new Error(`DER: ${what}`);

function readTlv(der: Uint8Array, pos: number, limit = der.length): Tlv {
  if (pos + 2 > limit) throw bad("truncated");
  const tag = der[pos] as number;
  if ((tag & 0x1f) === 0x1f) throw bad("high tag numbers are not used in certificates");
  let len = der[pos + 1] as number;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw bad("length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[start + i] as number);
    start += n;
  }
  const end = start + len;
  if (end > limit) throw bad("truncated");
  return { tag, pos, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end; ) {
    const t = readTlv(der, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0)
        parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

/** Two's complement big-endian integer. */
function decodeInteger(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if ((bytes[0] as number) & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

/** The text of a DER string value, or undefined for a type that is not a string. */
function decodeString(tag: number, bytes: Uint8Array): string | undefined {
  const b = Buffer.from(bytes);
  switch (tag) {
    case 0x0c: // UTF8String
      return b.toString("utf8");
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x14: // TeletexString (read as Latin-1, as most software does)
      return b.toString("latin1");
    case 0x1e: // BMPString
      return Buffer.from(b).swap16().toString("utf16le");
    case 0x1c: {
      // UniversalString (UTF-32BE)
      let s = "";
      for (let i = 0; i + 3 < b.length; i += 4) s += String.fromCodePoint(b.readUInt32BE(i));
      return s;
    }
    default:
      return undefined;
  }
}

function readName(der: Uint8Array, name: Tlv): DistinguishedName {
  return children(der, name).map((set) =>
    children(der, set).map((atv) => {
      const [type, value] = children(der, atv);
      if (!type || !value || type.tag !== 0x06) throw bad("AttributeTypeAndValue");
      const oid = decodeOid(der.subarray(type.start, type.end));
      const text = decodeString(value.tag, der.subarray(value.start, value.end));
      return { oid, value: text ?? `#${Buffer.from(der.subarray(value.pos, value.end)).toString("hex")}` };
    }),
  );
}

const SKI_OID = "2.5.29.14";

/**
 * Reads serial number, issuer, subject and subject key identifier from a certificate's DER.
 * @throws Error when the DER is not a certificate.
 */
export function readCertificateNameFields(der: Uint8Array): CertificateNameFields {
  const cert = readTlv(der, 0);
  const [tbs] = children(der, cert);
  if (tbs?.tag !== 0x30) throw bad("Certificate");
  const fields = children(der, tbs);
  let i = 0;
  if (fields[0]?.tag === 0xa0) i++;
  const serial = fields[i++];
  i++; // signature AlgorithmIdentifier
  const issuer = fields[i++];
  i++; // validity
  const subject = fields[i++];
  const spki = fields[i++];
  if (serial?.tag !== 0x02 || !issuer || !subject || !spki) throw bad("TBSCertificate");
  let ski: Buffer | undefined;
  for (const f of fields.slice(i)) {
    if (f.tag !== 0xa3) continue;
    const [exts] = children(der, f);
    for (const ext of exts ? children(der, exts) : []) {
      const parts = children(der, ext);
      const oid = parts[0];
      const value = parts[parts.length - 1];
      if (!oid || !value || decodeOid(der.subarray(oid.start, oid.end)) !== SKI_OID) continue;
      const inner = readTlv(der, value.start, value.end);
      if (inner.tag === 0x04) ski = Buffer.from(der.subarray(inner.start, inner.end));
    }
  }
  const fromExtension = ski !== undefined;
  if (!ski) {
    const bits = children(der, spki)[1];
    if (bits?.tag !== 0x03) throw bad("subjectPublicKey");
    ski = createHash("sha1")
      .update(der.subarray(bits.start + 1, bits.end))
      .digest();
  }
  return {
    serialNumber: decodeInteger(der.subarray(serial.start, serial.end)),
    issuer: readName(der, issuer),
    subject: readName(der, subject),
    subjectKeyIdentifier: ski,
    subjectKeyIdentifierFromExtension: fromExtension,
  };
}

/** RFC 4514 §3 keywords, the aliases stacks write (`S`, `E`, `EMAIL`), and their OIDs. */
const KEYWORDS: Record<string, string> = {
  CN: "2.5.4.3",
  SN: "2.5.4.4",
  SURNAME: "2.5.4.4",
  SERIALNUMBER: "2.5.4.5",
  C: "2.5.4.6",
  L: "2.5.4.7",
  ST: "2.5.4.8",
  S: "2.5.4.8",
  STREET: "2.5.4.9",
  O: "2.5.4.10",
  OU: "2.5.4.11",
  T: "2.5.4.12",
  TITLE: "2.5.4.12",
  GIVENNAME: "2.5.4.42",
  G: "2.5.4.42",
  INITIALS: "2.5.4.43",
  DNQUALIFIER: "2.5.4.46",
  DC: "0.9.2342.19200300.100.1.25",
  UID: "0.9.2342.19200300.100.1.1",
  E: "1.2.840.113549.1.9.1",
  EMAIL: "1.2.840.113549.1.9.1",
  EMAILADDRESS: "1.2.840.113549.1.9.1",
};
const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "STREET",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
};

/**
 * Parses an RFC 4514 distinguished name (as written in `ds:X509IssuerName`): RDNs
 * separated by `,` (or the RFC 1779 `;`), multi-valued RDNs by `+`, types as keywords or
 * dotted OIDs (optionally `OID.`-prefixed), values escaped (`\,`, `\2C`), quoted (RFC 1779)
 * or `#`-hex BER. Returns the RDNs in DER order (the string lists the last RDN first).
 * @returns undefined when the text is not a distinguished name.
 */
export function parseDistinguishedName(text: string): DistinguishedName | undefined {
  const rdns: DistinguishedName = [];
  let rdn: NameAttribute[] = [];
  let i = 0;
  const n = text.length;
  const skipSpaces = () => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  skipSpaces();
  if (i >= n) return [];
  for (;;) {
    skipSpaces();
    const typeStart = i;
    while (i < n && text[i] !== "=") i++;
    if (i >= n) return undefined;
    let type = text.slice(typeStart, i).trim();
    i++;
    if (/^oid\./i.test(type)) type = type.slice(4);
    const oid = /^\d+(?:\.\d+)+$/.test(type) ? type : KEYWORDS[type.toUpperCase()];
    if (!oid) return undefined;
    skipSpaces();
    let value: string;
    if (text[i] === "#") {
      const m = /^#([0-9A-Fa-f]+)/.exec(text.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      const der = Buffer.from(m[1] as string, "hex");
      try {
        const t = readTlv(der, 0);
        value = decodeString(t.tag, der.subarray(t.start, t.end)) ?? `#${der.toString("hex")}`;
      } catch {
        return undefined;
      }
    } else if (text[i] === '"') {
      i++;
      let out = "";
      while (i < n && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < n) i++;
        out += text[i];
        i++;
      }
      if (i >= n) return undefined;
      i++;
      value = out;
    } else {
      const bytes: number[] = [];
      let trailingSpaces = 0;
      while (i < n && text[i] !== "," && text[i] !== ";" && text[i] !== "+") {
        const c = text[i] as string;
        if (c === "\\") {
          const hex = /^[0-9A-Fa-f]{2}/.exec(text.slice(i + 1, i + 3));
          if (hex) {
            bytes.push(Number.parseInt(hex[0], 16));
            i += 3;
          } else if (i + 1 < n) {
            for (const b of Buffer.from(text[i + 1] as string, "utf8")) bytes.push(b);
            i += 2;
          } else return undefined;
          trailingSpaces = 0;
          continue;
        }
        for (const b of Buffer.from(c, "utf8")) bytes.push(b);
        trailingSpaces = c === " " ? trailingSpaces + 1 : 0;
        i++;
      }
      value = Buffer.from(bytes.slice(0, bytes.length - trailingSpaces)).toString("utf8");
    }
    rdn.push({ oid, value });
    skipSpaces();
    if (i >= n) break;
    const sep = text[i];
    i++;
    if (sep === "+") continue;
    if (sep !== "," && sep !== ";") return undefined;
    rdns.push(rdn);
    rdn = [];
  }
  rdns.push(rdn);
  return rdns.reverse();
}

/** RFC 4518-style preparation, simplified: NFKC, case folded, inner spaces folded, trimmed. */
const prepare = (value: string): string => value.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();

const rdnKey = (rdn: NameAttribute[]): string =>
  rdn
    .map((a) => `${a.oid}=${prepare(a.value)}`)
    .sort()
    .join("+");

/**
 * Whether two names are the same by meaning (RFC 5280 §7.1): same RDNs in the same order,
 * each a set of attributes compared after {@link prepare}.
 */
export function sameDistinguishedName(a: DistinguishedName, b: DistinguishedName): boolean {
  return a.length === b.length && a.every((rdn, k) => rdnKey(rdn) === rdnKey(b[k] as NameAttribute[]));
}

const escapeValue = (v: string): string =>
  v
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, "\\ ");

/** The RFC 4514 string of a name (last RDN first), as `ds:X509IssuerName` carries it. */
export function formatDistinguishedName(name: DistinguishedName): string {
  return [...name]
    .reverse()
    .map((rdn) =>
      rdn
        .map((a) =>
          /^#(?:[0-9a-f]{2})+$/.test(a.value)
            ? `${a.oid}=${a.value}`
            : `${SHORT_NAMES[a.oid] ?? a.oid}=${escapeValue(a.value)}`,
        )
        .join("+"),
    )
    .join(",");
}

/**
 * Splits a DER `PkiPath` (`SEQUENCE OF Certificate`, ITU-T X.509 (2000) §11.2; the
 * `X509PKIPathv1` token of the WSS X.509 Token Profile 1.1 §3.1) into the DER of each
 * certificate, in the path's order: the first is issued by (or is) the trust anchor's
 * side, the last is the end entity. Certificates are not parsed here.
 * @param der The token's decoded bytes.
 * @param maxCertificates Most certificates accepted (a longer path is refused).
 * @throws Error when the bytes are not one DER SEQUENCE of SEQUENCEs, or hold more than `maxCertificates`.
 */
export function splitPkiPath(der: Uint8Array, maxCertificates: number): Uint8Array[] {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw bad("a PkiPath is one SEQUENCE");
  const items = children(der, outer);
  if (items.length === 0) throw bad("an empty PkiPath");
  if (items.length > maxCertificates) throw bad(`a PkiPath of more than ${maxCertificates} certificates`);
  return items.map((t) => {
    if (t.tag !== 0x30) throw bad("a PkiPath item is not a Certificate SEQUENCE");
    return der.subarray(t.pos, t.end);
  });
}
