import { describe, expect, it } from "vitest";
import { deviceVarbinds } from "../../../src/sim/device-mib.js";
import { parseFaultSpec } from "../../../src/sim/faults.js";
import { modelById } from "../../../src/sim/models.js";
import { createProfile } from "../../../src/sim/profile.js";
import { SIM_SCENARIO_NAMES, simScenario } from "../../../src/sim/scenarios.js";
import { deviceTruth } from "../../../src/sim/truth.js";

const DAY = 86_400_000;
const SERIAL_OID = "1.3.6.1.2.1.43.5.1.1.17.1";

describe("simScenario", () => {
  it("builds each named scenario with the alarm it raises and faults on one device only", () => {
    expect(SIM_SCENARIO_NAMES.map((n) => [n, simScenario(n).alarm])).toEqual([
      ["serial-swap", "device-replaced"],
      ["no-serial", "device-not-billable"],
      ["outbox-near-limit", "storage-nearly-full"],
    ]);
    expect(simScenario("serial-swap", { count: 3, device: 2 })).toMatchObject({
      source: { count: 3, seed: 7 },
      faults: new Map([[2, { serialChangeAfterMs: 2 * DAY }]]),
    });
    expect(simScenario("no-serial").faults).toEqual(new Map([[1, { noSerial: true }]]));
    const near = simScenario("outbox-near-limit", { count: 6 });
    expect(near.faults.size).toBe(0);
    expect(near.agentSide).toMatchObject({ outboxMaxEntries: 30, serverDownAfterFirstSyncMs: 2 * DAY });
  });

  it("refuses an unknown name, a device outside the fleet and a fleet of one", () => {
    expect(() => simScenario("meteor")).toThrow(/unknown scenario "meteor" \(known: serial-swap, no-serial/);
    expect(() => simScenario("no-serial", { count: 3, device: 3 })).toThrow(
      /device 3 is outside the fleet \(0\.\.2\)/,
    );
    expect(() => simScenario("serial-swap", { count: 1 })).toThrow(/count must be an integer >= 2/);
    expect(() => simScenario("serial-swap", { swapAfterMs: 0 })).toThrow(/swapAfterMs/);
    try {
      simScenario("meteor");
    } catch (err) {
      expect((err as { code: string }).code).toBe("SIM_SCENARIO");
    }
  });
});

describe("the noserial fault", () => {
  it("parses from a --faults spec", () => {
    expect(parseFaultSpec("1:noserial", 2).get(1)).toEqual({ noSerial: true });
    expect(() => parseFaultSpec("1:noserial=3", 2)).toThrow(/noserial takes no value/);
  });

  it("drops prtGeneralSerialNumber and the vendor serial OID, and nothing else", () => {
    const model = modelById("xerox");
    const profile = createProfile(model, 7, 0);
    const healthy = deviceTruth(profile, DAY);
    const without = deviceTruth(profile, DAY, { noSerial: true });
    expect(without.serial).toBe("");
    expect(without.meters).toEqual(healthy.meters);
    const oids = (t: typeof healthy) => new Set(deviceVarbinds(profile, t).map((vb) => vb.oid));
    const missing = [...oids(healthy)].filter((oid) => !oids(without).has(oid));
    expect(missing.sort()).toEqual([SERIAL_OID, model.vendorSerialOid].sort());
  });
});
