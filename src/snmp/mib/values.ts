/**
 * Small pure helpers shared by the decoders: look varbinds up by OID, read a table
 * column by row index, and turn device strings into clean text.
 * @module
 */
import { isException, isUnder, type Varbind } from "../varbind.js";

/**
 * Varbinds indexed by OID, so that decoders look values up instead of scanning.
 * Exceptions (noSuchObject, noSuchInstance, endOfMibView) count as absent.
 *
 * @example
 * ```ts
 * const mib = new VarbindSet(varbinds);
 * const descr = mib.text("1.3.6.1.2.1.1.1.0");
 * ```
 */
export class VarbindSet {
  private readonly byOid = new Map<string, Varbind>();
  // Varbinds grouped by their first BUCKET_DEPTH arcs (a table, for printer MIBs), so a
  // column lookup scans its own table only; decoders ask for dozens of columns per device.
  private readonly buckets = new Map<string, Varbind[]>();
  private readonly columns = new Map<string, Map<string, Varbind>>();

  constructor(varbinds: Iterable<Varbind>) {
    for (const vb of varbinds) {
      if (isException(vb) || this.byOid.has(vb.oid)) continue;
      this.byOid.set(vb.oid, vb);
      const key = bucketKey(vb.oid);
      const bucket = this.buckets.get(key);
      if (bucket) bucket.push(vb);
      else this.buckets.set(key, [vb]);
    }
  }

  /** The varbind at exactly `oid`, if the device answered one with data. */
  get(oid: string): Varbind | undefined {
    return this.byOid.get(oid);
  }

  /** An integer-like value (Integer, Counter32, Gauge32, TimeTicks) at `oid`, else null. */
  number(oid: string): number | null {
    return numberOf(this.byOid.get(oid));
  }

  /**
   * Text at `oid`, else null: UTF-8 when valid, else Latin-1, cut at the first NUL, a value
   * spelled as hex digits of printable text decoded, surrounding whitespace trimmed.
   */
  text(oid: string): string | null {
    return textOf(this.byOid.get(oid));
  }

  /** Raw bytes of an OCTET STRING at `oid`, else null. */
  bytes(oid: string): Buffer | null {
    const vb = this.byOid.get(oid);
    return vb?.type === "OctetString" || vb?.type === "Opaque" ? vb.value : null;
  }

  /** An OBJECT IDENTIFIER value at `oid`, else null. */
  objectId(oid: string): string | null {
    const vb = this.byOid.get(oid);
    return vb?.type === "ObjectIdentifier" ? vb.value : null;
  }

  /**
   * Every row of one table column: the key is the row index (the OID suffix after the
   * column, e.g. `"1.3"`), in the order the rows were given. Do not modify the result.
   */
  column(columnOid: string): Map<string, Varbind> {
    const cached = this.columns.get(columnOid);
    if (cached) return cached;
    const rows = new Map<string, Varbind>();
    const start = columnOid.length + 1;
    const deepEnough = columnOid.split(".").length >= BUCKET_DEPTH;
    const candidates = deepEnough
      ? (this.buckets.get(bucketKey(columnOid)) ?? [])
      : [...this.buckets.values()].flat();
    for (const vb of candidates) if (isUnder(vb.oid, columnOid)) rows.set(vb.oid.slice(start), vb);
    this.columns.set(columnOid, rows);
    return rows;
  }

  /** Every row index present in any of `columns`, sorted numerically. */
  rowIndexes(columns: readonly string[]): string[] {
    const seen = new Set<string>();
    for (const c of columns) for (const k of this.column(c).keys()) seen.add(k);
    return [...seen].sort(compareIndexes);
  }
}

const BUCKET_DEPTH = 8;

/** The OID cut after its first {@link BUCKET_DEPTH} arcs (the whole OID when shorter). */
function bucketKey(oid: string): string {
  let dots = 0;
  for (let i = 0; i < oid.length; i++) {
    if (oid.charCodeAt(i) === 46 && ++dots === BUCKET_DEPTH) return oid.slice(0, i);
  }
  return oid;
}

/**
 * The subtree that holds exactly one object instance when walked: the object for a
 * scalar (`….0`), the column for a table cell. Walking it rides on the shared GETBULK
 * requests of a reading instead of costing a GET round trip of its own.
 */
export function subtreeOfInstance(oid: string): string {
  const dot = oid.lastIndexOf(".");
  return dot > 0 ? oid.slice(0, dot) : oid;
}

/** Numeric order of dotted row indexes (`"1.2"` before `"1.10"`). */
export function compareIndexes(a: string, b: string): number {
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  return pa.length - pb.length;
}

/** An integer-like varbind's value, else null. Counter64 is narrowed when it fits. */
export function numberOf(vb: Varbind | undefined): number | null {
  if (!vb) return null;
  switch (vb.type) {
    case "Integer":
    case "Counter32":
    case "Gauge32":
    case "TimeTicks":
      return vb.value;
    case "Counter64":
      return vb.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(vb.value) : null;
    default:
      return null;
  }
}

/** Clean text of an OCTET STRING varbind (also accepts OIDs and IP addresses as text), else null. */
export function textOf(vb: Varbind | undefined): string | null {
  if (!vb) return null;
  if (vb.type === "OctetString" || vb.type === "Opaque") return cleanText(vb.value);
  if (vb.type === "ObjectIdentifier" || vb.type === "IpAddress") return vb.value;
  return null;
}

const PRINTABLE = /^[\x20-\x7e\u00a0-\uffff\t\r\n]*$/;
const HEX_TEXT = /^(?:[0-9A-Fa-f]{2}[ :]?){2,}$/;

/**
 * Turns device bytes into text: UTF-8 when valid, else Latin-1; cut at the first NUL
 * (devices pad fixed-size buffers with NULs and garbage after them); a value that is
 * itself hex digits of printable text (`"42 6C 61 63 6B"`, seen on HP and Samsung) is
 * decoded; surrounding whitespace trimmed.
 */
export function cleanText(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  const body = nul >= 0 ? bytes.subarray(0, nul) : bytes;
  let text = decodeBytes(body).trim();
  if (HEX_TEXT.test(text)) {
    const decoded = Buffer.from(text.replace(/[ :]/g, ""), "hex");
    const nul2 = decoded.indexOf(0);
    const inner = decodeBytes(nul2 >= 0 ? decoded.subarray(0, nul2) : decoded).trim();
    if (inner.length > 0 && /^[\x20-\x7e]+$/.test(inner) && /[A-Za-z]{2}/.test(inner)) text = inner;
  }
  return text;
}

function decodeBytes(bytes: Buffer): string {
  const utf8 = bytes.toString("utf8");
  if (!utf8.includes("\ufffd") && PRINTABLE.test(utf8)) return utf8;
  return bytes.toString("latin1");
}

/** True when `text` has only printable ASCII (used to reject binary junk as a serial or model). */
export function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e]+$/.test(text);
}
