/**
 * The typed MIB reader: SNMP sessions, pure MIB decoders and {@link PrinterReader}.
 * @module
 */

export * from "./mib/console.js";
export * from "./mib/counters.js";
export * from "./mib/identity.js";
export * from "./mib/meter-maps.js";
export * from "./mib/meters.js";
export * from "./mib/oids.js";
export * from "./mib/reading.js";
export * from "./mib/status.js";
export * from "./mib/supplies.js";
export { VarbindSet } from "./mib/values.js";
export * from "./mib/vendor-identity.js";
export * from "./poll-plan.js";
export * from "./reader.js";
export * from "./session.js";
export * from "./targets.js";
export * from "./varbind.js";
