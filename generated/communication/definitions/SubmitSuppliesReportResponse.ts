// generated — do not edit; run npm run codegen
import type { Ack } from "./Ack.js";

/** SubmitSuppliesReportResponse */
export interface SubmitSuppliesReportResponse {
    /** Ack */
    Ack?: Ack;
}
