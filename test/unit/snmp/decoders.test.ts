import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import {
  compareReadings,
  decodeAlerts,
  decodeErrorState,
  decodeIdentity,
  decodeMeters,
  decodeReading,
  decodeStatus,
  decodeSupplies,
  formatMac,
  MeterMapRegistry,
  parseDeviceId,
  supplyPercent,
  type Varbind,
  VarbindSet,
} from "../../../src/snmp/index.js";
import { cleanText } from "../../../src/snmp/mib/values.js";

const SHARED = "test/fixtures/snmprec";
const OWN = "test/fixtures/snmp";

function recording(dir: string, name: string): Varbind[] {
  const file = join(dir, name.endsWith(".snmprec") ? name : `${name}.snmprec`);
  return parseSnmprec(readFileSync(file, "utf8"), { source: file });
}

interface Facts {
  sysDescr: string;
  sysObjectID: string;
  serial: string | null;
  markerLifeCount: { index: string; value: number }[];
  supplies: {
    index: string;
    description: string;
    class: number | null;
    type: number | null;
    unit: number | null;
    max: number | null;
    level: number | null;
  }[];
  hrPrinterStatus: { index: string; value: number }[] | Record<string, number>;
  hrPrinterDetectedErrorStateHex: Record<string, string>;
  xeroxBilling: { index: string; label: string; value: number }[];
  /** Every labelled vendor counter, as the public project that published the recording decoded it. */
  vendorMeters?: { label: string; value: number }[];
  /** Billing meters by name, from those decoded values. */
  billing?: Record<string, number>;
  /** Supply percents by index, as that project computed them. */
  supplyPercents?: Record<string, number>;
  /** Who the device is, from the publishing project's own decoding (see `publisher`). */
  identity?: { vendor?: string; model?: string; serial?: string | null; firmware?: string };
}

const byLabel = (a: { label: string | null }, b: { label: string | null }) =>
  String(a.label).localeCompare(String(b.label));

describe("decoders against every shared recording and its facts file", () => {
  const names = readdirSync(SHARED)
    .filter((f) => f.endsWith(".snmprec"))
    .map((f) => f.replace(/\.snmprec$/, ""));

  it("finds at least the ten shared recordings", () => {
    expect(names.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of names) {
    it(`${name}: identity, supplies, meters and error state equal the facts`, () => {
      const facts = JSON.parse(readFileSync(join(SHARED, `${name}.facts.json`), "utf8")) as Facts;
      const reading = decodeReading(recording(SHARED, name), { target: name });

      expect(reading.identity.sysDescr).toBe(facts.sysDescr);
      expect(reading.identity.sysObjectID).toBe(facts.sysObjectID);
      // facts.serial is the Printer-MIB serial only; vendor fallbacks may add one.
      if (facts.serial !== null) expect(reading.identity.serial).toBe(facts.serial);
      else expect(reading.identity.serialSource).not.toBe("prtGeneralSerialNumber");

      expect(
        reading.supplies.map(({ index, description, class: c, type, unit, max, level }) => ({
          index,
          description,
          class: c,
          type,
          unit,
          max,
          level,
        })),
      ).toEqual(facts.supplies);

      const life = reading.meters
        .filter((m) => m.oid.startsWith("1.3.6.1.2.1.43.10.2.1.4."))
        .map((m) => ({ index: m.oid.slice("1.3.6.1.2.1.43.10.2.1.4.".length), value: m.value }));
      expect(life).toEqual(facts.markerLifeCount);

      const hexes = Object.entries(facts.hrPrinterDetectedErrorStateHex);
      if (hexes.length === 0) expect(reading.status.errorStateHex).toBeNull();
      for (const [, hex] of hexes) expect(reading.status.errorStateHex).toBe(hex.toLowerCase());

      const billing = reading.meters.filter((m) => m.oid.startsWith("1.3.6.1.4.1.253.8.53.13.2.1.6."));
      expect(billing.map((m) => ({ label: m.label, value: m.value }))).toEqual(
        facts.xeroxBilling.map((b) => ({ label: b.label, value: b.value })),
      );

      if (facts.vendorMeters)
        expect(
          reading.meters
            .filter((m) => m.source === "vendor")
            .map((m) => ({ label: m.label, value: m.value }))
            .sort(byLabel),
        ).toEqual([...facts.vendorMeters].sort(byLabel));
      if (facts.billing)
        expect(
          Object.fromEntries(
            reading.meters
              .filter((m) => facts.billing && m.name in facts.billing)
              .map((m) => [m.name, m.value]),
          ),
        ).toEqual(facts.billing);
      for (const [index, percent] of Object.entries(facts.supplyPercents ?? {}))
        expect(reading.supplies.find((s) => s.index === index)?.percent, index).toBe(percent);
      // Vendor, model, serial (and firmware where the publisher decoded one) as published.
      for (const [key, value] of Object.entries(facts.identity ?? {}))
        expect(reading.identity[key as keyof typeof reading.identity], key).toBe(value);
      if (facts.identity?.serial === null)
        expect(reading.problems.map((p) => p.code)).toContain("SNMP_NO_SERIAL");
    });
  }

  it("Xerox AltaLink: vendor, model from the Xerox device id, no serial, percent from impressions capacity", () => {
    const r = decodeReading(recording(SHARED, "xerox-altalink-c8045"), { target: "x" });
    expect(r.identity.vendor).toBe("Xerox");
    expect(r.identity.model).toBe("AltaLink C8045");
    expect(r.identity.serial).toBeNull();
    expect(r.identity.deviceId?.manufacturer).toBe("Xerox");
    expect(r.identity.firmware).toBe("100.002.057.09608");
    expect(r.supplies[0]).toMatchObject({
      description: "Black Toner, PN 006R01509;SN48178080E0000481",
      percent: 20,
    });
    // The waste toner container (no class or type columns in this recording) has 5 % of its space left.
    const waste = r.supplies.find((s) => s.description?.startsWith("Waste Toner"));
    expect(waste).toMatchObject({ percent: 5, state: "nearlyFull" });
    expect(r.supplies.filter((s) => s !== waste).every((s) => s.state === "ok")).toBe(true);
  });

  it("Brother: serial from the Brother tree (not the junk at HP's OID), MAC of the interface that is up", () => {
    const r = decodeReading(recording(SHARED, "brother-mfc-l2710dw"), { target: "b" });
    expect(r.identity.vendor).toBe("Brother");
    expect(r.identity.serial).toBe("000A5J431816");
    expect(r.identity.serialSource).toBe("brotherSerialNumber");
    expect(r.identity.mac).toBe("3c:2a:f4:bf:f5:1b");
    expect(r.identity.model).toBe("MFC-L2710DW");
    expect(r.supplies[0]).toMatchObject({ max: -2, level: -3, percent: null, state: "someRemaining" });
    expect(r.supplies[1]).toMatchObject({ percent: 96, state: "ok", typeName: "opc" });
    expect(r.status).toMatchObject({ deviceStatus: "running", errorState: [], errorStateHex: "00" });
  });
});

describe("supplies quirks", () => {
  const supplies = decodeSupplies(recording(OWN, "supplies-quirks"));
  const row = (i: number) => supplies.find((s) => s.index === `1.${i}`)!;

  it("cuts descriptions at the first NUL and decodes hex-encoded text, spaced or not", () => {
    expect(row(1).description).toBe("Black Toner");
    expect(row(2).description).toBe("Cyan Toner");
    expect(row(3).description).toBe("Magenta Toner");
  });

  it("keeps a word that only looks like hex", () => {
    expect(row(7).description).toBe("Cafe");
  });

  it("names the colorant through prtMarkerColorantValue, none for colorant index 0", () => {
    expect([row(1).colorant, row(2).colorant, row(3).colorant, row(4).colorant]).toEqual([
      "black",
      "cyan",
      "magenta",
      null,
    ]);
  });

  it("turns sentinels into states with no percent", () => {
    expect(row(1)).toMatchObject({ level: -3, max: 100, percent: null, state: "someRemaining" });
    expect(row(2)).toMatchObject({ level: -2, max: -2, percent: null, state: "unknown" });
    expect(row(3)).toMatchObject({ level: -3, max: 0, percent: null, state: "someRemaining" });
    expect(row(5)).toMatchObject({ level: -1, max: -1, percent: null, state: "other" });
  });

  it("clamps a level above capacity to 100 % and reports 0 % as 0", () => {
    expect(row(6)).toMatchObject({ level: 25000, max: 20000, percent: 100, state: "ok" });
    expect(row(7)).toMatchObject({ level: 0, percent: 0, state: "empty" });
  });

  it("keeps raw class/type/unit numbers with names beside them, receptacles included", () => {
    expect(row(4)).toMatchObject({
      class: 4,
      className: "receptacleThatIsFilled",
      type: 4,
      typeName: "wasteToner",
      unit: 19,
      unitName: "percent",
      percent: 85,
    });
    expect(row(7)).toMatchObject({ type: 99, typeName: "type99" });
  });

  it("computes percent only when max > 0 and level >= 0", () => {
    expect(supplyPercent(5, 0)).toEqual({ percent: null, state: "noCapacity" });
    expect(supplyPercent(5, null)).toEqual({ percent: null, state: "noCapacity" });
    expect(supplyPercent(null, 100)).toEqual({ percent: null, state: "absent" });
    expect(supplyPercent(50, -2)).toEqual({ percent: null, state: "unknown" });
    expect(supplyPercent(1, 3)).toEqual({ percent: 33, state: "ok" });
  });
});

describe("status and error state", () => {
  it("reads bit 0 as the most significant bit of the first byte", () => {
    expect(decodeErrorState(Buffer.from([0x80]))).toEqual(["lowPaper"]);
    expect(decodeErrorState(Buffer.from([0x01]))).toEqual(["serviceRequested"]);
    expect(decodeErrorState(Buffer.from([0x00, 0x80]))).toEqual(["inputTrayMissing"]);
    expect(decodeErrorState(Buffer.from([0x00, 0x02]))).toEqual(["overduePreventMaint"]);
    expect(decodeErrorState(Buffer.from([0x00, 0x01]))).toEqual(["bit15"]);
    expect(decodeErrorState(Buffer.alloc(0))).toEqual([]);
  });

  it("decodes a one-byte error state", () => {
    const s = decodeStatus(recording(OWN, "errorstate-one-byte"));
    expect(s.errorState).toEqual(["lowPaper", "lowToner", "serviceRequested"]);
    expect(s.errorStateHex).toBe("a1");
    expect(s.printerStatus).toBe("idle");
    expect(s.deviceStatus).toBe("warning");
  });

  it("decodes an empty error state as no flags", () => {
    const s = decodeStatus(recording(OWN, "errorstate-empty"));
    expect(s.errorState).toEqual([]);
    expect(s.errorStateHex).toBe("");
    expect(s.deviceStatus).toBe("running");
  });

  it("finds an HP printer row at hrDeviceIndex 0 and decodes its two-byte error state", () => {
    const r = decodeReading(recording(OWN, "hp-index0"), { target: "hp" });
    expect(r.identity.printerIndex).toBe(0);
    expect(r.identity.model).toBe("LaserJet M507");
    expect(r.identity.serial).toBe("PHBBK12345");
    expect(r.identity.serialSource).toBe("hpSerialNumber");
    expect(r.status).toMatchObject({
      printerStatus: "printing",
      deviceStatus: "warning",
      errorState: ["lowToner", "jammed", "inputTrayMissing"],
      errorStateHex: "2480",
    });
    expect(r.meters).toEqual([
      expect.objectContaining({
        name: "Marker Life Count",
        value: 123456,
        unit: "impressions",
        type: "Counter32",
      }),
      expect.objectContaining({ name: "Marker Power-On Count", value: 321, unit: "impressions" }),
    ]);
  });
});

describe("alerts", () => {
  it("decodes active alerts with severity, training level, group, code and cleaned description", () => {
    const alerts = decodeAlerts(recording(OWN, "alerts"));
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatchObject({
      index: "1.1",
      severity: "critical",
      trainingLevel: "untrained",
      group: "cover",
      groupIndex: 2,
      code: "coverOpen",
      description: "Front cover open",
      time: 4100,
    });
    expect(alerts[1]).toMatchObject({
      index: "1.5",
      severity: "warning",
      trainingLevel: "fieldService",
      group: "markerSupplies",
      code: "markerTonerAlmostEmpty",
      codeValue: 1104,
      description: "Low toner (K)",
    });
  });
});

describe("Xerox billing meters mapped by label", () => {
  it("names the same meters whatever their row index (AltaLink: 1/33/34)", () => {
    const vbs = recording(OWN, "xerox-billing-altalink");
    const id = decodeIdentity(vbs);
    expect(id.serial).toBe("3TB123456");
    expect(id.serialSource).toBe("xcmHrDevInfoSerialNumber");
    const meters = decodeMeters(vbs, id);
    const byName = Object.fromEntries(meters.map((m) => [m.name, m.value]));
    expect(byName).toEqual({
      "Total Impressions": 150321,
      "Color Impressions": 50100,
      "Black Impressions": 100221,
      "Color Large Impressions": 1200,
      "Black Large Impressions": 800,
      "Stapled Sets": 17,
    });
    expect(meters.find((m) => m.name === "Black Impressions")?.oid).toBe(
      "1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.34",
    );
  });

  it("names the same meters on a model with other indexes and labels (VersaLink: 7/10/29/200)", () => {
    const vbs = recording(OWN, "xerox-billing-versalink");
    const meters = decodeMeters(vbs, decodeIdentity(vbs));
    const byName = Object.fromEntries(meters.map((m) => [m.name, m.value]));
    expect(byName).toEqual({
      "Color Impressions": 4410,
      "Black Impressions": 9020,
      "Total Impressions": 13430,
      "Color Large Impressions": 55,
    });
  });

  it("applies a user's per-model profile before the vendor-wide map", () => {
    const vbs = recording(OWN, "xerox-billing-versalink");
    const registry = new MeterMapRegistry().register({
      id: "versalink-c70",
      enterprise: 253,
      models: /^VersaLink C70\d\d$/,
      valueColumn: "1.3.6.1.4.1.253.8.53.13.2.1.6",
      labelColumn: "1.3.6.1.4.1.253.8.53.13.2.1.9",
      rules: [{ label: "Color Large Printed Impressions", name: "Colour A3" }],
    });
    const meters = decodeMeters(vbs, decodeIdentity(vbs), registry);
    expect(meters.find((m) => m.value === 55)).toMatchObject({ name: "Colour A3", mapId: "versalink-c70" });
    expect(meters.find((m) => m.value === 9020)).toMatchObject({
      name: "Black Impressions",
      mapId: "xerox-billing",
    });
    // The profile does not apply to other models.
    const alta = recording(OWN, "xerox-billing-altalink");
    expect(decodeMeters(alta, decodeIdentity(alta), registry).some((m) => m.mapId === "versalink-c70")).toBe(
      false,
    );
  });

  it("refuses a map with a malformed column OID", () => {
    expect(() =>
      new MeterMapRegistry().register({
        id: "x",
        enterprise: 1,
        valueColumn: "nope",
        labelColumn: "1.2",
        rules: [],
      }),
    ).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID_OPTION", message: expect.stringMatching(/dotted/) }),
    );
  });
});

describe("counters over time", () => {
  const read = (name: string) => decodeReading(recording(OWN, name), { target: name });
  const comparable = (name: string) => {
    const r = read(name);
    return { uptime: r.identity.uptime, meters: r.meters };
  };

  it("accounts for a Counter32 wrap when the device did not reboot", () => {
    const { rebooted, changes } = compareReadings(
      comparable("counters-before"),
      comparable("counters-wrapped"),
    );
    expect(rebooted).toBe(false);
    expect(changes.find((c) => c.name === "Marker Life Count")).toMatchObject({
      kind: "wrapped",
      delta: 1000,
    });
    expect(changes.find((c) => c.name === "Marker Power-On Count")).toMatchObject({
      kind: "increase",
      delta: 1000,
    });
  });

  it("detects a reboot from sysUpTime going down and does not take a reset for a wrap", () => {
    const { rebooted, changes } = compareReadings(
      comparable("counters-before"),
      comparable("counters-rebooted"),
    );
    expect(rebooted).toBe(true);
    expect(changes.find((c) => c.name === "Marker Power-On Count")).toMatchObject({
      kind: "reset",
      delta: 100,
    });
    expect(changes.find((c) => c.name === "Marker Life Count")).toMatchObject({
      kind: "increase",
      delta: 100,
    });
  });

  it("flags a non-Counter32 meter that went down without reboot, and new/missing meters", () => {
    const prev = { uptime: 10, meters: [{ name: "A", value: 10, type: "Integer" as const }] };
    const cur = { uptime: 20, meters: [{ name: "B", value: 1, type: "Integer" as const }] };
    expect(
      compareReadings(prev, { ...cur, meters: [{ name: "A", value: 5, type: "Integer" }] }).changes,
    ).toEqual([{ name: "A", previous: 10, current: 5, delta: null, kind: "decreased" }]);
    expect(compareReadings(prev, cur).changes.map((c) => c.kind)).toEqual(["new", "missing"]);
  });
});

describe("small pure helpers", () => {
  it("parses IEEE-1284 device ids with long and short keys", () => {
    const id = parseDeviceId("MANUFACTURER:HP;COMMAND SET:PJL,PCL;MODEL:LaserJet 4;CLASS:PRINTER;");
    expect(id).toMatchObject({
      manufacturer: "HP",
      model: "LaserJet 4",
      commandSet: ["PJL", "PCL"],
      deviceClass: "PRINTER",
    });
  });

  it("formats binary and textual MACs and refuses empty ones", () => {
    expect(formatMac(Buffer.from("3C2AF4BFF51B", "hex"))).toBe("3c:2a:f4:bf:f5:1b");
    expect(formatMac(Buffer.from("3C:2A:F4:BF:F5:1B"))).toBe("3c:2a:f4:bf:f5:1b");
    expect(formatMac(Buffer.from("3c2af4bff51b"))).toBe("3c:2a:f4:bf:f5:1b");
    expect(formatMac(Buffer.alloc(6))).toBeNull();
    expect(formatMac(Buffer.alloc(0))).toBeNull();
  });

  it("cleans device text", () => {
    expect(cleanText(Buffer.from("Toner\0\0garbage"))).toBe("Toner");
    expect(cleanText(Buffer.from("  spaced  "))).toBe("spaced");
    expect(cleanText(Buffer.from([0x54, 0xe9, 0x6c]))).toBe("Tél");
  });

  it("treats exceptions as absent values", () => {
    const set = new VarbindSet([{ oid: "1.3.6.1.2.1.1.1.0", type: "NoSuchObject", value: null }]);
    expect(set.text("1.3.6.1.2.1.1.1.0")).toBeNull();
  });
});

describe("VarbindSet columns", () => {
  const vbs: Varbind[] = [
    { oid: "1.3.6.1.2.1.43.11.1.1.9.1.1", type: "Integer", value: 5 },
    { oid: "1.3.6.1.2.1.43.11.1.1.9.1.2", type: "Integer", value: 6 },
    { oid: "1.3.6.1.2.1.43.12.1.1.4.1.1", type: "OctetString", value: Buffer.from("black") },
    { oid: "1.3.6.1.2.1.1.1.0", type: "OctetString", value: Buffer.from("d") },
  ];
  const set = new VarbindSet(vbs);

  it("finds the rows of a column at any depth, shallow prefixes included", () => {
    expect([...set.column("1.3.6.1.2.1.43.11.1.1.9").keys()]).toEqual(["1.1", "1.2"]);
    expect([...set.column("1.3.6.1.2.1.43").keys()].sort()).toEqual([
      "11.1.1.9.1.1",
      "11.1.1.9.1.2",
      "12.1.1.4.1.1",
    ]);
    expect([...set.column("1.3.6.1.2.1.1").keys()]).toEqual(["1.0"]);
    expect([...set.column("1.3.6.1.2.1.43.11").keys()]).toHaveLength(2);
    expect(set.column("1.3.6.1.2.1.43.11.1.1.99").size).toBe(0);
  });
});
