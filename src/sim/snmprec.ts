/**
 * Parser for snmpsim `.snmprec` recordings: one `OID|TYPE|VALUE` per line, TYPE the
 * ASN.1 tag number, a trailing `x` meaning VALUE is hex-encoded bytes. Pure: text in,
 * varbinds out; a broken line is refused with its file and line number.
 * @module
 */
import { ValidationError } from "../errors.js";
import { compareOids, type Varbind } from "../snmp/varbind.js";

const OID_RE = /^\d+(\.\d+)+$/;

/** Options for {@link parseSnmprec}. */
export interface ParseSnmprecOptions {
  /** Name used in error messages (usually the file path). */
  source?: string;
}

function fail(source: string, line: number, reason: string): never {
  throw new ValidationError("INVALID_RECORDING", `${source}:${line}: ${reason}`);
}

function integerIn(
  text: string,
  min: number,
  max: number,
  source: string,
  line: number,
  what: string,
): number {
  if (!/^-?\d+$/.test(text)) fail(source, line, `${what} value "${text.slice(0, 40)}" is not an integer`);
  const n = Number(text);
  if (n < min || n > max) fail(source, line, `${what} value ${text} is outside ${min}..${max}`);
  return n;
}

function hexBytes(text: string, source: string, line: number): Buffer {
  const clean = text.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean))
    fail(source, line, `"${text.slice(0, 40)}" is not valid hex`);
  return Buffer.from(clean, "hex");
}

/**
 * Decodes one recording value of ASN.1 tag `tag` into a {@link Varbind}.
 * `hex` says the VALUE column was hex-encoded (`4x`, `64x`, ...).
 */
function decodeValue(
  oid: string,
  tag: number,
  hex: boolean,
  raw: string,
  source: string,
  line: number,
): Varbind {
  const bytes = (): Buffer => (hex ? hexBytes(raw, source, line) : Buffer.from(raw, "utf8"));
  const text = (): string => (hex ? hexBytes(raw, source, line).toString("latin1") : raw);
  switch (tag) {
    case 2:
      return {
        oid,
        type: "Integer",
        value: integerIn(text(), -2147483648, 2147483647, source, line, "Integer32"),
      };
    case 4:
      return { oid, type: "OctetString", value: bytes() };
    case 5:
      return { oid, type: "Null", value: null };
    case 6: {
      const v = text().replace(/^\./, "");
      if (!OID_RE.test(v)) fail(source, line, `"${v.slice(0, 40)}" is not an OBJECT IDENTIFIER`);
      return { oid, type: "ObjectIdentifier", value: v };
    }
    case 64: {
      if (hex) {
        const b = hexBytes(raw, source, line);
        if (b.length !== 4) fail(source, line, "IpAddress must be 4 bytes");
        return { oid, type: "IpAddress", value: [...b].join(".") };
      }
      if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(raw) || raw.split(".").some((p) => Number(p) > 255))
        fail(source, line, `"${raw.slice(0, 40)}" is not an IpAddress`);
      return { oid, type: "IpAddress", value: raw };
    }
    case 65:
      return { oid, type: "Counter32", value: integerIn(text(), 0, 4294967295, source, line, "Counter32") };
    case 66:
      return { oid, type: "Gauge32", value: integerIn(text(), 0, 4294967295, source, line, "Gauge32") };
    case 67:
      return { oid, type: "TimeTicks", value: integerIn(text(), 0, 4294967295, source, line, "TimeTicks") };
    case 68:
      return { oid, type: "Opaque", value: bytes() };
    case 70: {
      const t = text();
      if (!/^\d+$/.test(t) || BigInt(t) > 18446744073709551615n)
        fail(source, line, `"${t}" is not a Counter64`);
      return { oid, type: "Counter64", value: BigInt(t) };
    }
    case 128:
      return { oid, type: "NoSuchObject", value: null };
    case 129:
      return { oid, type: "NoSuchInstance", value: null };
    case 130:
      return { oid, type: "EndOfMibView", value: null };
    default:
      return fail(source, line, `unknown ASN.1 type tag ${tag}`);
  }
}

/**
 * Parses a whole `.snmprec` text. Blank lines and `#` comments are skipped. The result
 * is sorted by OID (snmpsim requires sorted files; we sort to be forgiving) and a
 * duplicated OID is refused.
 *
 * @example
 * ```ts
 * const varbinds = parseSnmprec(readFileSync("printer.snmprec", "utf8"), { source: "printer.snmprec" });
 * ```
 */
export function parseSnmprec(text: string, options: ParseSnmprecOptions = {}): Varbind[] {
  const source = options.source ?? "<recording>";
  const out: Varbind[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i] ?? "";
    if (line.trim() === "" || line.startsWith("#")) continue;
    const first = line.indexOf("|");
    const second = first < 0 ? -1 : line.indexOf("|", first + 1);
    if (first < 0 || second < 0) fail(source, lineNo, "expected OID|TYPE|VALUE");
    const oid = line.slice(0, first).trim().replace(/^\./, "");
    const typeField = line.slice(first + 1, second).trim();
    const raw = line.slice(second + 1);
    if (!OID_RE.test(oid)) fail(source, lineNo, `"${oid.slice(0, 40)}" is not a dotted OID`);
    const m = /^(\d+)(x?)$/.exec(typeField);
    if (!m)
      fail(source, lineNo, `type "${typeField.slice(0, 20)}" is not an ASN.1 tag number (with optional x)`);
    out.push(decodeValue(oid, Number(m[1]), m[2] === "x", raw, source, lineNo));
  }
  out.sort((a, b) => compareOids(a.oid, b.oid));
  for (let i = 1; i < out.length; i++) {
    if (out[i - 1]?.oid === out[i]?.oid)
      throw new ValidationError("INVALID_RECORDING", `${source}: OID ${out[i]?.oid} appears twice`);
  }
  return out;
}
