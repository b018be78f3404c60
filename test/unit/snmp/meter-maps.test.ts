import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import {
  BUILTIN_METER_MAPS,
  decodeMeterSet,
  decodeReading,
  METER_NAMES,
  MeterMapRegistry,
  subtreesFor,
  vendorScalarsFor,
} from "../../../src/snmp/index.js";

function rec(...lines: string[]) {
  return parseSnmprec(`${lines.join("\n")}\n`);
}

const EPSON = "1.3.6.1.4.1.1248.1.2.2.27";
const epson = (total: number, black: number, color: number) =>
  rec(
    "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.1248.1.1.1",
    // A serial, so that the readings' only problems are the meters' (no SNMP_NO_SERIAL).
    "1.3.6.1.2.1.43.5.1.1.17.1|4|EPSYN00001",
    `${EPSON}.1.1.30.1.1|2|${total}`,
    `${EPSON}.1.1.3.1.1|2|${black}`,
    `${EPSON}.1.1.4.1.1|2|${color}`,
  );

describe("built-in vendor meter maps as data", () => {
  it("cite a public source and use only the documented vocabulary (or the Xerox names kept from earlier releases)", () => {
    const kept = new Set(["Total Large Impressions", "Black Copied Impressions", "Color Copied Impressions"]);
    for (const m of BUILTIN_METER_MAPS) {
      expect(m.source, m.id).toBeTruthy();
      const names =
        m.kind === "scalar"
          ? m.meters.map((r) => r.name)
          : m.kind === "indexed"
            ? m.codes.map((c) => c.name)
            : m.rules.map((r) => r.name);
      for (const n of names)
        if (!(METER_NAMES as readonly string[]).includes(n) && !n.endsWith("Sheets") && !kept.has(n))
          throw new Error(`${m.id}: ${n} is not in the vocabulary`);
    }
  });

  it("are all listed, OID by OID, in docs/meter-maps.md", () => {
    const doc = readFileSync("docs/meter-maps.md", "utf8");
    for (const m of BUILTIN_METER_MAPS) {
      const oids = m.kind === "scalar" ? m.meters.map((r) => r.oid) : [m.valueColumn];
      for (const oid of oids) expect(doc, `${m.id} ${oid}`).toContain(`\`${oid}\``);
      expect(doc).toContain(`\`${m.id}\``);
    }
  });

  it("cover every vendor the issue lists that has a public source", () => {
    const enterprises = new Set(BUILTIN_METER_MAPS.map((m) => m.enterprise));
    // HP, Xerox, Ricoh, Canon, Kyocera, Konica Minolta, Sharp, Brother, Epson, Lexmark, Samsung, Toshiba, OKI.
    for (const e of [11, 253, 367, 1602, 1347, 18334, 2385, 2435, 1248, 641, 236, 1129, 2001])
      expect(enterprises.has(e), String(e)).toBe(true);
  });
});

describe("meter plausibility", () => {
  it("bills a consistent total without problems", () => {
    const { meters, problems } = decodeMeterSet(epson(5000, 2100, 2900), { enterprise: 1248, model: null });
    expect(meters.map((m) => [m.name, m.value, m.mapId])).toEqual([
      ["Total Impressions", 5000, "epson-counters"],
      ["Black Impressions", 2100, "epson-counters"],
      ["Color Impressions", 2900, "epson-counters"],
    ]);
    expect(problems).toEqual([]);
  });

  it("flags a vendor total that is not the sum of its parts", () => {
    const r = decodeReading(epson(5001, 2100, 2900), { target: "x" });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: "SNMP_METER_SUM_MISMATCH", oid: `${EPSON}.1.1.30.1.1` }),
    ]);
    expect(r.meters.find((m) => m.name === "Total Impressions")?.value).toBe(5001);
  });

  it("refuses a negative meter: a problem, not a meter", () => {
    const r = decodeReading(epson(5000, -1, 2900), { target: "x" });
    expect(r.meters.some((m) => m.name === "Black Impressions")).toBe(false);
    expect(r.problems).toEqual([
      expect.objectContaining({ code: "SNMP_METER_IMPLAUSIBLE", oid: `${EPSON}.1.1.3.1.1` }),
    ]);
  });
});

describe("indexed vendor tables", () => {
  const R = "1.3.6.1.4.1.367.3.2.1.2.19.5.1";
  it("reads Ricoh counters by type, not by row, and adds the types that make one meter", () => {
    const { meters } = decodeMeterSet(
      rec(
        `${R}.2.7|2|402`,
        `${R}.9.7|2|15`,
        `${R}.2.3|2|403`,
        `${R}.9.3|2|20`,
        `${R}.2.9|2|10`,
        `${R}.9.9|2|35`,
      ),
      { enterprise: 367, model: null },
    );
    expect(meters.map((m) => [m.name, m.value, m.oid, m.label])).toEqual([
      ["Color Print Impressions", 35, `${R}.9.3`, "type 403+402"],
      ["Total Impressions", 35, `${R}.9.9`, "type 10 total"],
    ]);
  });

  const L = "1.3.6.1.4.1.641.6.4.2.1.1";
  it("takes each Lexmark row's unit from its paperGeneralCountUnits (4 sides, 5 sheets), not from the map", () => {
    const { meters } = decodeMeterSet(
      rec(
        `${L}.2.1.1|2|2`,
        `${L}.2.1.2|2|3`,
        `${L}.2.1.3|2|1`,
        `${L}.3.1.1|2|5`,
        `${L}.3.1.2|2|4`,
        `${L}.3.1.3|2|5`,
        `${L}.4.1.1|65|700`,
        `${L}.4.1.2|65|1200`,
        `${L}.4.1.3|65|710`,
      ),
      { enterprise: 641, model: null },
    );
    // Type 1 (totalPicked: sheets fed, jams included) is not billed.
    expect(meters.map((m) => [m.name, m.value, m.unit, m.label])).toEqual([
      ["Total Impressions", 700, "sheets", "totalSafe"],
      ["Black Impressions", 1200, "impressions", "totalMonoSafe"],
    ]);
    expect(subtreesFor({ enterprise: 641, model: null })).toEqual(
      expect.arrayContaining([`${L}.2`, `${L}.3`, `${L}.4`]),
    );
  });

  const S = "1.3.6.1.4.1.236.11.5.11.53.11.2.1";
  /** One scmHrDevCountTable row: job type, media size, unit, colour, value (Counter32 unless told). */
  const samsungRow = (
    i: number,
    job: number,
    size: number,
    unit: number,
    colour: number,
    value: number,
    type = 65,
  ) => [
    `${S}.2.1.${i}|2|${job}`,
    `${S}.3.1.${i}|2|${size}`,
    `${S}.4.1.${i}|2|${unit}`,
    `${S}.6.1.${i}|2|${colour}`,
    `${S}.7.1.${i}|${type}|${value}`,
  ];
  it("reads Samsung counters by job type × colour (and media size), codes made of several columns", () => {
    const { meters, problems } = decodeMeterSet(
      rec(
        ...samsungRow(1, 2, 1, 8, 3, 70), // copy, small, sheets, mono
        ...samsungRow(2, 1, 2, 8, 1, 6), // print, large, sheets, full colour
        ...samsungRow(3, 1, 1, 8, 3, 100), // print, small, sheets, mono
        ...samsungRow(4, 1, 1, 8, 2, 4), // print, small, sheets, single colour
        ...samsungRow(5, 1, 2, 8, 3, 9), // print, large, sheets, mono
        ...samsungRow(6, 6, 1, 8, 3, 3), // report: not billed
        ...samsungRow(7, 4, 1, 8, 3, 5), // fax out: not an impression
      ),
      { enterprise: 236, model: null },
    );
    expect(problems).toEqual([]);
    expect(meters.map((m) => [m.name, m.value, m.unit, m.mapId, m.oid])).toEqual([
      ["Black Copy Impressions", 70, "sheets", "samsung-count-job-colour", `${S}.7.1.1`],
      ["Color Print Impressions", 10, "sheets", "samsung-count-job-colour", `${S}.7.1.2`],
      ["Black Print Impressions", 109, "sheets", "samsung-count-job-colour", `${S}.7.1.3`],
      ["Color Large Impressions", 6, "sheets", "samsung-count-large", `${S}.7.1.2`],
      ["Black Large Impressions", 9, "sheets", "samsung-count-large", `${S}.7.1.5`],
    ]);
    expect(meters.find((m) => m.name === "Color Print Impressions")?.label).toBe("print fullColor+1.2");
    expect(subtreesFor({ enterprise: 236, model: null })).toEqual(
      expect.arrayContaining([`${S}.2`, `${S}.3`, `${S}.4`, `${S}.6`, `${S}.7`]),
    );
  });

  it("refuses a Samsung count that is negative (an agent sending Integer32): a problem, not a meter", () => {
    const { meters, problems } = decodeMeterSet(rec(...samsungRow(1, 5, 1, 7, 3, -4, 2)), {
      enterprise: 236,
      model: null,
    });
    expect(meters.some((m) => m.name === "Scans")).toBe(false);
    expect(problems).toEqual([
      expect.objectContaining({ code: "SNMP_METER_IMPLAUSIBLE", oid: `${S}.7.1.1` }),
    ]);
  });

  it("walks the value and code columns, and GETs scalar objects", () => {
    expect(subtreesFor({ enterprise: 367, model: null })).toEqual(
      expect.arrayContaining([`${R}.9`, `${R}.2`, "1.3.6.1.4.1.367.3.2.1.2.24.1.1.5"]),
    );
    expect(vendorScalarsFor({ enterprise: 11, model: null })).toContain(
      "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.5.0",
    );
    expect(subtreesFor({ enterprise: 11, model: null })).not.toContain("1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.5");
  });

  it("registers user maps of every kind and refuses malformed OIDs", () => {
    const maps = new MeterMapRegistry([]);
    maps.register({
      kind: "scalar",
      id: "acme",
      enterprise: 99999,
      source: "ACME-MIB",
      meters: [{ oid: "1.3.6.1.4.1.99999.1.0", name: "Total Impressions" }],
    });
    expect(() =>
      maps.register({
        kind: "indexed",
        id: "bad-codes",
        enterprise: 1,
        source: "x",
        valueColumn: "1.3.6.1.4.1.1.1",
        codeColumns: ["1.3.6.1.4.1.1.2", "x"],
        codes: [],
      }),
    ).toThrow(/codeColumns/);
    maps.register({
      kind: "indexed",
      id: "acme-t",
      enterprise: 99999,
      source: "ACME-MIB",
      valueColumn: "1.3.6.1.4.1.99999.2",
      codes: [{ code: "1", name: "Scans" }],
    });
    const { meters } = decodeMeterSet(
      rec("1.3.6.1.4.1.99999.1.0|65|10", "1.3.6.1.4.1.99999.2.1|65|4"),
      { enterprise: 99999, model: null },
      maps,
    );
    expect(meters.map((m) => [m.name, m.value, m.mapId])).toEqual([
      ["Scans", 4, "acme-t"],
      ["Total Impressions", 10, "acme"],
    ]);
    expect(() =>
      maps.register({
        kind: "scalar",
        id: "bad",
        enterprise: 1,
        source: "x",
        meters: [{ oid: "1.3.x", name: "Scans" }],
      }),
    ).toThrow(/dotted OIDs/);
  });
});

describe("Toshiba e-STUDIO counters", () => {
  const TOSHIBA = "1.3.6.1.4.1.1129.2.3.50.1.3.21.6.1";
  const estudio = rec(
    "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.1129.2.3.1",
    "1.3.6.1.2.1.43.5.1.1.17.1|4|TBSYN00001",
    `${TOSHIBA}.3.1.3|65|2100`,
    `${TOSHIBA}.4.1.3|65|1233`,
  );
  const vendorMeters = (model: string) =>
    decodeMeterSet(estudio, { enterprise: 1129, model })
      .meters.filter((m) => m.mapId === "toshiba-counters")
      .map((m) => [m.name, m.value]);

  it.each(["e-STUDIO2518A", "e-STUDIO 455", "e-STUDIO2802AM"])("bill column 3 on monochrome %s", (model) => {
    expect(vendorMeters(model)).toEqual([
      ["Black Print Impressions", 2100],
      ["Black Copy Impressions", 1233],
    ]);
  });

  it.each(["e-STUDIO3005AC", "e-STUDIO 2050C", "e-STUDIO287CS"])(
    "are not read on colour %s (the cited source's total would bill colour pages as black)",
    (model) => {
      expect(vendorMeters(model)).toEqual([]);
    },
  );
});
