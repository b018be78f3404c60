// generated — do not edit; run npm run codegen
/**
 * SuppliesRequest
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface SuppliesRequest {
    /** Serial|xsd:string|minLength,maxLength */
    Serial?: string;
    /** xsd:int */
    IntervalSeconds?: number;
}
