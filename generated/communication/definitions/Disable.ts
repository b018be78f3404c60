// generated — do not edit; run npm run codegen
/**
 * Disable
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface Disable {
    /** Serial|xsd:string|minLength,maxLength */
    Serial?: string;
    /** Text|xsd:string|maxLength */
    Reason?: string;
}
