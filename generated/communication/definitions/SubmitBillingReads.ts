// generated — do not edit; run npm run codegen
import type { Read } from "./Read.js";

/** SubmitBillingReads */
export interface SubmitBillingReads {
    /** Token|xsd:string|minLength,maxLength */
    ProxyId?: string;
    /** Read[] */
    Read?: Array<Read>;
}
