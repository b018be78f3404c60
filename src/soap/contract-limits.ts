/**
 * The Communication Service contract's size limits, as generated from the XSD of
 * `wsdl/communication.wsdl` into `generated/communication/limits.ts` by `npm run codegen`: the
 * one copy the client mappers, the reference server's validators and the agent read (only
 * `src/soap/` imports `generated/`, so the others import them from here).
 * @module
 */
import { OCCURS, SIMPLE_TYPES } from "../../generated/communication/limits.js";

export { OCCURS, SIMPLE_TYPES };

/** Names of the contract's simple types that bound a string's length (XML Schema Part 2 §4.3.2–4.3.3). */
export type BoundedTextType = {
  [K in keyof typeof SIMPLE_TYPES]: (typeof SIMPLE_TYPES)[K] extends { maxLength: number } ? K : never;
}[keyof typeof SIMPLE_TYPES];

/** Length bounds of a string, in characters. */
export interface LengthBounds {
  /** `minLength`; 0 when the schema gives none. */
  min: number;
  /** `maxLength`. */
  max: number;
}

/** Occurrence bounds of a repeated element. */
export interface OccursBounds {
  /** `minOccurs`. */
  min: number;
  /** `maxOccurs`; `Infinity` for `unbounded`. */
  max: number;
}

/**
 * The `minLength`/`maxLength` facets of a bounded string type of the contract.
 * @example
 * ```ts
 * textLength("Serial"); // { min: 1, max: 64 }
 * ```
 */
export function textLength(type: BoundedTextType): LengthBounds {
  const facets: { minLength?: number; maxLength: number } = SIMPLE_TYPES[type];
  return { min: facets.minLength ?? 0, max: facets.maxLength };
}

/**
 * The `minOccurs`/`maxOccurs` of a repeated element, by `Owner.Element`.
 * @example
 * ```ts
 * occurs("SubmitBillingReads.Read"); // { min: 1, max: 5000 }
 * ```
 */
export function occurs(element: keyof typeof OCCURS): OccursBounds {
  const o: { minOccurs: number; maxOccurs: number | "unbounded" } = OCCURS[element];
  return { min: o.minOccurs, max: o.maxOccurs === "unbounded" ? Number.POSITIVE_INFINITY : o.maxOccurs };
}
