// generated — do not edit; run npm run codegen
/** RegisterProxy */
export interface RegisterProxy {
    /** IdempotencyKey|xsd:string|minLength,maxLength */
    Key?: string;
    /** Token|xsd:string|minLength,maxLength */
    ProxyId?: string;
    /** Text|xsd:string|maxLength */
    Site?: string;
    /** Text|xsd:string|maxLength */
    Software?: string;
    /** Text|xsd:string|maxLength */
    Host?: string;
}
