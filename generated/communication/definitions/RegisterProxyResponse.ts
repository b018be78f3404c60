// generated — do not edit; run npm run codegen
/** RegisterProxyResponse */
export interface RegisterProxyResponse {
    /** Token|xsd:string|minLength,maxLength */
    ProxyId?: string;
    /** xsd:dateTime, ISO 8601 with `Z` on the wire (node-soap writes a JS Date as an empty element) */
    ServerTime?: string;
    /** xsd:boolean */
    Duplicate?: boolean;
}
