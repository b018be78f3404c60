import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type AlarmInput,
  DEFAULT_ALARM_SETTINGS,
  evaluateAlarms,
  meterRegressions,
  raiseBaseline,
  reconcileAlarms,
} from "../../../src/agent/alarms.js";
import { parseAgentConfig } from "../../../src/agent/config.js";
import type { KnownDevice } from "../../../src/agent/devices.js";
import { Outbox } from "../../../src/agent/outbox.js";

const T0 = Date.parse("2026-11-01T00:00:00Z");
const HOUR = 3_600_000;

const device = (
  serial: string,
  state: KnownDevice["state"],
  extra: Partial<KnownDevice> = {},
): KnownDevice => ({
  serial,
  address: "127.0.0.1:16100",
  mac: null,
  vendor: "Xerox",
  model: "AltaLink C8045",
  state,
  firstSeenAt: new Date(T0),
  firstSeenAtMs: T0,
  lastOkAt: new Date(T0),
  lastOkAtMs: T0,
  failedPolls: state === "silent" ? 2 : 0,
  registered: true,
  billing: true,
  supplies: true,
  suppliesIntervalMs: null,
  lastSuppliesAt: null,
  lastSuppliesAtMs: null,
  statusDirty: false,
  detail: null,
  ...extra,
});

const input = (over: Partial<AlarmInput> = {}): AlarmInput => ({
  nowMs: T0 + HOUR,
  startedAtMs: T0,
  lastSyncAtMs: T0,
  devices: [],
  noSerial: [],
  unsentEntries: 0,
  maxEntries: 100_000,
  sizeBytes: 4096,
  maxBytes: 256 * 1024 * 1024,
  regressions: [],
  settings: { ...DEFAULT_ALARM_SETTINGS },
  ...over,
});

const kinds = (i: AlarmInput) => evaluateAlarms(i).map((a) => a.id);

describe("meterRegressions / raiseBaseline", () => {
  it("reports only same-named meters that went down", () => {
    const before = [
      { name: "Total", value: 1000 },
      { name: "Color", value: 400 },
      { name: "Mono", value: 600 },
    ];
    const now = [
      { name: "Total", value: 999 },
      { name: "Color", value: 401 },
      { name: "Scans", value: 1 },
    ];
    expect(meterRegressions(before, now)).toEqual([{ name: "Total", previous: 1000, current: 999 }]);
    expect(meterRegressions(before, before)).toEqual([]);
    expect(meterRegressions([], now)).toEqual([]);
  });

  it("keeps the highest value per meter as the baseline, so a regression stays until the meter passes it", () => {
    const base = raiseBaseline([{ name: "Total", value: 1000 }], [{ name: "Total", value: 10 }]);
    expect(base).toEqual([{ name: "Total", value: 1000 }]);
    expect(meterRegressions(base, [{ name: "Total", value: 20 }])).toHaveLength(1);
    const passed = raiseBaseline(base, [{ name: "Total", value: 1001 }]);
    expect(meterRegressions(passed, [{ name: "Total", value: 1001 }])).toEqual([]);
  });
});

describe("evaluateAlarms", () => {
  it("raises nothing on a healthy agent", () => {
    expect(evaluateAlarms(input({ devices: [device("A", "ok"), device("B", "disabled")] }))).toEqual([]);
  });

  it("raises communication-lost at the threshold after the last sync, or after the start when never synced", () => {
    expect(kinds(input({ nowMs: T0 + 26 * HOUR - 1 }))).toEqual([]);
    expect(kinds(input({ nowMs: T0 + 26 * HOUR }))).toEqual(["communication-lost"]);
    expect(kinds(input({ lastSyncAtMs: null, startedAtMs: T0 + HOUR, nowMs: T0 + 26 * HOUR }))).toEqual([]);
    const custom = { communicationLostAfterMs: 2 * HOUR, storageNearlyFullPercent: 80 };
    expect(kinds(input({ nowMs: T0 + 2 * HOUR, settings: custom }))).toEqual(["communication-lost"]);
  });

  it("raises storage-nearly-full at the percentage of either limit", () => {
    expect(kinds(input({ unsentEntries: 79, maxEntries: 100 }))).toEqual([]);
    expect(kinds(input({ unsentEntries: 80, maxEntries: 100 }))).toEqual(["storage-nearly-full"]);
    expect(kinds(input({ sizeBytes: 900, maxBytes: 1000 }))).toEqual(["storage-nearly-full"]);
    const msg = evaluateAlarms(input({ unsentEntries: 85, maxEntries: 100 }))[0]?.message;
    expect(msg).toContain("85% full");
  });

  it("raises one alarm per silent, replaced, serial-less and regressed device", () => {
    const out = evaluateAlarms(
      input({
        devices: [
          device("S1", "silent"),
          device("R1", "replaced", { detail: "replaced by R2" }),
          device("OK", "ok"),
        ],
        noSerial: [{ target: "127.0.0.1:16105", message: "no serial in any known OID" }],
        regressions: [
          {
            serial: "M1",
            address: "127.0.0.1:16101",
            readAt: new Date(T0),
            readAtMs: T0,
            drops: [{ name: "Total", previous: 1000, current: 5 }],
          },
        ],
      }),
    );
    expect(out.map((a) => a.id)).toEqual([
      "meter-regressed:M1",
      "device-not-billable:127.0.0.1:16105",
      "device-silent:S1",
      "device-replaced:R1",
    ]);
    expect(out[0]?.message).toContain("Total 5 < 1000");
    for (const a of out) expect(a.remedy.length).toBeGreaterThan(10);
  });
});

describe("reconcileAlarms", () => {
  it("raises once, keeps the raise time while active, clears once", () => {
    const cond = evaluateAlarms(input({ devices: [device("S1", "silent")] }));
    const first = reconcileAlarms([], cond, T0 + 1);
    expect(first.raised.map((a) => a.id)).toEqual(["device-silent:S1"]);
    const again = reconcileAlarms(first.active, cond, T0 + 2);
    expect(again.raised).toEqual([]);
    expect(again.cleared).toEqual([]);
    expect(again.active[0]?.raisedAtMs).toBe(T0 + 1);
    const gone = reconcileAlarms(again.active, [], T0 + 3);
    expect(gone.cleared.map((a) => a.id)).toEqual(["device-silent:S1"]);
    expect(gone.active).toEqual([]);
  });
});

describe("storage-nearly-full from a real outbox with a small limit", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "esol-alarms-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reaches the threshold as unsent entries pile up", () => {
    const outbox = Outbox.open(join(dir, "outbox.db"), { now: () => T0, random: () => 1, maxEntries: 10 });
    try {
      const evaluate = () => {
        const s = outbox.stats();
        return kinds(
          input({
            unsentEntries: s.pending + s.parked,
            maxEntries: 10,
            sizeBytes: outbox.sizeBytes(),
          }),
        );
      };
      for (let i = 0; i < 7; i++)
        outbox.append([
          {
            kind: "billing-read",
            serial: "SN1",
            readAtMs: T0 + i,
            payload: {
              serial: "SN1",
              readAt: new Date(T0 + i).toISOString(),
              meters: [{ name: "Total", value: i }],
            },
          },
        ]);
      expect(evaluate()).toEqual([]);
      outbox.append([
        {
          kind: "billing-read",
          serial: "SN1",
          readAtMs: T0 + 7,
          payload: {
            serial: "SN1",
            readAt: new Date(T0 + 7).toISOString(),
            meters: [{ name: "Total", value: 7 }],
          },
        },
      ]);
      expect(evaluate()).toEqual(["storage-nearly-full"]);
      expect(outbox.sizeBytes()).toBeGreaterThan(0);
    } finally {
      outbox.close();
    }
  });
});

describe("alarms config", () => {
  const base = {
    proxy: { id: "p1" },
    server: { url: "http://127.0.0.1:1/" },
    devices: { targets: ["127.0.0.1"] },
    outbox: { path: "/tmp/x.db" },
  };
  it("defaults when absent, parses durations and percentages, refuses nonsense", () => {
    expect(parseAgentConfig(base).alarms).toBeUndefined();
    expect(
      parseAgentConfig({ ...base, alarms: { communicationLostAfter: "2h", storageNearlyFullPercent: 90 } })
        .alarms,
    ).toEqual({ communicationLostAfterMs: 2 * HOUR, storageNearlyFullPercent: 90 });
    expect(() => parseAgentConfig({ ...base, alarms: { storageNearlyFullPercent: 0 } })).toThrow(
      /alarms.storageNearlyFullPercent/,
    );
    expect(() => parseAgentConfig({ ...base, alarms: { communicationLostAfter: "soon" } })).toThrow(
      /alarms.communicationLostAfter/,
    );
    expect(() => parseAgentConfig({ ...base, alarms: { webhook: "ftp://x" } })).toThrow(/alarms.webhook/);
    expect(() => parseAgentConfig({ ...base, alarms: { webhook: "not a url" } })).toThrow(/alarms.webhook/);
    expect(() => parseAgentConfig({ ...base, alarms: { hook: "http://x" } })).toThrow(/alarms/);
    expect(parseAgentConfig({ ...base, alarms: { webhook: "http://127.0.0.1:9/a" } }).alarms?.webhook).toBe(
      "http://127.0.0.1:9/a",
    );
  });
});
