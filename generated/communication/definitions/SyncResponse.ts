// generated — do not edit; run npm run codegen
import type { Configure } from "./Configure.js";
import type { EnableService } from "./EnableService.js";
import type { BillingRequest } from "./BillingRequest.js";
import type { SuppliesRequest } from "./SuppliesRequest.js";
import type { Disable } from "./Disable.js";

/** SyncResponse */
export interface SyncResponse {
    /** xsd:dateTime, ISO 8601 with `Z` on the wire (node-soap writes a JS Date as an empty element) */
    ServerTime?: string;
    /** Configure */
    Configure?: Configure;
    /** EnableService[] */
    EnableService?: Array<EnableService>;
    /** BillingRequest[] */
    BillingRequest?: Array<BillingRequest>;
    /** SuppliesRequest[] */
    SuppliesRequest?: Array<SuppliesRequest>;
    /** Disable[] */
    Disable?: Array<Disable>;
}
