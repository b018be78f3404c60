// generated — do not edit; run npm run codegen
import type { Ack } from "./Ack.js";

/** RegisterDevicesResponse */
export interface RegisterDevicesResponse {
    /** Ack */
    Ack?: Ack;
}
