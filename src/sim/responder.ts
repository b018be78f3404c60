/**
 * SNMP request semantics over a {@link MibView}: GET, GETNEXT and GETBULK for v1 and v2c/v3
 * (noSuchName vs noSuchObject / noSuchInstance / endOfMibView), plus the walk faults a
 * broken agent shows. Pure: a query in, an answer out, no sockets or BER.
 * @module
 */
import type { Varbind } from "../snmp/varbind.js";
import { type MibView, parseOid } from "./mib-view.js";

/** Protocol version of a request: v1 answers errors with noSuchName, v2c and v3 with exception values. */
export type SnmpVersion = "v1" | "v2c" | "v3";

/** The read operations an agent answers. */
export type QueryKind = "get" | "getNext" | "getBulk";

/** A decoded read request. */
export interface SnmpQuery {
  /** Operation. */
  kind: QueryKind;
  /** Version the request arrived with. */
  version: SnmpVersion;
  /** Requested OIDs, dotted. */
  oids: readonly string[];
  /** GETBULK non-repeaters. */
  nonRepeaters?: number;
  /** GETBULK max-repetitions. */
  maxRepetitions?: number;
}

/** PDU error-status values used by the simulator (RFC 3416). */
export const ErrorStatus = {
  /** No error. */
  noError: 0,
  /** The answer would not fit in one message. */
  tooBig: 1,
  /** SNMPv1: an OID of the request does not exist. */
  noSuchName: 2,
  /** Any other failure. */
  genErr: 5,
} as const;

/** An answer ready to be encoded. */
export interface SnmpAnswer {
  /** PDU error-status (see {@link ErrorStatus}). */
  errorStatus: number;
  /** 1-based index of the varbind the error refers to, 0 for none. */
  errorIndex: number;
  /** Response varbinds. */
  varbinds: Varbind[];
}

/**
 * A broken walk, as seen on some agents in the field:
 * `backwards` answers GETNEXT with an OID lower than asked, `loop` answers with the OID
 * asked for, `truncate` ends the MIB early (endOfMibView half-way through the printer tables).
 */
export type WalkFault = "backwards" | "loop" | "truncate";

/** Options for {@link answerQuery}. */
export interface AnswerOptions {
  /** Make GETNEXT / GETBULK misbehave past {@link walkFaultPosition}. */
  walkFault?: WalkFault;
  /** Cap on the encoded size of a GETBULK answer (repetitions are dropped to fit). Default 60,000 bytes. */
  maxResponseBytes?: number;
}

const PRINTER_MIB = "1.3.6.1.2.1.43";

/**
 * Position in `view` where walk faults start: half-way through the Printer-MIB subtree
 * (so a reader of printer tables meets them), or half-way through the whole view.
 */
export function walkFaultPosition(view: MibView): number {
  const [start, end] = view.subtreeRange(PRINTER_MIB);
  const mid = end - start >= 4 ? start + Math.floor((end - start) / 2) : Math.floor(view.size / 2);
  return Math.max(2, mid);
}

function skippable(vb: Varbind, version: SnmpVersion): boolean {
  // Exception values recorded in a snmprec are answers to GET only; SNMPv1 cannot carry Counter64
  // (RFC 3584 §4.2.2.1: GETNEXT skips it).
  return (
    vb.type === "NoSuchObject" ||
    vb.type === "NoSuchInstance" ||
    vb.type === "EndOfMibView" ||
    (version === "v1" && vb.type === "Counter64")
  );
}

function estimateBytes(vb: Varbind): number {
  const valueBytes =
    vb.type === "OctetString" || vb.type === "Opaque"
      ? vb.value.length
      : vb.type === "ObjectIdentifier"
        ? vb.value.length / 2
        : 9;
  return vb.oid.length / 2 + valueBytes + 8;
}

/** Position of the GETNEXT answer for `arcs`, or -1 for end of MIB view. */
function nextPosition(
  view: MibView,
  arcs: readonly number[],
  version: SnmpVersion,
  fault: WalkFault | undefined,
  faultAt: number,
): number {
  let i = view.indexAfter(arcs);
  while (i < view.size && skippable(view.at(i) as Varbind, version)) i++;
  if (i >= view.size) return -1;
  if (fault !== undefined && i >= faultAt) {
    if (fault === "truncate") return -1;
    if (fault === "loop") return faultAt - 1;
    return faultAt - 2;
  }
  return i;
}

function missing(view: MibView, oid: string, arcs: readonly number[]): Varbind {
  // An OID whose parent has other instances names an existing object with a missing instance.
  if (!view.hasDescendants(arcs) && arcs.length > 1 && view.hasDescendants(arcs.slice(0, -1)))
    return { oid, type: "NoSuchInstance", value: null };
  return { oid, type: "NoSuchObject", value: null };
}

/**
 * Answers a read request from `view` following RFC 3416 (v2c/v3) and RFC 1157 (v1).
 * Returns `null` when a real agent would not answer (GETBULK over SNMPv1).
 *
 * @example
 * ```ts
 * const answer = answerQuery(view, { kind: "getBulk", version: "v2c", oids: ["1.3.6.1.2.1.43"], nonRepeaters: 0, maxRepetitions: 10 });
 * ```
 */
export function answerQuery(view: MibView, query: SnmpQuery, options: AnswerOptions = {}): SnmpAnswer | null {
  const v1 = query.version === "v1";
  const fault = options.walkFault;
  const faultAt = fault === undefined ? 0 : walkFaultPosition(view);
  const requested = query.oids.map((oid) => ({ oid, arcs: parseOid(oid) }));
  const echo = (): Varbind[] => requested.map((r) => ({ oid: r.oid, type: "Null", value: null }));

  if (query.kind === "get") {
    const varbinds: Varbind[] = [];
    for (let k = 0; k < requested.length; k++) {
      const r = requested[k] as { oid: string; arcs: number[] };
      const found = view.at(view.indexOf(r.arcs));
      const ok = found !== undefined && !skippable(found, v1 ? "v1" : "v2c");
      if (v1 && !ok) return { errorStatus: ErrorStatus.noSuchName, errorIndex: k + 1, varbinds: echo() };
      varbinds.push(found ?? missing(view, r.oid, r.arcs));
    }
    return { errorStatus: ErrorStatus.noError, errorIndex: 0, varbinds };
  }

  const nextOf = (oid: string, arcs: readonly number[]): Varbind => {
    const i = nextPosition(view, arcs, query.version, fault, faultAt);
    return i < 0 ? { oid, type: "EndOfMibView", value: null } : (view.at(i) as Varbind);
  };

  if (query.kind === "getNext") {
    const varbinds: Varbind[] = [];
    for (let k = 0; k < requested.length; k++) {
      const r = requested[k] as { oid: string; arcs: number[] };
      const vb = nextOf(r.oid, r.arcs);
      if (v1 && vb.type === "EndOfMibView")
        return { errorStatus: ErrorStatus.noSuchName, errorIndex: k + 1, varbinds: echo() };
      varbinds.push(vb);
    }
    return { errorStatus: ErrorStatus.noError, errorIndex: 0, varbinds };
  }

  if (v1) return null;
  const nonRepeaters = Math.min(Math.max(query.nonRepeaters ?? 0, 0), requested.length);
  const maxRepetitions = Math.max(query.maxRepetitions ?? 0, 0);
  const budget = options.maxResponseBytes ?? 60_000;
  const varbinds: Varbind[] = [];
  let bytes = 0;
  for (let k = 0; k < nonRepeaters; k++) {
    const r = requested[k] as { oid: string; arcs: number[] };
    const vb = nextOf(r.oid, r.arcs);
    varbinds.push(vb);
    bytes += estimateBytes(vb);
  }
  const cursors = requested.slice(nonRepeaters).map((r) => ({ oid: r.oid, arcs: r.arcs }));
  for (let rep = 0; rep < maxRepetitions && cursors.length > 0; rep++) {
    const row: Varbind[] = [];
    let rowBytes = 0;
    let allEnd = true;
    for (const c of cursors) {
      const vb = nextOf(c.oid, c.arcs);
      row.push(vb);
      rowBytes += estimateBytes(vb);
      if (vb.type !== "EndOfMibView") {
        allEnd = false;
        c.oid = vb.oid;
        c.arcs = parseOid(vb.oid);
      }
    }
    // A partial answer is allowed (RFC 3416 §4.2.3), a split repetition row is not.
    if (bytes + rowBytes > budget && rep > 0) break;
    varbinds.push(...row);
    bytes += rowBytes;
    if (allEnd) break;
  }
  return { errorStatus: ErrorStatus.noError, errorIndex: 0, varbinds };
}
