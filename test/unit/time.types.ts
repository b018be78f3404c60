/**
 * Compile-time test of the public time types (issue 19, item 4; checked by `npm run
 * typecheck`, which compiles every file under test/): every instant of the public models is a
 * `Date` named `…At`, so a polled reading spreads into a billing read and a supplies report,
 * and from there into the client's calls, without casts; every clock-shaped option takes a
 * `Clock`. Each `@ts-expect-error` fails the typecheck if the line below it ever compiles.
 */
import {
  type AgentAlarm,
  type AgentOptions,
  type AgentStatus,
  type AgentStuck,
  type BillingRead,
  type CommunicationClient,
  createMessageSigner,
  createRequestVerifier,
  type DeviceReading,
  type KnownDevice,
  ManualClock,
  type OutboxEntry,
  type OutboxOptions,
  type PollSummary,
  type PrinterReaderOptions,
  type StoredReading,
  type SuppliesReport,
  type SyncSummary,
  toBillingRead,
  toPolledReading,
  toSuppliesReport,
} from "../../src/index.js";

declare const reading: DeviceReading;
declare const client: CommunicationClient;

// The polled reading carries the reading's own time by default: no second clock reading.
const polled = toPolledReading(reading);
if (!polled) throw new Error("no serial");

export const read: BillingRead = { ...toBillingRead(polled, "2026-11", []), key: `${polled.serial}:1` };
export const report: SuppliesReport = { ...toSuppliesReport(polled), key: `${polled.serial}:2` };
export const sent = client.submitBillingReads({
  proxyId: "p1",
  reads: [{ ...toBillingRead(polled, "2026-11", ["Total Impressions"]), key: `${polled.serial}:3` }],
});
export const sentSupplies = client.submitSuppliesReport({
  proxyId: "p1",
  reports: [{ ...toSuppliesReport(polled), key: `${polled.serial}:4` }],
});

// `readAt` is a Date everywhere along the way.
export const times: Date[] = [
  reading.readAt,
  polled.readAt,
  toBillingRead(polled, "2026-11", []).readAt,
  toSuppliesReport(polled).readAt,
];
// Stamping with the reading's own time, explicitly, is the same call.
export const stamped = toPolledReading(reading, reading.readAt);
// A billing read may take the reading's time straight from the SNMP reading.
export const direct: BillingRead = { ...read, readAt: reading.readAt };

// @ts-expect-error: a billing read's readAt is a Date; an ISO string does not fit.
export const stringTime: BillingRead = { ...read, readAt: reading.readAt.toISOString() };
// @ts-expect-error: nor does epoch ms.
export const epochTime: BillingRead = { ...read, readAt: polled.readAtMs };
// @ts-expect-error: a reading's time is a Date, not a string.
export const readingAsString: string = reading.readAt;
// @ts-expect-error: a polled reading's time is a Date, not epoch ms.
export const polledAsNumber: number = polled.readAt;
// @ts-expect-error: toPolledReading takes a Date (or deprecated epoch ms), not an ISO string.
export const stampedWithString = toPolledReading(reading, "2026-11-30T10:00:00Z");

// The agent's models: instants are Dates named `…At`.
declare const status: AgentStatus;
declare const stuck: AgentStuck;
declare const device: KnownDevice;
declare const alarm: AgentAlarm;
declare const entry: OutboxEntry;
declare const stored: StoredReading;
declare const poll: PollSummary;
declare const sync: SyncSummary;
export const agentTimes: Array<Date | null> = [
  status.lastSyncAt,
  status.nextSyncAt,
  stuck.stuckAt,
  stuck.lastCheckAt,
  stuck.nextCheckAt,
  device.firstSeenAt,
  device.lastOkAt,
  device.lastSuppliesAt,
  alarm.raisedAt,
  entry.readAt,
  entry.createdAt,
  entry.nextAttemptAt,
  entry.doneAt,
  stored.readAt,
  poll.startedAt,
  sync.startedAt,
];
// @ts-expect-error: lastSyncAt is a Date (or null), not epoch ms.
export const lastSyncMs: number | null = status.lastSyncAt;

// One clock type: every clock-shaped option takes a Clock.
const clock = new ManualClock(Date.parse("2026-11-30T10:00:00Z"));
export const agentOptions: AgentOptions = { clock, securityClock: clock };
export const outboxOptions: OutboxOptions = { clock };
export const readerOptions: PrinterReaderOptions = { clock };
export const verifier = createRequestVerifier({ trust: [], clock });
export const signer = createMessageSigner({ key: "", cert: "", clock });
// @ts-expect-error: a clock is a Clock, not a Date.
export const dateClock: OutboxOptions = { clock: new Date() };
