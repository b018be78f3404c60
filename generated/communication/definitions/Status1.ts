// generated — do not edit; run npm run codegen
/**
 * Status
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface Status1 {
    /** Serial|xsd:string|minLength,maxLength */
    Serial?: string;
    /** Service|xsd:string|billing,supplies */
    Service?: string;
    /** xsd:boolean */
    Enabled?: boolean;
    /** Text|xsd:string|maxLength */
    Detail?: string;
}
