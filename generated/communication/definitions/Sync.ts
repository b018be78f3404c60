// generated — do not edit; run npm run codegen
import type { Status } from "./Status.js";

/** Sync */
export interface Sync {
    /** Token|xsd:string|minLength,maxLength */
    ProxyId?: string;
    /** xsd:dateTime, ISO 8601 with `Z` on the wire (node-soap writes a JS Date as an empty element) */
    ClientTime?: string;
    /** Status[] */
    Status?: Array<Status>;
}
