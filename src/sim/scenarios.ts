/**
 * Named site scenarios: a synthetic fleet and its faults that make an agent raise one of its
 * alarms (issue 17, docs/running-the-agent.md "Alarms"), for end-to-end tests and for trying
 * an agent by hand (`esol sim --scenario NAME`). The simulator plays only the printers; what the
 * agent or the server must do for the scenario to play out is stated in
 * {@link SimScenario.agentSide}. Pure.
 * @module
 */
import { ConfigError } from "../errors.js";
import type { DeviceFaults } from "./faults.js";
import type { SyntheticSource } from "./fleet.js";

/** Every built-in scenario, in the order `esol sim --help` lists them. */
export const SIM_SCENARIO_NAMES = ["serial-swap", "no-serial", "outbox-near-limit"] as const;

/** A built-in scenario's name (see {@link SIM_SCENARIO_NAMES}). */
export type SimScenarioName = (typeof SIM_SCENARIO_NAMES)[number];

/** Options of {@link simScenario}. */
export interface SimScenarioOptions {
  /** Devices in the fleet. Default 4 (at least 2: one device shows the fault, the others stay healthy). */
  count?: number;
  /** Fleet seed. Default 7. */
  seed?: number;
  /** Index of the device that shows the fault (`serial-swap`, `no-serial`). Default 1. */
  device?: number;
  /** Simulated ms after the fleet's start at which the device is swapped (`serial-swap`). Default 2 days. */
  swapAfterMs?: number;
}

/** What the agent side needs for a scenario to play out (the simulator does not run the agent or the server). */
export interface ScenarioAgentSide {
  /**
   * `outbox.maxEntries` the agent must run with (`outbox-near-limit`): sized so that the daily
   * supplies reports of the fleet's devices reach `storage-nearly-full` (80 %) within
   * {@link ScenarioAgentSide.nearlyFullWithinMs} once deliveries stop.
   */
  outboxMaxEntries?: number;
  /** Stop the Communication Server (or cut the path to it) this long after the agent's first sync. */
  serverDownAfterFirstSyncMs?: number;
  /** Upper bound of simulated time, from the moment the scenario's cause starts, before the alarm must be raised. */
  nearlyFullWithinMs?: number;
  /** One line for a person: what to do on the agent side. */
  note: string;
}

/** A scenario: which alarm it raises, the fleet, its faults and what the agent side must do. */
export interface SimScenario {
  /** Name. */
  name: SimScenarioName;
  /** One line: what happens on the simulated site. */
  description: string;
  /** The agent alarm the scenario raises. */
  alarm: "device-replaced" | "device-not-billable" | "storage-nearly-full";
  /** The fleet to start ({@link startFleet}'s first argument). */
  source: SyntheticSource & {
    /** Devices. */
    count: number;
    /** Seed. */
    seed: number;
  };
  /** Per-device faults ({@link FleetOptions.faults}). */
  faults: ReadonlyMap<number, DeviceFaults>;
  /** What the agent side must do. */
  agentSide: ScenarioAgentSide;
}

const DAY_MS = 86_400_000;

/**
 * Builds scenario `name`. Throws `ConfigError` `SIM_SCENARIO` for an unknown name or an option
 * outside the fleet.
 *
 * @example
 * ```ts
 * import { simScenario, startFleet } from "esolutions-sdk/sim";
 *
 * const s = simScenario("serial-swap", { count: 3, swapAfterMs: 86_400_000 });
 * const fleet = await startFleet(s.source, { faults: s.faults });
 * // poll it with an agent for more than a simulated day: alarm "device-replaced" for device 1
 * await fleet.close();
 * ```
 */
export function simScenario(name: string, options: SimScenarioOptions = {}): SimScenario {
  const count = options.count ?? 4;
  const seed = options.seed ?? 7;
  const device = options.device ?? 1;
  if (!Number.isInteger(count) || count < 2)
    throw new ConfigError("SIM_SCENARIO", `scenario ${name}: count must be an integer >= 2, got ${count}`);
  if (!Number.isInteger(device) || device < 0 || device >= count)
    throw new ConfigError(
      "SIM_SCENARIO",
      `scenario ${name}: device ${device} is outside the fleet (0..${count - 1})`,
    );
  const source = { count, seed };
  switch (name) {
    case "serial-swap": {
      const swapAfterMs = options.swapAfterMs ?? 2 * DAY_MS;
      if (!Number.isFinite(swapAfterMs) || swapAfterMs <= 0)
        throw new ConfigError(
          "SIM_SCENARIO",
          `scenario ${name}: swapAfterMs must be a number > 0, got ${swapAfterMs}`,
        );
      return {
        name,
        description: `device ${device} is replaced by another printer at the same address ${swapAfterMs / 3_600_000} simulated hour(s) after the start: new serial and MAC, meters counted from the swap`,
        alarm: "device-replaced",
        source,
        faults: new Map([[device, { serialChangeAfterMs: swapAfterMs }]]),
        agentSide: { note: "poll the fleet before and after the swap" },
      };
    }
    case "no-serial":
      return {
        name,
        description: `device ${device} answers SNMP but reports no serial number (prtGeneralSerialNumber and the vendor serial OID absent)`,
        alarm: "device-not-billable",
        source,
        faults: new Map([[device, { noSerial: true }]]),
        agentSide: { note: 'poll the fleet with devices.fallbackIdentity "none" (the default)' },
      };
    case "outbox-near-limit": {
      // Once deliveries stop, each device commits one supplies report a day (the reference
      // server's default supplies interval): 5 entries per device put 80 % of the outbox at
      // 4 days of outage, well inside 6.
      const outboxMaxEntries = 5 * count;
      return {
        name,
        description: `${count} healthy devices keep printing while their readings cannot be delivered`,
        alarm: "storage-nearly-full",
        source,
        faults: new Map(),
        agentSide: {
          outboxMaxEntries,
          serverDownAfterFirstSyncMs: 2 * DAY_MS,
          nearlyFullWithinMs: 6 * DAY_MS,
          note: `run the agent with outbox.maxEntries ${outboxMaxEntries} and a daily poll, let it sync for 2 days (supplies reports enabled), then stop the server`,
        },
      };
    }
    default:
      throw new ConfigError(
        "SIM_SCENARIO",
        `unknown scenario "${name}" (known: ${SIM_SCENARIO_NAMES.join(", ")})`,
      );
  }
}
