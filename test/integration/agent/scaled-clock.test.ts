/**
 * How an agent's scaled time reaches the wire (issue 19 item 8): the agent stamps `ReadAt` with
 * its clock, the server stamps `receivedAt` with its own real-time clock. A default ScaledClock
 * runs ahead of real time, so its reads arrive from the future; one with `untilRealTime` replays
 * a past span fast and never stamps the future. Real parts on loopback; real time only bounds
 * the waits (nothing asserts on the wall clock, only on the order of two stamps).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Agent } from "../../../src/agent/agent.js";
import { parseAgentConfig } from "../../../src/agent/config.js";
import { ScaledClock } from "../../../src/clock.js";
import { CommunicationServer } from "../../../src/server/index.js";
import { READ_AT_SKEW_MS, refuseFutureReads } from "../../../src/server/validate.js";
import { type PrinterFleet, startFleet } from "../../../src/sim/index.js";
import { quietLogger } from "./harness.js";

const DAY = 86_400_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs a real-time server, a fleet and an agent on `clock` until the server stores a supplies report. */
async function storedReports(clock: ScaledClock): Promise<Array<{ readAt: Date; receivedAt: Date }>> {
  const dir = mkdtempSync(join(tmpdir(), "esol-scaled-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // The server keeps real time, as a real Communication Server does.
  const server = new CommunicationServer({
    dbPath: join(dir, "server.db"),
    port: 0,
    tls: false,
    signaturePolicy: "optional",
  });
  const { url } = await server.start();
  cleanups.push(() => server.close());
  const fleet: PrinterFleet = await startFleet({ count: 2, seed: 7 }, { clock });
  cleanups.push(() => fleet.close());
  const agent = new Agent(
    parseAgentConfig({
      proxy: { id: "proxy-scaled-1" },
      server: { url, timeout: "5s", maxRetries: 0 },
      devices: { targets: [`127.0.0.1:${fleet.firstPort}-${fleet.lastPort}`], timeout: "300ms", retries: 0 },
      schedule: { pollInterval: "6h", syncWindow: "00:00-24:00", syncJitter: "0s", retryDelay: "10m" },
      outbox: { path: join(dir, "outbox.db") },
      log: { level: "silent" },
    }),
    { clock, logger: quietLogger, random: () => 0.5 },
  );
  cleanups.push(() => agent.stop());
  await agent.start();
  // Bounded: a supplies report needs a sync that enables supplies, then a poll a day later.
  for (let i = 0; i < 300; i++) {
    const reports = server.exportStore().suppliesReports;
    if (reports.length > 0)
      return reports.map((r) => ({ readAt: new Date(r.readAt), receivedAt: new Date(r.receivedAt) }));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no supplies report reached the server in 30 s");
}

describe("scaled time on the wire", () => {
  it("a default ScaledClock (starting now) stamps reads a real-time server receives from the future", async () => {
    const reports = await storedReports(new ScaledClock({ rate: DAY / 1000 }));
    const ahead = reports.filter((r) => r.readAt.getTime() > r.receivedAt.getTime() + READ_AT_SKEW_MS);
    expect(ahead.length).toBeGreaterThan(0);
    const first = ahead[0] as { readAt: Date; receivedAt: Date };
    expect(() => refuseFutureReads([first], "Report", first.receivedAt)).toThrow(
      /later than the server's time/,
    );
  });

  it("an untilRealTime ScaledClock replaying the past stamps every read before the server receives it", async () => {
    const clock = new ScaledClock({ rate: DAY / 1000, startMs: Date.now() - 4 * DAY, untilRealTime: true });
    const reports = await storedReports(clock);
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) {
      expect(r.readAt.getTime()).toBeLessThanOrEqual(r.receivedAt.getTime());
      expect(() => refuseFutureReads([r], "Report", r.receivedAt)).not.toThrow();
    }
  });
});
