import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL_IDS, type PrinterFleet, startFleet } from "../../../src/sim/index.js";
import { type DeviceReading, PrinterReader } from "../../../src/snmp/index.js";

// Ports 20400-20499 belong to this file. The fleet is the simulator's (written by
// another engineer); its `truth()` is what each device answers, computed independently.

describe("PrinterReader against every simulated printer model and its ground truth", () => {
  let fleet: PrinterFleet;
  const readings = new Map<number, DeviceReading>();

  beforeAll(async () => {
    fleet = await startFleet({ count: MODEL_IDS.length * 2, seed: 7 }, { clock: { rate: 0 } });
    const reader = new PrinterReader({ timeoutMs: 2000, retries: 1 });
    for await (const r of reader.poll([`127.0.0.1:${fleet.firstPort}-${fleet.lastPort}`], {
      concurrency: 8,
    })) {
      if (!r.reading) throw r.error;
      readings.set(Number(r.target.split(":")[1]), r.reading);
    }
  });
  afterAll(async () => {
    await fleet?.close();
  });

  it("reads every device", () => {
    expect(readings.size).toBe(fleet.devices.length);
  });

  it("reports each device's serial, MAC, supplies, life counter, billing meters, error state and alerts", () => {
    for (const device of fleet.devices) {
      const truth = device.truth();
      const r = readings.get(device.port);
      expect(truth, device.model).toBeDefined();
      expect(r, device.model).toBeDefined();
      if (!truth || !r) continue;
      const where = `${device.model} @${device.port}`;
      expect(r.identity.serial, where).toBe(truth.serial);
      expect(r.identity.mac, where).toBe(truth.mac);
      expect(r.identity.uptime, where).toBe(truth.uptimeTicks);
      expect(
        r.supplies.map((s) => ({
          index: s.index,
          description: s.description,
          unit: s.unit,
          max: s.max,
          level: s.level,
        })),
        where,
      ).toEqual(
        truth.supplies.map((s) => ({
          index: `1.${s.index}`,
          description: s.description,
          unit: s.unit,
          max: s.max,
          level: s.level,
        })),
      );
      expect(r.meters.find((m) => m.name === "Marker Life Count")?.value, where).toBe(truth.lifeCount);
      for (const m of truth.meters) {
        const mine = r.meters.find((x) => x.oid === m.oid);
        expect(mine?.value, `${where} ${m.name}`).toBe(m.value);
      }
      expect(r.status.errorStateHex, where).toBe(truth.errorState.toString("hex"));
      expect(r.status.printerStatusCode, where).toBe(truth.printerStatus);
      expect(
        r.alerts.map((a) => [a.severityCode, a.groupCode, a.codeValue, a.description]),
        where,
      ).toEqual(truth.alerts.map((a) => [a.severity, a.group, a.code, a.description]));
    }
  });

  it("names Xerox billing meters the same on models that put them at different indexes", () => {
    const xerox = fleet.devices.filter((d) => d.model.startsWith("xerox"));
    expect(new Set(xerox.map((d) => d.model)).size).toBeGreaterThanOrEqual(2);
    for (const d of xerox) {
      const names = readings.get(d.port)?.meters.map((m) => m.name) ?? [];
      expect(names, d.model).toEqual(
        expect.arrayContaining(["Total Impressions", "Black Impressions", "Color Impressions"]),
      );
    }
  });
});
