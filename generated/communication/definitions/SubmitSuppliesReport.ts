// generated — do not edit; run npm run codegen
import type { Report } from "./Report.js";

/** SubmitSuppliesReport */
export interface SubmitSuppliesReport {
    /** Token|xsd:string|minLength,maxLength */
    ProxyId?: string;
    /** Report[] */
    Report?: Array<Report>;
}
