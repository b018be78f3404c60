// generated — do not edit; run npm run codegen
import type { Ack } from "./Ack.js";

/** ReportSyncStatusResponse */
export interface ReportSyncStatusResponse {
    /** Ack */
    Ack?: Ack;
}
