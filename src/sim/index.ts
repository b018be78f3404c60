/**
 * The printer fleet simulator (`esolutions-sdk/sim`): SNMP agents on loopback, one UDP port
 * per device, that serve snmpsim `.snmprec` recordings or synthetic printers whose meters
 * advance with a simulated clock, with faults on demand. Tests and benchmarks compare what a
 * reader read with {@link FleetDevice.truth}.
 *
 * - {@link startFleet}: `{ recordings: dir }` (community = file name, or `public`) or
 *   `{ count, models?, seed? }` from {@link BUILTIN_MODELS}; v1, v2c and SNMPv3 users.
 * - {@link SimClock}: `rate` simulated ms per real ms, `advance(ms)` for "a month later" (a
 *   {@link ScaledClock}, the SDK's one {@link Clock} type; any `Clock` can drive a fleet).
 * - {@link parseFaultSpec} / {@link DeviceFaults}: timeout, slow, nobulk, backwards, loop,
 *   truncate, badber, wrap, reboot, serial, community, noserial.
 * - {@link simScenario}: named site scenarios (`serial-swap`, `no-serial`, `outbox-near-limit`)
 *   that make an agent raise an alarm.
 * - {@link MibView} and {@link answerQuery}: the pure GET / GETNEXT / GETBULK logic.
 *
 * @example
 * ```ts
 * import { startFleet } from "esolutions-sdk/sim";
 *
 * const fleet = await startFleet(
 *   { count: 100, seed: 1 },
 *   { basePort: 25000, clock: { rate: 0 }, faults: "3:timeout,7:loop" },
 * );
 * const before = fleet.devices[0]?.truth()?.lifeCount;
 * fleet.clock.advance(30 * 86_400_000); // a month of printing
 * const after = fleet.devices[0]?.truth()?.lifeCount; // what a reader must now read at port 25000
 * await fleet.close();
 * ```
 * @module
 */

export {
  type Clock,
  ScaledClock,
  type ScaledClockOptions,
  type TimerHandle,
} from "../clock.js";
export {
  type AgentBehaviour,
  type RunningAgent,
  type SimulatedAgentOptions,
  type SimV3User,
  startAgent,
} from "./agent.js";
export { SimClock, type SimClockOptions } from "./clock.js";
export { deviceVarbinds } from "./device-mib.js";
export { type DeviceFaults, FAULT_SPEC_HELP, parseFaultSpec } from "./faults.js";
export {
  type FleetDevice,
  type FleetOptions,
  type FleetSource,
  loadRecordings,
  type PrinterFleet,
  type RecordingsSource,
  type SyntheticSource,
  startFleet,
} from "./fleet.js";
export { compareArcs, MibView, parseOid } from "./mib-view.js";
export {
  type BillingMeterSpec,
  BUILTIN_MODELS,
  MODEL_IDS,
  type ModelQuirks,
  modelById,
  type PrinterModel,
  type PrinterModelId,
  type SupplySpec,
} from "./models.js";
export { FREE_RANGE_ATTEMPTS, FREE_RANGE_PORTS } from "./ports.js";
export { createProfile, type DeviceProfile, hash32 } from "./profile.js";
export {
  type AnswerOptions,
  answerQuery,
  ErrorStatus,
  type QueryKind,
  type SnmpAnswer,
  type SnmpQuery,
  type SnmpVersion,
  type WalkFault,
  walkFaultPosition,
} from "./responder.js";
export {
  type ScenarioAgentSide,
  SIM_SCENARIO_NAMES,
  type SimScenario,
  type SimScenarioName,
  type SimScenarioOptions,
  simScenario,
} from "./scenarios.js";
export { type ParseSnmprecOptions, parseSnmprec } from "./snmprec.js";
export {
  type AlertTruth,
  bootState,
  type DeviceRuntime,
  type DeviceTruth,
  deviceTruth,
  type MeterTruth,
  type SupplyTruth,
} from "./truth.js";
