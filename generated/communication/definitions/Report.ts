// generated — do not edit; run npm run codegen
import type { Supply } from "./Supply.js";

/**
 * Report
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface Report {
    /** IdempotencyKey|xsd:string|minLength,maxLength */
    Key?: string;
    /** Serial|xsd:string|minLength,maxLength */
    Serial?: string;
    /** xsd:dateTime, ISO 8601 with `Z` on the wire (node-soap writes a JS Date as an empty element) */
    ReadAt?: string;
    /** Supply[] */
    Supply?: Array<Supply>;
}
