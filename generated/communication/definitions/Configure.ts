// generated — do not edit; run npm run codegen
/**
 * Configure
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface Configure {
    /** xsd:int */
    PollIntervalSeconds?: number;
    /** TimeOfDay|xsd:string|pattern */
    WindowStart?: string;
    /** TimeOfDay|xsd:string|pattern */
    WindowEnd?: string;
}
