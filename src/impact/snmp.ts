/**
 * SNMP bytes of one full poll of one device: the real {@link PrinterReader} reads a
 * simulated printer through a UDP relay that counts every payload both ways.
 * @module
 */

import { ConfigError } from "../errors.js";
import { type PrinterModelId, startFleet } from "../sim/index.js";
import { PrinterReader } from "../snmp/index.js";
import type { SnmpPollMeasurement } from "./model.js";
import { startUdpRelay } from "./relay.js";

/** Options of {@link measureSnmpPoll}. */
export interface MeasureSnmpPollOptions {
  /** Synthetic printer model of the simulator; default `xerox`. Ignored with `recording`. */
  model?: string;
  /** An `.snmprec` file to serve instead of a synthetic model. */
  recording?: string;
  /** UDP port of the simulated printer (loopback); default a free one the simulator finds itself. */
  agentPort?: number;
  /** UDP port of the counting relay; default 0 (ephemeral). */
  relayPort?: number;
  /** Loopback address; default `127.0.0.1`. */
  host?: string;
  /** Cancels the poll. */
  abortSignal?: AbortSignal;
}

/**
 * Polls one simulated printer once, as the agent does every 2 hours, and counts the UDP
 * payload bytes of every request and answer (retries included, if any happened).
 *
 * @throws ConfigError `ARG_INVALID` for a non-loopback host; the simulator's and reader's errors otherwise.
 * @example
 * ```ts
 * const snmp = await measureSnmpPoll({ agentPort: 16161 });
 * const report = await measureImpact({ snmp });
 * ```
 */
export async function measureSnmpPoll(options: MeasureSnmpPollOptions = {}): Promise<SnmpPollMeasurement> {
  const host = options.host ?? "127.0.0.1";
  if (host !== "127.0.0.1" && host !== "::1") {
    throw new ConfigError("ARG_INVALID", `host: measurements run on loopback only, not ${host}`);
  }
  const model = options.model ?? "xerox";
  const fleet = await startFleet(
    options.recording
      ? { recordings: options.recording }
      : { count: 1, models: [model as PrinterModelId], seed: 1 },
    {
      ...(options.agentPort !== undefined ? { basePort: options.agentPort } : {}),
      host,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    },
  );
  try {
    const relay = await startUdpRelay({ host, port: options.relayPort ?? 0, targetPort: fleet.firstPort });
    try {
      const reader = new PrinterReader({ credentials: { version: "v2c", community: "public" } });
      await reader.read(
        { host, port: relay.port },
        options.abortSignal ? { abortSignal: options.abortSignal } : {},
      );
      const c = relay.count();
      return {
        requestBytes: c.upBytes,
        responseBytes: c.downBytes,
        datagrams: c.units,
        device: fleet.devices[0]?.model ?? model,
      };
    } finally {
      await relay.close();
    }
  } finally {
    await fleet.close();
  }
}
