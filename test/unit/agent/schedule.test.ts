import { describe, expect, it } from "vitest";
import { parseWindow } from "../../../src/agent/duration.js";
import {
  DAY_MS,
  nextPollDelayMs,
  sessionRetry,
  stuckRecheck,
  syncDueAtStart,
} from "../../../src/agent/schedule.js";

// Injected times only: a fixed instant, never the wall clock.
const T0 = Date.parse("2026-12-31T12:00:00Z");
const window = parseWindow("01:00-05:00") as NonNullable<ReturnType<typeof parseWindow>>;
const start = { nowMs: T0, lastSyncAtMs: T0 - 3_600_000, registered: true, window, syncOnStart: true };

describe("syncDueAtStart", () => {
  it("syncs at once when never registered, or a whole day went by", () => {
    expect(syncDueAtStart({ ...start, registered: false })).toBe(true);
    expect(syncDueAtStart({ ...start, lastSyncAtMs: null })).toBe(true);
    expect(syncDueAtStart({ ...start, lastSyncAtMs: T0 - DAY_MS })).toBe(true);
    expect(syncDueAtStart({ ...start, lastSyncAtMs: T0 - DAY_MS + 1 })).toBe(false);
  });

  it("catches up on a window occurrence it has not synced in, but not on one it has", () => {
    const inWindow = Date.parse("2027-01-01T02:00:00Z");
    const opened = Date.parse("2027-01-01T01:00:00Z");
    expect(syncDueAtStart({ ...start, nowMs: inWindow, lastSyncAtMs: opened - 1 })).toBe(true);
    expect(syncDueAtStart({ ...start, nowMs: inWindow, lastSyncAtMs: opened + 60_000 })).toBe(false);
  });

  it("never syncs at start with syncOnStart false", () => {
    expect(syncDueAtStart({ ...start, registered: false, syncOnStart: false })).toBe(false);
  });
});

describe("nextPollDelayMs", () => {
  it("counts the interval from the start of the previous poll, never below 0", () => {
    expect(nextPollDelayMs(T0, 60_000, T0 + 10_000)).toBe(50_000);
    expect(nextPollDelayMs(T0, 60_000, T0 + 90_000)).toBe(0);
  });
});

describe("sessionRetry", () => {
  const base = {
    nowMs: T0,
    startedAtMs: T0,
    retryAfterMs: 0,
    retryDelayMs: 600_000,
    maxRetryDelayMs: 6 * 3_600_000,
    window,
    syncJitterMs: 0,
    random: () => 1,
  };

  it("backs off exponentially per failed session, at least Retry-After", () => {
    expect(sessionRetry({ ...base, failures: 1 }).waitMs).toBe(600_000);
    expect(sessionRetry({ ...base, failures: 3 }).waitMs).toBe(2_400_000);
    expect(sessionRetry({ ...base, failures: 1, retryAfterMs: 900_000 }).waitMs).toBe(900_000);
    expect(sessionRetry({ ...base, failures: 1 }).atMs).toBe(T0 + 600_000);
  });

  it("never retries later than the next window's sync", () => {
    const nextWindow = Date.parse("2027-01-01T01:00:00Z");
    const late = Date.parse("2026-12-31T22:00:00Z");
    expect(sessionRetry({ ...base, nowMs: late, failures: 20 }).waitMs).toBe(6 * 3_600_000);
    expect(sessionRetry({ ...base, nowMs: late, failures: 20 }).atMs).toBe(nextWindow);
  });
});

describe("stuckRecheck", () => {
  it("starts at one check, doubles per failed re-check without jitter, capped", () => {
    const first = stuckRecheck(null, "TLS_ERROR", T0, 3_600_000, 6 * 3_600_000);
    expect(first).toEqual({ same: false, checks: 1, waitMs: 3_600_000 });
    const second = stuckRecheck(
      { code: "TLS_ERROR", lastCheckAtMs: T0, checks: 1 },
      "TLS_ERROR",
      T0 + 3_600_000,
      3_600_000,
      6 * 3_600_000,
    );
    expect(second).toEqual({ same: true, checks: 2, waitMs: 7_200_000 });
    const many = stuckRecheck(
      { code: "TLS_ERROR", lastCheckAtMs: T0, checks: 9 },
      "TLS_ERROR",
      T0 + 1,
      3_600_000,
      6 * 3_600_000,
    );
    expect(many.waitMs).toBe(6 * 3_600_000);
  });

  it("counts the same failure met twice within one check once, and starts over on another code", () => {
    const prev = { code: "TLS_ERROR", lastCheckAtMs: T0, checks: 2 };
    expect(stuckRecheck(prev, "TLS_ERROR", T0, 3_600_000, 0).checks).toBe(2);
    expect(stuckRecheck(prev, "WSS_UNSIGNED", T0, 3_600_000, 0)).toEqual({
      same: false,
      checks: 1,
      waitMs: 3_600_000,
    });
  });
});
