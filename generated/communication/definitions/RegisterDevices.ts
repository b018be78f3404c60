// generated — do not edit; run npm run codegen
import type { Device } from "./Device.js";

/** RegisterDevices */
export interface RegisterDevices {
    /** IdempotencyKey|xsd:string|minLength,maxLength */
    Key?: string;
    /** Token|xsd:string|minLength,maxLength */
    ProxyId?: string;
    /** Device[] */
    Device?: Array<Device>;
}
