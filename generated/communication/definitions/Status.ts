// generated — do not edit; run npm run codegen
/**
 * Status
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface Status {
    /** Serial|xsd:string|minLength,maxLength */
    Serial?: string;
    /** DeviceState|xsd:string|ok,silent,replaced,disabled */
    State?: string;
    /** xsd:dateTime, ISO 8601 with `Z` on the wire (node-soap writes a JS Date as an empty element) */
    LastReadAt?: string;
    /** Text|xsd:string|maxLength */
    Detail?: string;
}
