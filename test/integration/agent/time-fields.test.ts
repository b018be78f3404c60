/**
 * One time representation (issue 19 item 4): what the agent reports carries each instant as a
 * `Date` (`…At`) taken from the agent's clock, equal to the deprecated epoch-ms alias beside
 * it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createWorld, T0, type World } from "./harness.js";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const HOUR = 3_600_000;

describe("the agent's instants are Dates on its clock", () => {
  it("in the poll and sync summaries, status(), the known devices, the outbox and the stored readings", async () => {
    world = await createWorld({ devices: 2 });
    const agent = world.agent({ autoSchedule: false });
    await agent.start();
    await world.clock.advance(HOUR);
    const poll = await agent.pollNow();
    expect(poll.startedAt).toEqual(new Date(T0 + HOUR));
    expect(poll.atMs).toBe(T0 + HOUR);
    await world.clock.advance(HOUR);
    const sync = await agent.syncNow();
    expect(sync?.startedAt).toEqual(new Date(T0 + 2 * HOUR));

    const status = agent.status();
    expect(status.lastSyncAt).toEqual(new Date(T0 + 2 * HOUR));
    expect(status.lastSyncAtMs).toBe(T0 + 2 * HOUR);
    expect(status.nextSyncAt).toBeNull(); // autoSchedule: false schedules nothing
    expect(status.devices).toHaveLength(2);
    for (const d of status.devices) {
      expect(d.firstSeenAt).toEqual(new Date(T0 + HOUR));
      expect(d.firstSeenAt.getTime()).toBe(d.firstSeenAtMs);
      expect(d.lastOkAt).toEqual(new Date(T0 + HOUR));
      const stored = agent.outbox.latestReading(d.serial);
      expect(stored?.readAt).toEqual(new Date(T0 + HOUR));
      expect(stored?.readAtMs).toBe(T0 + HOUR);
    }
    const entries = agent.outbox.list();
    for (const e of entries) {
      expect(e.createdAt).toBeInstanceOf(Date);
      expect(e.createdAt.getTime()).toBe(e.createdAtMs);
      expect(e.nextAttemptAt.getTime()).toBe(e.nextAttemptAtMs);
      expect(e.readAt?.getTime() ?? null).toBe(e.readAtMs);
      expect(e.doneAt?.getTime() ?? null).toBe(e.doneAtMs);
    }
    await agent.stop();
  });
});
