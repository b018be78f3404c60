// generated — do not edit; run npm run codegen
import type { Meter } from "./Meter.js";

/**
 * Read
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface Read {
    /** IdempotencyKey|xsd:string|minLength,maxLength */
    Key?: string;
    /** Serial|xsd:string|minLength,maxLength */
    Serial?: string;
    /** xsd:dateTime, ISO 8601 with `Z` on the wire (node-soap writes a JS Date as an empty element) */
    ReadAt?: string;
    /** Token|xsd:string|minLength,maxLength */
    Cycle?: string;
    /** Meter[] */
    Meter?: Array<Meter>;
}
