// generated — do not edit; run npm run codegen
import type { Status1 } from "./Status1.js";

/** ReportSyncStatus */
export interface ReportSyncStatus {
    /** IdempotencyKey|xsd:string|minLength,maxLength */
    Key?: string;
    /** Token|xsd:string|minLength,maxLength */
    ProxyId?: string;
    /** Status[] */
    Status?: Array<Status1>;
}
