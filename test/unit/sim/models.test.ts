import { describe, expect, it } from "vitest";
import { SimClock } from "../../../src/sim/clock.js";
import { deviceVarbinds } from "../../../src/sim/device-mib.js";
import { MibView } from "../../../src/sim/mib-view.js";
import { BUILTIN_MODELS, MODEL_IDS, modelById } from "../../../src/sim/models.js";
import { createProfile } from "../../../src/sim/profile.js";
import { deviceTruth } from "../../../src/sim/truth.js";

const DAY = 86_400_000;
const XEROX_VALUES = "1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.";
const XEROX_LABELS = "1.3.6.1.4.1.253.8.53.13.2.1.9.1.20.";

describe("SimClock", () => {
  it("runs at its rate and moves forward by hand", () => {
    let real = 1_000;
    const clock = new SimClock({ rate: 60, startMs: 0, realNow: () => real });
    real += 1_000;
    expect(clock.now()).toBe(60_000);
    clock.advance(DAY);
    expect(clock.elapsedMs()).toBe(60_000 + DAY);
    expect(() => clock.advance(-1)).toThrow(expect.objectContaining({ code: "SIM_CLOCK_ADVANCE" }));
    expect(() => new SimClock({ rate: -2 })).toThrow(expect.objectContaining({ code: "SIM_CLOCK_RATE" }));
  });
});

describe("synthetic devices", () => {
  it("are deterministic for a seed and differ between seeds", () => {
    const a = deviceTruth(createProfile(BUILTIN_MODELS.xerox, 42, 3), 5 * DAY);
    const b = deviceTruth(createProfile(BUILTIN_MODELS.xerox, 42, 3), 5 * DAY);
    const c = deviceTruth(createProfile(BUILTIN_MODELS.xerox, 43, 3), 5 * DAY);
    expect(a).toEqual(b);
    expect(c.serial).not.toBe(a.serial);
    expect(c.blackPages).not.toBe(a.blackPages);
  });

  it("have distinct serials and MACs across a fleet of 5,000", () => {
    const truths = Array.from({ length: 5000 }, (_, i) =>
      deviceTruth(createProfile(modelById(MODEL_IDS[i % MODEL_IDS.length] as string), 1, i), 0),
    );
    expect(new Set(truths.map((t) => t.serial)).size).toBe(5000);
    expect(new Set(truths.map((t) => t.mac)).size).toBe(5000);
  });

  it("print over simulated time: meters never go back and a month adds about a month of pages", () => {
    const profile = createProfile(BUILTIN_MODELS.colour, 7, 0);
    let previous = deviceTruth(profile, 0);
    for (let day = 1; day <= 30; day++) {
      const t = deviceTruth(profile, day * DAY);
      expect(t.lifeCount).toBeGreaterThanOrEqual(previous.lifeCount);
      expect(t.blackPages).toBeGreaterThanOrEqual(previous.blackPages);
      previous = t;
    }
    const printed = previous.lifeCount - deviceTruth(profile, 0).lifeCount;
    const perDay = BUILTIN_MODELS.colour.pagesPerDay;
    expect(printed).toBeGreaterThan(30 * (perDay.black + perDay.colour) * 0.5 - 2);
    expect(printed).toBeLessThan(30 * (perDay.black + perDay.colour) * 1.5 + 2);
  });

  it("deplete supplies and replace them (level jumps back up, replacements count)", () => {
    const profile = createProfile(BUILTIN_MODELS.mono, 1, 0);
    const toner = (ms: number) => deviceTruth(profile, ms).supplies[0];
    let replacedSeen = false;
    let depletedSeen = false;
    for (let day = 1; day <= 400; day++) {
      const before = toner((day - 1) * DAY);
      const after = toner(day * DAY);
      if (!before || !after) throw new Error("no toner");
      if (after.replacements > before.replacements) {
        replacedSeen = true;
        expect(after.level).toBeGreaterThan(before.level);
      } else {
        expect(after.level).toBeLessThanOrEqual(before.level);
        if (after.level < before.level) depletedSeen = true;
      }
    }
    expect(depletedSeen).toBe(true);
    expect(replacedSeen).toBe(true);
  });

  it("raise a jam alert now and then, with the jammed bit in hrPrinterDetectedErrorState", () => {
    const profile = createProfile(BUILTIN_MODELS.mono, 1, 2);
    const hours = Array.from({ length: 24 * 30 }, (_, h) => deviceTruth(profile, h * 3_600_000 + 1));
    const jammed = hours.filter((t) => t.alerts.some((a) => a.code === 8));
    expect(jammed.length).toBeGreaterThan(0);
    expect(jammed.length).toBeLessThan(hours.length / 10);
    for (const t of jammed) expect(((t.errorState[0] as number) & 0x04) !== 0).toBe(true);
  });

  it("wrap prtMarkerLifeCount at 2^32 with the wrap fault", () => {
    const profile = createProfile(BUILTIN_MODELS.xerox, 1, 0);
    const start = deviceTruth(profile, 0, { counterWrap: true });
    const later = deviceTruth(profile, 10 * DAY, { counterWrap: true });
    expect(start.lifeCount).toBeGreaterThan(2 ** 32 - 1000);
    expect(later.lifeCount).toBeLessThan(start.lifeCount);
    expect(later.lifeCount).toBe(
      (start.lifeCount + (later.blackPages + later.colourPages) - (start.blackPages + start.colourPages)) %
        2 ** 32,
    );
  });

  it("reboot on schedule: sysUpTime restarts and engineBoots grows", () => {
    const profile = createProfile(BUILTIN_MODELS.mono, 1, 0);
    const faults = { rebootEveryMs: DAY };
    const before = deviceTruth(profile, DAY - 60_000, faults);
    const after = deviceTruth(profile, DAY + 60_000, faults);
    expect(after.uptimeTicks).toBe(6000);
    expect(after.uptimeTicks).toBeLessThan(before.uptimeTicks);
    expect(after.engineBoots).toBe(before.engineBoots + 1);
    const manual = deviceTruth(profile, 2 * DAY + 5000, {}, { manualReboots: 1, manualBootAtMs: 2 * DAY });
    expect(manual).toMatchObject({ uptimeTicks: 500, engineBoots: 2 });
  });

  it("become another device after a serial change: new serial and MAC, smaller meters", () => {
    const profile = createProfile(BUILTIN_MODELS.colour, 1, 4);
    const faults = { serialChangeAfterMs: DAY };
    const before = deviceTruth(profile, DAY - 1, faults);
    const after = deviceTruth(profile, DAY, faults);
    expect(after.serial).not.toBe(before.serial);
    expect(after.mac).not.toBe(before.mac);
    expect(after.lifeCount).toBeLessThan(before.lifeCount);
  });

  it.each(MODEL_IDS)("model %s answers a duplicate-free MIB with serial, MAC and supplies", (id) => {
    const profile = createProfile(modelById(id), 9, 1);
    const truth = deviceTruth(profile, 3 * DAY);
    const view = new MibView(deviceVarbinds(profile, truth));
    const text = (oid: string) => {
      const vb = view.get(oid);
      return vb?.type === "OctetString" ? vb.value.toString("latin1") : undefined;
    };
    expect(text("1.3.6.1.2.1.43.5.1.1.17.1")).toBe(truth.serial);
    expect(text(modelById(id).vendorSerialOid)).toBe(truth.serial);
    const mac = view.get("1.3.6.1.2.1.2.2.1.6.1");
    expect(mac?.type === "OctetString" && mac.value.toString("hex")).toBe(truth.mac.replaceAll(":", ""));
    expect(view.get("1.3.6.1.2.1.43.10.2.1.4.1.1")).toMatchObject({
      type: "Counter32",
      value: truth.lifeCount,
    });
    for (const s of truth.supplies)
      expect(view.get(`1.3.6.1.2.1.43.11.1.1.9.1.${s.index}`)).toMatchObject({ value: s.level });
  });

  it("Xerox-like models label every billing meter, with per-model indexes", () => {
    for (const id of ["xerox", "xerox-versalink"] as const) {
      const profile = createProfile(BUILTIN_MODELS[id], 1, 0);
      const truth = deviceTruth(profile, DAY);
      const view = new MibView(deviceVarbinds(profile, truth));
      for (const meter of BUILTIN_MODELS[id].billingMeters) {
        const label = view.get(`${XEROX_LABELS}${meter.index}`);
        expect(label?.type === "OctetString" && label.value.toString()).toBe(meter.label);
        const value = view.get(`${XEROX_VALUES}${meter.index}`);
        expect(value).toMatchObject({
          type: "Integer",
          value: truth.meters.find((m) => m.name === meter.label)?.value,
        });
      }
    }
    expect(BUILTIN_MODELS["xerox-versalink"].billingMeters.map((m) => m.index)).toEqual([200, 201, 202]);
    const total = deviceTruth(createProfile(BUILTIN_MODELS.xerox, 1, 0), DAY);
    expect(total.meters.find((m) => m.name === "Total Impressions")?.value).toBe(
      total.blackPages + total.colourPages,
    );
  });

  it("show field quirks: NUL-terminated HP descriptions, 1-byte Brother error state, hidden waste level", () => {
    const hp = createProfile(BUILTIN_MODELS.mono, 1, 0);
    const hpView = new MibView(deviceVarbinds(hp, deviceTruth(hp, DAY)));
    const description = hpView.get("1.3.6.1.2.1.43.11.1.1.6.1.1");
    expect(description?.type === "OctetString" && description.value.toString("latin1")).toBe(
      "Black Toner Cartridge\0",
    );

    const brother = createProfile(BUILTIN_MODELS.colour, 1, 0);
    const truth = deviceTruth(brother, DAY);
    const view = new MibView(deviceVarbinds(brother, truth));
    const state = view.get("1.3.6.1.2.1.25.3.5.1.2.1");
    expect(state?.type === "OctetString" && state.value.length).toBe(1);
    const waste = truth.supplies[4];
    expect(waste).toMatchObject({ description: "Waste Toner Box", max: -2, level: -3 });
    expect(waste?.remainingPercent).toBeGreaterThanOrEqual(0);
    expect(waste?.remainingPercent).toBeLessThanOrEqual(100);
    expect(view.get("1.3.6.1.2.1.43.11.1.1.8.1.5")).toMatchObject({ value: -2 });
    expect(view.get("1.3.6.1.2.1.43.11.1.1.9.1.5")).toMatchObject({ value: -3 });
  });

  it("refuses an unknown model naming the known ones", () => {
    expect(() => modelById("inkjet")).toThrow(/unknown printer model "inkjet" \(known: mono, colour/);
  });
});
