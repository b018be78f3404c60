// generated — do not edit; run npm run codegen
import type { Ack } from "./Ack.js";

/** SubmitBillingReadsResponse */
export interface SubmitBillingReadsResponse {
    /** Ack */
    Ack?: Ack;
}
