/**
 * The client engine: {@link Agent}, its durable {@link Outbox}, configuration and clocks.
 * @module
 */
export {
  Agent,
  type AgentCallOptions,
  type AgentEvents,
  type AgentLogger,
  type AgentOptions,
  type AgentReader,
  type AgentStatus,
  type AgentStuck,
  type AgentTransport,
  type CommittedEvent,
  type DeviceEvent,
  type DeviceReplacedEvent,
  isPermanent,
  type ParkedEvent,
  type PollFailure,
  type PollSummary,
  type SentEvent,
  type SyncSummary,
  stuckRemedy,
} from "./agent.js";
export {
  type Clock,
  ManualClock,
  ScaledClock,
  type ScaledClockOptions,
  SystemClock,
  type TimerHandle,
} from "./clock.js";
export {
  type AgentConfig,
  type AgentSignatureAlgorithm,
  type LogLevel,
  loadAgentConfig,
  type ParseAgentConfigOptions,
  parseAgentConfig,
} from "./config.js";
export { DeviceRegistry, type KnownDevice, type SightingOutcome } from "./devices.js";
export {
  formatDuration,
  nextSyncAt,
  parseDurationMs,
  parseTimeOfDay,
  parseWindow,
  type TransmissionWindow,
  windowLengthMs,
  windowOpenedAt,
} from "./duration.js";
export {
  Outbox,
  type OutboxEntry,
  type OutboxInput,
  type OutboxKind,
  type OutboxOpenReport,
  type OutboxOptions,
  type OutboxState,
  type OutboxStats,
  type QuarantinedRow,
  retryDelayMs,
  type StoredReading,
  toStorageError,
} from "./outbox.js";
export {
  type PolledReading,
  selectMeters,
  toBillingRead,
  toDeviceInfo,
  toPolledReading,
  toSuppliesReport,
} from "./readings.js";
