// generated — do not edit; run npm run codegen
/**
 * Supply
 * @targetNSAlias `tns`
 * @targetNamespace `urn:esolutions:communication:v1`
 */
export interface Supply {
    /** Token|xsd:string|minLength,maxLength */
    Index?: string;
    /** Text|xsd:string|maxLength */
    Description?: string;
    /** Token|xsd:string|minLength,maxLength */
    Colorant?: string;
    /** Token|xsd:string|minLength,maxLength */
    Type?: string;
    /** Token|xsd:string|minLength,maxLength */
    Unit?: string;
    /** xsd:int */
    Max?: number;
    /** xsd:int */
    Level?: number;
    /** xsd:int */
    Percent?: number;
    /** Token|xsd:string|minLength,maxLength */
    State?: string;
}
