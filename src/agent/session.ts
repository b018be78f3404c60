/**
 * The sync session's messages, built from the persisted state: the proxy's registration
 * (`RegisterProxy`, once, under a key kept across restarts), the device statuses a `Sync`
 * reports, and the business key that makes a billing read exist once per serial and cycle.
 * @module
 */
import type { DeviceStatusReport, RegisterProxyInput } from "../soap/models.js";
import type { AgentConfig } from "./config.js";
import type { KnownDevice } from "./devices.js";

/** Longest idempotency key the contract allows (`Key`, 1–128 characters). */
const MAX_KEY_LENGTH = 128;

/** Longest `DeviceStatus/Detail` the contract allows. */
const MAX_DETAIL_LENGTH = 255;

/** The idempotency key of the proxy's first `RegisterProxy` (made once, then persisted). */
export function proxyRegistrationKey(proxyId: string, atMs: number): string {
  return `proxy:${proxyId}:${new Date(atMs).toISOString()}`.slice(0, MAX_KEY_LENGTH);
}

/** The `RegisterProxy` request of this agent. */
export function proxyRegistration(
  config: AgentConfig,
  key: string,
  software: string,
  host: string,
): RegisterProxyInput {
  return {
    key,
    proxyId: config.proxy.id,
    software,
    host: config.proxy.host ?? host,
    ...(config.proxy.site ? { site: config.proxy.site } : {}),
  };
}

/** The statuses a `Sync` reports for devices whose state changed since the last report. */
export function deviceStatusReports(dirty: readonly KnownDevice[]): DeviceStatusReport[] {
  return dirty.map((d) => ({
    serial: d.serial,
    state: d.state,
    ...(d.lastOkAtMs !== null ? { lastReadAt: new Date(d.lastOkAtMs) } : {}),
    ...(d.detail ? { detail: d.detail.slice(0, MAX_DETAIL_LENGTH) } : {}),
  }));
}

/** The business key of a billing read: at most one per serial and billing cycle. */
export function billingDedupKey(serial: string, cycle: string): string {
  return `billing:${serial}:${cycle}`;
}
