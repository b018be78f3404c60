/**
 * Delivery of outbox entries: the order kinds are sent in, the batch sizes, the call each
 * kind maps to, and the outcome of delivering a batch (returned, never left in a field).
 * @module
 */
import type { SdkError } from "../errors.js";
import { occurs } from "../soap/contract-limits.js";
import type { Ack, DeviceInfo, ServiceStatus } from "../soap/models.js";
import type { OutboxEntry, OutboxKind } from "./outbox.js";
import type { AgentCallOptions, AgentTransport } from "./ports.js";

/**
 * The order a flush delivers kinds in: devices must be known to the server before a status
 * or a read names them.
 */
export const DELIVERY_ORDER: readonly OutboxKind[] = [
  "register-devices",
  "sync-status",
  "billing-read",
  "supplies-report",
];

/**
 * What delivering a batch came to: `settled` when every entry was acknowledged or parked,
 * `stopped` when delivery must stop for now (a retryable failure, or one the agent got stuck
 * on) with the error that stopped it; the entries then stay due.
 */
export type DeliveryOutcome =
  | {
      /** Every entry acknowledged or parked. */
      kind: "settled";
    }
  | {
      /** Delivery stops for now. */
      kind: "stopped";
      /** Why. */
      error: SdkError;
    };

/**
 * Entries per call: `batchSize` for billing reads and supplies reports (one record each), at
 * most what the contract lets one message carry (`maxOccurs` of `SubmitBillingReads/Read` and
 * `SubmitSuppliesReport/Report`, generated from the XSD), 1 for registrations and status
 * reports (each entry is already a batch).
 */
export function deliveryBatchLimit(kind: OutboxKind, batchSize: number): number {
  if (kind === "billing-read") return Math.min(batchSize, occurs("SubmitBillingReads.Read").max);
  if (kind === "supplies-report") return Math.min(batchSize, occurs("SubmitSuppliesReport.Report").max);
  return 1;
}

/**
 * Sends one batch of entries of one kind with its operation, each record under the entry's
 * idempotency key.
 * @throws whatever the transport throws (`TransportError`, `SoapFaultError`, `ValidationError`, …).
 */
export function sendEntries(
  transport: AgentTransport,
  proxyId: string,
  kind: OutboxKind,
  entries: readonly OutboxEntry[],
  call: AgentCallOptions,
): Promise<Ack> {
  const first = entries[0] as OutboxEntry;
  switch (kind) {
    case "register-devices": {
      const p = first.payload as { devices: DeviceInfo[] };
      return transport.registerDevices({ key: first.key, proxyId, devices: p.devices }, call);
    }
    case "sync-status": {
      const p = first.payload as { statuses: ServiceStatus[] };
      return transport.reportSyncStatus({ key: first.key, proxyId, statuses: p.statuses }, call);
    }
    case "billing-read": {
      const reads = entries.map((e) => {
        const p = e.payload as { key: string; serial: string; readAt: string; cycle?: string; meters: [] };
        return { ...p, key: e.key, readAt: new Date(p.readAt) };
      });
      return transport.submitBillingReads({ proxyId, reads }, call);
    }
    case "supplies-report": {
      const reports = entries.map((e) => {
        const p = e.payload as { key: string; serial: string; readAt: string; supplies: [] };
        return { ...p, key: e.key, readAt: new Date(p.readAt) };
      });
      return transport.submitSuppliesReport({ proxyId, reports }, call);
    }
  }
}
