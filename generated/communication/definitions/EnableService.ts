// generated — do not edit; run npm run codegen
/**
 * EnableService
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface EnableService {
    /** Serial|xsd:string|minLength,maxLength */
    Serial?: string;
    /** Service|xsd:string|billing,supplies */
    Service?: string;
}
