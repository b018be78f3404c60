/**
 * The printer fleet simulator (`esolutions-sdk/sim`): SNMP agents on loopback that serve
 * snmpsim recordings or synthetic printers whose meters advance, with faults on demand.
 *
 * @example
 * ```ts
 * import { startFleet } from "esolutions-sdk/sim";
 * const fleet = await startFleet({ count: 100, seed: 1 }, { basePort: 25000 });
 * console.log(fleet.devices[0]?.port, fleet.devices[0]?.serial);
 * await fleet.close();
 * ```
 * @module
 */
export {
  type AgentBehaviour,
  type AgentOptions,
  type RunningAgent,
  type SimV3User,
  startAgent,
} from "./agent.js";
export { SimClock, type SimClockOptions } from "./clock.js";
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
  type AlertTruth,
  type BillingMeterSpec,
  BUILTIN_MODELS,
  bootState,
  createProfile,
  type DeviceProfile,
  type DeviceRuntime,
  type DeviceTruth,
  deviceTruth,
  deviceVarbinds,
  hash32,
  type MeterTruth,
  MODEL_IDS,
  type ModelQuirks,
  modelById,
  type PrinterModel,
  type PrinterModelId,
  type SupplySpec,
  type SupplyTruth,
} from "./models.js";
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
export { type ParseSnmprecOptions, parseSnmprec } from "./snmprec.js";
