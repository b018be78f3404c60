import { afterEach, describe, expect, it } from "vitest";
import { createWorld, T0, type World } from "./harness.js";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("Agent schedule", () => {
  it("polls every interval and syncs once a day inside the window (with jitter), after an immediate first sync", async () => {
    world = await createWorld({
      devices: 2,
      schedule: { pollInterval: "2h" },
    });
    const agent = world.agent({ random: () => 0.25 });
    const polls: number[] = [];
    const syncs: number[] = [];
    agent.on("poll", (p) => polls.push(p.atMs));
    agent.on("sync", (s) => syncs.push(s.atMs));
    await agent.start();
    await world.clock.advanceTo(T0 + 3 * DAY - 1);
    expect(polls).toHaveLength(36);
    expect(polls.every((t, i) => t === T0 + i * 2 * HOUR)).toBe(true);
    // First sync at start (registration); then 01:00 + 0.25 × 30 min jitter each day.
    expect(syncs.map((t) => new Date(t).toISOString())).toEqual([
      "2026-11-01T00:00:00.000Z",
      "2026-11-01T01:07:30.000Z",
      "2026-11-02T01:07:30.000Z",
      "2026-11-03T01:07:30.000Z",
    ]);
  });

  it("after a restart inside a window it has not synced in, syncs right away; otherwise waits for the next window", async () => {
    world = await createWorld({ devices: 2 });
    const first = world.agent();
    await first.start();
    await world.clock.advanceTo(T0 + 2 * HOUR);
    await first.stop();
    // Down across the next day's sync instant (01:15); back at 01:40, still inside 01:00-05:00.
    await world.clock.advanceTo(T0 + DAY + HOUR + 40 * 60_000);
    const second = world.agent();
    const syncs: number[] = [];
    second.on("sync", (s) => syncs.push(s.atMs));
    await second.start();
    await world.clock.advance(HOUR);
    expect(syncs).toEqual([T0 + DAY + HOUR + 40 * 60_000]);
    await second.stop();
    // Restart again the same morning: already synced in this window, so nothing until tomorrow's.
    const third = world.agent();
    const later: number[] = [];
    third.on("sync", (s) => later.push(s.atMs));
    await third.start();
    await world.clock.advance(12 * HOUR);
    expect(later).toEqual([]);
    await world.clock.advance(12 * HOUR);
    expect(later).toEqual([T0 + 2 * DAY + HOUR + 15 * 60_000]);
  });

  it("obeys a Configure directive: new poll interval and transmission window, kept across restarts", async () => {
    world = await createWorld({
      devices: 1,
      server: { configure: { pollIntervalMs: 6 * HOUR, windowStart: "03:00", windowEnd: "04:00" } },
    });
    const agent = world.agent({ random: () => 0 });
    const polls: number[] = [];
    const syncs: number[] = [];
    agent.on("poll", (p) => polls.push(p.atMs));
    agent.on("sync", (s) => syncs.push(s.atMs));
    await agent.start();
    await world.clock.advanceTo(T0 + 2 * DAY - 1);
    // Poll at 00:00 (config: 1 d); the first sync configures 6 h polls and a 03:00-04:00 window.
    expect(polls.map((t) => (t - T0) / HOUR)).toEqual([0, 6, 12, 18, 24, 30, 36, 42]);
    expect(syncs.map((t) => (t - T0) / HOUR)).toEqual([0, 3, 27]);
    await agent.stop();
    const again = world.agent({ random: () => 0 });
    const later: number[] = [];
    again.on("sync", (s) => later.push(s.atMs));
    await again.start();
    await world.clock.advance(DAY);
    expect(later.map((t) => (t - T0) / HOUR)).toEqual([51]);
  });
});
