import { describe, expect, it } from "vitest";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import { decodeMeterSet, decodeReading, MeterMapRegistry } from "../../../src/snmp/index.js";

/** A synthetic indexed table: value, code and unit columns, the unit read per row. */
const T = "1.3.6.1.4.1.99998.1";
const maps = new MeterMapRegistry([]);
maps.register({
  kind: "indexed",
  id: "acme-units",
  enterprise: 99998,
  source: "synthetic",
  valueColumn: `${T}.3`,
  codeColumn: `${T}.1`,
  unitColumn: `${T}.2`,
  unitCodes: { "4": "impressions", "5": "sheets" },
  codes: [
    { code: "10", name: "Black Impressions", label: "mono print" },
    { code: "11", name: "Black Impressions", label: "mono copy" },
    { code: "20", name: "Color Impressions", label: "colour" },
  ],
});

/** One row: code, unit code, value. */
const row = (i: number, code: number, unit: number, value: number) => [
  `${T}.1.${i}|2|${code}`,
  `${T}.2.${i}|2|${unit}`,
  `${T}.3.${i}|65|${value}`,
];
const rec = (...rows: string[][]) => parseSnmprec(`${rows.flat().join("\n")}\n`);
const identity = { enterprise: 99998, model: null };

describe("meters added from several rows", () => {
  it("adds rows of one unit into one meter, without problems", () => {
    const { meters, problems } = decodeMeterSet(
      rec(row(1, 10, 4, 100), row(2, 11, 4, 30), row(3, 20, 5, 7)),
      identity,
      maps,
    );
    expect(problems).toEqual([]);
    expect(meters.map((m) => [m.name, m.value, m.unit])).toEqual([
      ["Black Impressions", 130, "impressions"],
      ["Color Impressions", 7, "sheets"],
    ]);
  });

  it("refuses to add sheets to impressions: the meter is a problem, not a meter", () => {
    const { meters, problems } = decodeMeterSet(
      rec(row(1, 10, 4, 100), row(2, 11, 5, 30), row(3, 20, 5, 7)),
      identity,
      maps,
    );
    expect(meters.map((m) => [m.name, m.value, m.unit])).toEqual([["Color Impressions", 7, "sheets"]]);
    expect(problems).toEqual([
      {
        oid: `${T}.3.1`,
        code: "SNMP_METER_UNIT_MISMATCH",
        message: expect.stringMatching(/Black Impressions .*impressions \(.*\.3\.1\), sheets \(.*\.3\.2\)/),
      },
    ]);
  });

  it("reports the refused meter in the device reading's problems", () => {
    const r = decodeReading(
      rec(
        ["1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99998.1", "1.3.6.1.2.1.43.5.1.1.17.1|4|ACME0001"],
        row(1, 11, 5, 30),
        row(2, 10, 4, 100),
      ),
      { target: "x", meterMaps: maps },
    );
    expect(r.meters.some((m) => m.name === "Black Impressions")).toBe(false);
    expect(r.problems).toEqual([
      expect.objectContaining({ code: "SNMP_METER_UNIT_MISMATCH", oid: `${T}.3.1` }),
    ]);
  });
});
