// generated — do not edit; run npm run codegen
/**
 * Meter
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface Meter {
    /** Token|xsd:string|minLength,maxLength */
    Name?: string;
    /** MeterValue|xsd:long|minInclusive */
    Value?: string;
    /** Token|xsd:string|minLength,maxLength */
    Unit?: string;
}
