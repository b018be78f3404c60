// generated — do not edit; run npm run codegen
/**
 * Ack
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface Ack {
    /** xsd:int */
    Accepted?: number;
    /** xsd:int */
    Duplicates?: number;
}
