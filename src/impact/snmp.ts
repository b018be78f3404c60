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
 * Polls one simulated printer as the agent does: a full discovery reading (once a day), then
 * a steady poll with the poll plan it produced (every 2 hours in between), and counts the UDP
 * payload bytes of every request and answer of each (retries included, if any happened).
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
      const callOptions = options.abortSignal ? { abortSignal: options.abortSignal } : {};
      const target = { host, port: relay.port };
      const full = await reader.readPlanned(target, null, callOptions);
      const c = relay.count();
      const measured: SnmpPollMeasurement = {
        requestBytes: c.upBytes,
        responseBytes: c.downBytes,
        datagrams: c.units,
        device: fleet.devices[0]?.model ?? model,
      };
      if (!full.plan) return measured;
      const steady = await reader.readPlanned(target, full.plan, callOptions);
      if (steady.kind !== "steady") return measured;
      const s = relay.count();
      return {
        ...measured,
        steady: {
          requestBytes: s.upBytes - c.upBytes,
          responseBytes: s.downBytes - c.downBytes,
          datagrams: s.units - c.units,
        },
      };
    } finally {
      await relay.close();
    }
  } finally {
    await fleet.close();
  }
}
