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
  type AgentAlarm,
  ALARM_KINDS,
  type AlarmCondition,
  type AlarmInput,
  type AlarmKind,
  AlarmMonitor,
  type AlarmSettings,
  type AlarmTransition,
  type AlarmWebhookBody,
  type AlarmWebhookOptions,
  type AlarmWebhookResult,
  alarmSettings,
  DEFAULT_ALARM_SETTINGS,
  evaluateAlarms,
  type MeterDrop,
  type MeterRegression,
  meterRegressions,
  postAlarmWebhook,
  raiseBaseline,
  reconcileAlarms,
  webhookRetryDelayMs,
} from "./alarms.js";
export { type AgentCheckOptions, type AgentCheckResult, checkAgent } from "./check.js";
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
  parseDurationMs,
  parseWindow,
  type TransmissionWindow,
} from "./duration.js";
export {
  type AgentHealth,
  type AgentHttpOptions,
  type AgentHttpServer,
  agentHealth,
  agentStatusReport,
  createAgentHttpHandler,
  DEFAULT_MAX_SYNC_AGE_MS,
  type ListenAddress,
  parseListenAddress,
  startAgentHttpServer,
} from "./http.js";
export { AgentMetrics, agentMetrics, observeReader } from "./metrics.js";
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
  type StoredReading,
} from "./outbox.js";
export {
  type FallbackIdentity,
  macIdentity,
  type PolledReading,
  selectMeters,
  toBillingRead,
  toDeviceInfo,
  toPolledReading,
  toSuppliesReport,
} from "./readings.js";
export {
  type AgentSetupOptions,
  type AgentSetupResult,
  agentSetupConfig,
  defaultProxyId,
  type ProxyKeyType,
  writeAgentSetup,
} from "./setup.js";
export { renderStatusPage } from "./status-page.js";
export {
  type AgentStatusReport,
  type DeviceMeterRow,
  type DeviceStatusRow,
  type DeviceSupplyRow,
  deviceStatusRow,
  type OutboxStatusReport,
  outboxStatusReport,
  type ParkedEntryRow,
  type QuarantinedRowSummary,
} from "./status-report.js";
