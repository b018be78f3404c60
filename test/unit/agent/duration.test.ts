import { describe, expect, it } from "vitest";
import {
  formatDuration,
  nextSyncAt,
  parseDurationMs,
  parseWindow,
  windowOpenedAt,
} from "../../../src/agent/duration.js";

describe("durations", () => {
  it("parses the units of a config file", () => {
    expect(parseDurationMs("2h")).toBe(7_200_000);
    expect(parseDurationMs("30s")).toBe(30_000);
    expect(parseDurationMs("500ms")).toBe(500);
    expect(parseDurationMs("1h30m")).toBe(5_400_000);
    expect(parseDurationMs("1d")).toBe(86_400_000);
    expect(parseDurationMs(250)).toBe(250);
    expect(parseDurationMs("250")).toBe(250);
  });
  it("refuses what is not a duration", () => {
    for (const bad of ["", "2x", "h", "-1s", "2 h", "1h foo", "abc"])
      expect(parseDurationMs(bad)).toBeUndefined();
    expect(parseDurationMs(-5)).toBeUndefined();
  });
  it("formats in the largest exact unit", () => {
    expect(formatDuration(7_200_000)).toBe("2h");
    expect(formatDuration(1500)).toBe("1500ms");
  });
});

describe("transmission window", () => {
  it("parses HH:MM-HH:MM and refuses nonsense", () => {
    expect(parseWindow("01:00-05:00")).toEqual({ startMinute: 60, endMinute: 300 });
    expect(parseWindow("22:00-02:00")).toEqual({ startMinute: 1320, endMinute: 120 });
    for (const bad of ["1-5", "25:00-26:00", "01:60-02:00", "01:00-01:00", "01:00"])
      expect(parseWindow(bad)).toBeUndefined();
  });
  it("schedules the next sync at the next opening plus jitter bounded by the window", () => {
    const w = parseWindow("01:00-05:00")!;
    const noon = Date.parse("2026-11-25T12:00:00Z");
    expect(nextSyncAt(noon, w, 1_800_000, () => 0)).toBe(Date.parse("2026-11-26T01:00:00Z"));
    expect(nextSyncAt(noon, w, 1_800_000, () => 0.5)).toBe(Date.parse("2026-11-26T01:15:00Z"));
    // jitter larger than the window is clamped to it
    const late = nextSyncAt(noon, w, 10 * 3_600_000, () => 0.999999);
    expect(late).toBeLessThan(Date.parse("2026-11-26T05:00:00Z"));
    const early = Date.parse("2026-11-25T00:30:00Z");
    expect(nextSyncAt(early, w, 0, () => 0)).toBe(Date.parse("2026-11-25T01:00:00Z"));
  });

  it("tells which window occurrence an instant falls in, across midnight too", () => {
    const w = parseWindow("01:00-05:00")!;
    expect(windowOpenedAt(Date.parse("2026-11-25T01:10:00Z"), w)).toBe(Date.parse("2026-11-25T01:00:00Z"));
    expect(windowOpenedAt(Date.parse("2026-11-25T06:00:00Z"), w)).toBeUndefined();
    const night = parseWindow("22:00-02:00")!;
    expect(windowOpenedAt(Date.parse("2026-11-26T01:00:00Z"), night)).toBe(
      Date.parse("2026-11-25T22:00:00Z"),
    );
    expect(windowOpenedAt(Date.parse("2026-11-25T23:00:00Z"), night)).toBe(
      Date.parse("2026-11-25T22:00:00Z"),
    );
    expect(windowOpenedAt(Date.parse("2026-11-25T12:00:00Z"), night)).toBeUndefined();
  });
});
