/**
 * The SDK's own varbind model: what an SNMP agent answered for one OID, independent of
 * any SNMP library, so that decoders are pure functions testable from recordings.
 * @module
 */

/** One answered OID. `oid` is dotted-decimal without a leading dot. */
export type Varbind =
  | { oid: string; type: "Integer"; value: number }
  | { oid: string; type: "OctetString"; value: Buffer }
  | { oid: string; type: "ObjectIdentifier"; value: string }
  | { oid: string; type: "IpAddress"; value: string }
  | { oid: string; type: "Counter32"; value: number }
  | { oid: string; type: "Gauge32"; value: number }
  | { oid: string; type: "TimeTicks"; value: number }
  | { oid: string; type: "Counter64"; value: bigint }
  | { oid: string; type: "Opaque"; value: Buffer }
  | { oid: string; type: "Null"; value: null }
  | { oid: string; type: "NoSuchObject"; value: null }
  | { oid: string; type: "NoSuchInstance"; value: null }
  | { oid: string; type: "EndOfMibView"; value: null };

/** The `type` tag of a {@link Varbind}. */
export type VarbindType = Varbind["type"];

/** True for the three SNMPv2 exception values, which carry no data. */
export function isException(vb: Varbind): boolean {
  return vb.type === "NoSuchObject" || vb.type === "NoSuchInstance" || vb.type === "EndOfMibView";
}

/**
 * Compares two dotted OIDs numerically, component by component (lexicographic order of
 * SNMP). Returns a negative number, zero or a positive number.
 */
export function compareOids(a: string, b: string): number {
  // Walks both strings arc by arc without allocating: walks compare every OID they meet.
  let i = 0;
  let j = 0;
  for (;;) {
    if (i >= a.length || j >= b.length) return (i >= a.length ? 0 : 1) - (j >= b.length ? 0 : 1);
    let x = 0;
    let y = 0;
    for (; i < a.length && a.charCodeAt(i) !== 46; i++) x = x * 10 + (a.charCodeAt(i) - 48);
    for (; j < b.length && b.charCodeAt(j) !== 46; j++) y = y * 10 + (b.charCodeAt(j) - 48);
    if (x !== y) return x - y;
    i++;
    j++;
  }
}

/** True when `oid` lies strictly inside the subtree rooted at `prefix`. */
export function isUnder(oid: string, prefix: string): boolean {
  return oid.length > prefix.length && oid.startsWith(prefix) && oid.charCodeAt(prefix.length) === 46;
}
