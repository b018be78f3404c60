import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as agentClock from "../../src/agent/clock.js";
import { type Clock, ManualClock, ScaledClock, SystemClock } from "../../src/clock.js";
import { SimClock } from "../../src/sim/clock.js";

const DAY = 86_400_000;
/** An arbitrary fixed real time: the tests inject real time, never read it. */
const REAL0 = Date.parse("2026-11-30T12:00:00Z");

function realTime(start = REAL0): { now: () => number; set: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    set: (ms) => {
      t = ms;
    },
  };
}

describe("one clock type", () => {
  it("has every clock implement Clock, and keeps the agent's old module and the simulator's SimClock", () => {
    const clocks: Clock[] = [
      new SystemClock(),
      new ScaledClock({ rate: 2 }),
      new ManualClock(0),
      new SimClock(),
    ];
    expect(clocks.map((c) => typeof c.setTimeout)).toEqual(["function", "function", "function", "function"]);
    expect(agentClock.ScaledClock).toBe(ScaledClock);
    expect(agentClock.ManualClock).toBe(ManualClock);
    expect(new SimClock()).toBeInstanceOf(ScaledClock);
  });
});

describe("ScaledClock", () => {
  it("runs rate times faster than the injected real time, and advance() moves it by hand", () => {
    const real = realTime();
    const clock = new ScaledClock({ rate: 3600, startMs: 0, realNow: real.now });
    expect(clock.now()).toBe(0);
    real.set(REAL0 + 1000);
    expect(clock.now()).toBe(3_600_000);
    clock.advance(DAY);
    expect(clock.now()).toBe(DAY + 3_600_000);
    expect(clock.elapsedMs()).toBe(DAY + 3_600_000);
    expect(() => clock.advance(-1)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    expect(() => new ScaledClock({ rate: -1 })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
  });

  it("by default runs ahead of real time: what it stamps is in the future of a real-time server", () => {
    const real = realTime();
    const clock = new ScaledClock({ rate: 3600, realNow: real.now });
    real.set(REAL0 + 10_000);
    expect(clock.now() - real.now()).toBe(10_000 * 3599);
  });

  it("with untilRealTime replays a past span fast, meets real time, then runs at real time", () => {
    const real = realTime();
    // Two simulated days before now, an hour per second: meets real time after 48 h / 3599 ≈ 48 s.
    const clock = new ScaledClock({
      rate: 3600,
      startMs: REAL0 - 2 * DAY,
      realNow: real.now,
      untilRealTime: true,
    });
    expect(clock.now()).toBe(REAL0 - 2 * DAY);
    expect(clock.rate).toBe(3600);
    real.set(REAL0 + 24_000);
    expect(clock.now()).toBe(REAL0 - 2 * DAY + 24_000 * 3600);
    const meets = REAL0 + (2 * DAY) / 3599;
    expect(clock.realTimeAt(meets)).toBeCloseTo(meets, 6);
    real.set(Math.ceil(meets));
    expect(clock.now()).toBe(Math.ceil(meets));
    expect(clock.rate).toBe(1);
    real.set(REAL0 + DAY);
    expect(clock.now()).toBe(REAL0 + DAY);
  });

  it("with untilRealTime never shows a time later than real time (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1.001, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 400 * DAY }),
        fc.integer({ min: 0, max: 400 * DAY }),
        (rate, spanMs, laterMs) => {
          const real = realTime();
          const clock = new ScaledClock({
            rate,
            startMs: REAL0 - spanMs,
            realNow: real.now,
            untilRealTime: true,
          });
          real.set(REAL0 + laterMs);
          return clock.now() <= real.now();
        },
      ),
    );
  });

  it("maps simulated times back to real times (the timers' deadlines)", () => {
    const real = realTime();
    const clock = new ScaledClock({
      rate: 1000,
      startMs: REAL0 - DAY,
      realNow: real.now,
      untilRealTime: true,
    });
    expect(clock.realTimeAt(REAL0 - DAY + 1000 * 1000)).toBe(REAL0 + 1000);
    // After the meeting point a simulated time is its own real time.
    expect(clock.realTimeAt(REAL0 + 7 * DAY)).toBe(REAL0 + 7 * DAY);
    const frozen = new ScaledClock({ rate: 0, startMs: 5, realNow: real.now });
    expect(frozen.realTimeAt(6)).toBe(Number.POSITIVE_INFINITY);
  });

  it("refuses untilRealTime without a past start", () => {
    expect(() => new ScaledClock({ rate: 10, untilRealTime: true })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });

  it("fires a timer when simulated time reaches it (real timers, bounded wait)", async () => {
    const clock = new ScaledClock({ rate: 1000 });
    const fired = await new Promise<number>((resolve) => {
      const from = clock.now();
      clock.setTimeout(() => resolve(clock.now() - from), 20_000); // 20 real ms
    });
    expect(fired).toBeGreaterThanOrEqual(20_000 - 1000);
  });
});

describe("SimClock", () => {
  it("keeps the simulator's defaults and codes", () => {
    const real = realTime();
    const clock = new SimClock({ startMs: 0, realNow: real.now });
    real.set(REAL0 + 5);
    expect(clock.now()).toBe(5);
    expect(() => new SimClock({ rate: Number.NaN })).toThrow(
      expect.objectContaining({ code: "SIM_CLOCK_RATE" }),
    );
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(
      expect.objectContaining({ code: "SIM_CLOCK_ADVANCE" }),
    );
  });
});

describe("esol agent --clock-rate / --clock-start", () => {
  it("replays from a past start until real time, refusing a start in the future", async () => {
    const { clockFrom } = await import("../../src/cli/commands/agent.js");
    expect(clockFrom(undefined, "30d", REAL0)).toBeUndefined();
    expect(clockFrom("1", "30d", REAL0)).toBeUndefined();
    const clock = clockFrom("3600", "30d", REAL0) as ScaledClock;
    expect(clock.startMs).toBe(REAL0 - 30 * DAY);
    expect(clock.realTimeAt(REAL0 + DAY)).toBe(REAL0 + DAY);
    expect((clockFrom("60", "2026-11-01T00:00:00Z", REAL0) as ScaledClock).startMs).toBe(
      Date.parse("2026-11-01T00:00:00Z"),
    );
    expect(() => clockFrom("60", "2026-12-24T00:00:00Z", REAL0)).toThrow(
      /--clock-start must be a time in the past/,
    );
    expect(() => clockFrom("0", "30d", REAL0)).toThrow(/--clock-rate must be a number > 0/);
  });
});
