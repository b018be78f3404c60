/**
 * esolutions-sdk: build eSolutions clients — poll printers over SNMP for billing
 * meters and supplies, and talk to a Communication Server over signed SOAP 1.1.
 *
 * @packageDocumentation
 */

export * from "./agent/index.js";
export * from "./errors.js";
export * from "./impact/index.js";
export * from "./snmp/index.js";
export * from "./soap/index.js";
export * from "./wssec/index.js";
