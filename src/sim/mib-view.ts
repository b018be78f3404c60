/**
 * A device's MIB as one sorted array of varbinds with pre-parsed OID keys: lookups and
 * "next" are binary searches, far cheaper per device than a tree of providers.
 * Pure: no sockets.
 * @module
 */
import { ValidationError } from "../errors.js";
import type { Varbind } from "../snmp/varbind.js";

/** Parses a dotted OID (leading dot allowed) into its arcs; refuses anything else. */
export function parseOid(oid: string): number[] {
  const text = oid.startsWith(".") ? oid.slice(1) : oid;
  const parts = text.split(".");
  const arcs: number[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? "";
    const n = Number(p);
    if (p === "" || !Number.isInteger(n) || n < 0 || n > 4294967295 || !/^\d+$/.test(p))
      throw new ValidationError("INVALID_OID", `"${oid.slice(0, 60)}" is not a dotted OID`);
    arcs[i] = n;
  }
  return arcs;
}

/** Numeric lexicographic order of two parsed OIDs (SNMP order). */
export function compareArcs(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when `oid` is `prefix` or lies under it. */
function startsWithArcs(oid: readonly number[], prefix: readonly number[]): boolean {
  if (oid.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (oid[i] !== prefix[i]) return false;
  return true;
}

/**
 * An immutable, sorted set of varbinds answering exact and "next" lookups in O(log n).
 *
 * @example
 * ```ts
 * const view = new MibView(parseSnmprec(text));
 * const i = view.indexAfter("1.3.6.1.2.1.43"); // first OID of the Printer-MIB
 * ```
 */
export class MibView {
  /** The varbinds, sorted by OID. */
  readonly varbinds: readonly Varbind[];
  readonly #keys: number[][];

  /** Sorts `varbinds` (a copy) and refuses a duplicated OID. */
  constructor(varbinds: readonly Varbind[]) {
    const keyed = varbinds.map((vb) => ({ vb, key: parseOid(vb.oid) }));
    keyed.sort((a, b) => compareArcs(a.key, b.key));
    for (let i = 1; i < keyed.length; i++) {
      if (compareArcs((keyed[i - 1] as { key: number[] }).key, (keyed[i] as { key: number[] }).key) === 0)
        throw new ValidationError("INVALID_MIB_VIEW", `OID ${keyed[i]?.vb.oid} appears twice`);
    }
    this.varbinds = keyed.map((k) => k.vb);
    this.#keys = keyed.map((k) => k.key);
  }

  /** Number of varbinds. */
  get size(): number {
    return this.varbinds.length;
  }

  /** The varbind at sorted position `i`, or undefined. */
  at(i: number): Varbind | undefined {
    return this.varbinds[i];
  }

  /** Position of the first varbind whose OID is >= `arcs` (may be `size`). */
  lowerBound(arcs: readonly number[]): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareArcs(this.#keys[mid] as number[], arcs) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position of the varbind with exactly this OID, or -1. */
  indexOf(oid: string | readonly number[]): number {
    const arcs = typeof oid === "string" ? parseOid(oid) : oid;
    const i = this.lowerBound(arcs);
    const key = this.#keys[i];
    return key !== undefined && compareArcs(key, arcs) === 0 ? i : -1;
  }

  /** Position of the first varbind whose OID is strictly greater than `oid` (may be `size`). */
  indexAfter(oid: string | readonly number[]): number {
    const arcs = typeof oid === "string" ? parseOid(oid) : oid;
    const i = this.lowerBound(arcs);
    const key = this.#keys[i];
    return key !== undefined && compareArcs(key, arcs) === 0 ? i + 1 : i;
  }

  /** The exact varbind for `oid`, or undefined. */
  get(oid: string): Varbind | undefined {
    const i = this.indexOf(oid);
    return i < 0 ? undefined : this.varbinds[i];
  }

  /** True when some varbind lies strictly under `prefix` (the OID names an interior node). */
  hasDescendants(arcs: readonly number[]): boolean {
    const key = this.#keys[this.indexAfter(arcs)];
    return key !== undefined && key.length > arcs.length && startsWithArcs(key, arcs);
  }

  /** Range `[start, end)` of positions under `prefix` (inclusive of `prefix` itself). */
  subtreeRange(prefix: string): [number, number] {
    const arcs = parseOid(prefix);
    const start = this.lowerBound(arcs);
    let end = start;
    while (end < this.#keys.length && startsWithArcs(this.#keys[end] as number[], arcs)) end++;
    return [start, end];
  }
}
