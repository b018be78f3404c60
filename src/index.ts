/**
 * esolutions-sdk: build eSolutions clients — poll printers over SNMP for billing
 * meters and supplies, and talk to a Communication Server over signed SOAP 1.1.
 *
 * What an integrator uses: the client, the signer and verifier, the MIB reader, the agent,
 * the errors and the models. The network impact measurer (which starts the reference
 * server and a simulated printer) is `esolutions-sdk/impact`, the server
 * `esolutions-sdk/server`, the simulator `esolutions-sdk/sim`, so importing this entry loads
 * none of them.
 *
 * @packageDocumentation
 */

export * from "./agent/index.js";
export * from "./errors.js";
export * from "./snmp/index.js";
export * from "./soap/index.js";
export * from "./wssec/index.js";
