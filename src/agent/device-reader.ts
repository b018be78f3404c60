/**
 * The one place that turns an agent's `devices` settings into the {@link PrinterReader}
 * it polls with, so that the agent, `esol agent check` and `esol agent --http` read
 * devices the same way (credentials, timeout, retries, supply threshold).
 * @module
 */
import { PrinterReader, type PrinterReaderOptions } from "../snmp/reader.js";
import type { AgentConfig } from "./config.js";

/**
 * The reader for an agent's `devices` section: credential profiles, SNMP timeout and
 * retries, and `lowSupplyPercent` (the percent at or below which a consumable is `low`
 * and a waste container `nearlyFull`). `extra` adds reader options the configuration
 * does not hold (meter maps, …); it cannot override the configured ones.
 *
 * @example
 * ```ts
 * const reader = readerForDevices(loadAgentConfig("agent.yaml").devices);
 * ```
 */
export function readerForDevices(
  devices: AgentConfig["devices"],
  extra: Omit<PrinterReaderOptions, "profiles" | "timeoutMs" | "retries" | "lowSupplyPercent"> = {},
): PrinterReader {
  return new PrinterReader({
    ...extra,
    profiles: devices.profiles,
    timeoutMs: devices.timeoutMs,
    retries: devices.retries,
    lowSupplyPercent: devices.lowSupplyPercent,
  });
}
