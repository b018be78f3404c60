/**
 * What the engine plugs into: the server transport, the device reader and the logger.
 * {@link CommunicationClient} and {@link PrinterReader} are the defaults; inject others to
 * route calls elsewhere or observe them.
 * @module
 */
import type { SdkError } from "../errors.js";
import type { DeviceReading } from "../snmp/mib/reading.js";
import type { PrinterReader } from "../snmp/reader.js";
import type { CommunicationClient } from "../soap/client.js";
import type {
  Ack,
  RegisterDevicesInput,
  RegisterProxyInput,
  RegisterProxyResult,
  ReportSyncStatusInput,
  SubmitBillingReadsInput,
  SubmitSuppliesReportInput,
  SyncInput,
  SyncResult,
} from "../soap/models.js";

/** Options of one transport call (a subset of the client's `CallOptions`). */
export interface AgentCallOptions {
  /** Cancels the call. */
  abortSignal?: AbortSignal;
}

/**
 * The server operations the agent calls; {@link CommunicationClient} implements it.
 * Inject another implementation to route calls elsewhere (or to observe them).
 */
export interface AgentTransport {
  /** `RegisterProxy`. */
  registerProxy(input: RegisterProxyInput, options?: AgentCallOptions): Promise<RegisterProxyResult>;
  /** `RegisterDevices`. */
  registerDevices(input: RegisterDevicesInput, options?: AgentCallOptions): Promise<Ack>;
  /** `Sync`. */
  sync(input: SyncInput, options?: AgentCallOptions): Promise<SyncResult>;
  /** `ReportSyncStatus`. */
  reportSyncStatus(input: ReportSyncStatusInput, options?: AgentCallOptions): Promise<Ack>;
  /** `SubmitBillingReads`. */
  submitBillingReads(input: SubmitBillingReadsInput, options?: AgentCallOptions): Promise<Ack>;
  /** `SubmitSuppliesReport`. */
  submitSuppliesReport(input: SubmitSuppliesReportInput, options?: AgentCallOptions): Promise<Ack>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The device reads the agent needs; {@link PrinterReader} implements it. */
export interface AgentReader {
  /** Reads one device (`host:port`). */
  read(target: string, options?: { abortSignal?: AbortSignal }): Promise<DeviceReading>;
  /** Reads many devices, yielding each outcome as it finishes. */
  poll(
    targets: readonly string[],
    options?: { concurrency?: number; abortSignal?: AbortSignal },
  ): AsyncIterable<{
    /** The target (`host:port`). */
    target: string;
    /** The reading, when the device answered. */
    reading?: DeviceReading | undefined;
    /** Why it could not be read, otherwise. */
    error?: SdkError | undefined;
  }>;
}

/** A pino-compatible logger. */
export interface AgentLogger {
  /** Debug detail. */
  debug(obj: object, msg?: string): void;
  /** Normal operation. */
  info(obj: object, msg?: string): void;
  /** Something needs attention. */
  warn(obj: object, msg?: string): void;
  /** Something failed. */
  error(obj: object, msg?: string): void;
}
