/**
 * Compile-time test of the public time types (issue 19, item 4; checked by `npm run
 * typecheck`, which compiles every file under test/): a polled reading spreads into a billing
 * read and a supplies report, and from there into the client's calls, without casts. Each
 * `@ts-expect-error` fails the typecheck if the line below it ever compiles.
 */
import {
  type BillingRead,
  type CommunicationClient,
  type DeviceReading,
  type SuppliesReport,
  toBillingRead,
  toPolledReading,
  toSuppliesReport,
} from "../../src/index.js";

declare const reading: DeviceReading;
declare const client: CommunicationClient;

const polled = toPolledReading(reading, Date.parse(reading.readAt));
if (!polled) throw new Error("no serial");

export const read: BillingRead = { ...toBillingRead(polled, "2026-11", []), key: `${polled.serial}:1` };
export const report: SuppliesReport = { ...toSuppliesReport(polled), key: `${polled.serial}:2` };
export const sent = client.submitBillingReads({
  proxyId: "p1",
  reads: [{ ...toBillingRead(polled, "2026-11", ["Total Impressions"]), key: `${polled.serial}:3` }],
});
export const readAt: Date = toBillingRead(polled, "2026-11", []).readAt;

// @ts-expect-error: a billing read's readAt is a Date; the reading's ISO string does not fit.
export const stringTime: BillingRead = { ...read, readAt: reading.readAt };
// @ts-expect-error: nor does the polled reading's epoch ms.
export const epochTime: BillingRead = { ...read, readAt: polled.readAtMs };
