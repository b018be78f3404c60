// generated — do not edit; run npm run codegen
/**
 * BillingRequest
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface BillingRequest {
    /** Serial|xsd:string|minLength,maxLength */
    Serial?: string;
    /** Token|xsd:string|minLength,maxLength */
    Cycle?: string;
    /** Token|xsd:string|minLength,maxLength */
    Meter?: Array<string>;
    /** xsd:dateTime, ISO 8601 with `Z` on the wire (node-soap writes a JS Date as an empty element) */
    Due?: string;
}
