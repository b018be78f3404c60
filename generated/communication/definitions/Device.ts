// generated — do not edit; run npm run codegen
/**
 * Device
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface Device {
    /** Serial|xsd:string|minLength,maxLength */
    Serial?: string;
    /** Text|xsd:string|maxLength */
    Vendor?: string;
    /** Text|xsd:string|maxLength */
    Model?: string;
    /** Text|xsd:string|maxLength */
    Mac?: string;
    /** Text|xsd:string|maxLength */
    Address?: string;
}
