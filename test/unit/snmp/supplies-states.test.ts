import { describe, expect, it } from "vitest";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import {
  decodeCharset,
  decodeReading,
  decodeStatus,
  decodeSupplies,
  supplyPercent,
  VENDOR_SUPPLY_LEVELS,
} from "../../../src/snmp/index.js";

function rec(...lines: string[]) {
  return parseSnmprec(`${lines.join("\n")}\n`);
}

/** One supply row 1.<n>: class, type, max, level. */
function supply(n: number, cls: number, type: number, max: number, level: number): string[] {
  const c = "1.3.6.1.2.1.43.11.1.1";
  return [
    `${c}.4.1.${n}|2|${cls}`,
    `${c}.5.1.${n}|2|${type}`,
    `${c}.6.1.${n}|4|supply ${n}`,
    `${c}.8.1.${n}|2|${max}`,
    `${c}.9.1.${n}|2|${level}`,
  ];
}

describe("supply states users can act on", () => {
  it("reads a receptacle's level as remaining space: 5 % left is nearlyFull, 0 is full, 60 % is ok", () => {
    const rows = decodeSupplies(
      rec(...supply(1, 4, 4, 100, 5), ...supply(2, 4, 4, 100, 0), ...supply(3, 4, 4, 100, 60)),
    );
    expect(rows.map((r) => [r.percent, r.state])).toEqual([
      [5, "nearlyFull"],
      [0, "full"],
      [60, "ok"],
    ]);
  });

  it("calls a consumable at 2 % low, at the threshold low, above it ok", () => {
    const rows = decodeSupplies(
      rec(...supply(1, 3, 3, 100, 2), ...supply(2, 3, 3, 100, 10), ...supply(3, 3, 3, 100, 11)),
    );
    expect(rows.map((r) => r.state)).toEqual(["low", "low", "ok"]);
    expect(rows[0]?.levelSource).toBe("printer-mib");
  });

  it("takes the low threshold from the options", () => {
    const rows = decodeSupplies(rec(...supply(1, 3, 3, 100, 2)), { lowPercent: 1 });
    expect(rows[0]?.state).toBe("ok");
    expect(supplyPercent(20, 100, 3, { lowPercent: 25 }).state).toBe("low");
  });

  it("calls level 0 empty whatever the capacity (max -2, -1, 0)", () => {
    const rows = decodeSupplies(
      rec(...supply(1, 3, 3, -2, 0), ...supply(2, 3, 3, -1, 0), ...supply(3, 3, 3, 0, 0)),
    );
    expect(rows.map((r) => [r.percent, r.state])).toEqual([
      [null, "empty"],
      [null, "empty"],
      [null, "empty"],
    ]);
  });

  it("keeps someRemaining / unknown / other for the sentinels", () => {
    expect(supplyPercent(-3, 100).state).toBe("someRemaining");
    expect(supplyPercent(-2, 100).state).toBe("unknown");
    expect(supplyPercent(-1, 100).state).toBe("other");
    expect(supplyPercent(50, -2).state).toBe("unknown");
  });

  it("treats a waste-toner type without a class as a receptacle", () => {
    const c = "1.3.6.1.2.1.43.11.1.1";
    const rows = decodeSupplies(rec(`${c}.5.1.1|2|4`, `${c}.8.1.1|2|100`, `${c}.9.1.1|2|3`));
    expect(rows[0]?.state).toBe("nearlyFull");
  });

  it("uses Ricoh's own percent when the Printer-MIB answers -100 / -3, and says so", () => {
    const ricoh = VENDOR_SUPPLY_LEVELS.find((v) => v.enterprise === 367);
    expect(ricoh?.source).toMatch(/^librenms\/librenms /);
    const lines = [
      "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.367.1.1",
      ...supply(1, 3, 3, -2, -100),
      ...supply(2, 3, 3, -2, -3),
      ...supply(3, 3, 3, 100, 70),
      `${ricoh?.column}.1|2|40`,
      `${ricoh?.column}.2|2|5`,
      `${ricoh?.column}.3|2|10`,
    ];
    const r = decodeReading(rec(...lines), { target: "ricoh" });
    expect(r.supplies.map((s) => [s.level, s.percent, s.state, s.levelSource])).toEqual([
      [-100, 40, "ok", "ricoh"],
      [-3, 5, "low", "ricoh"],
      [70, 70, "ok", "printer-mib"],
    ]);
    // The same numbers on another vendor's device are not Ricoh levels.
    const other = decodeReading(rec(...lines.slice(1)), { target: "other" });
    expect(other.supplies[0]).toMatchObject({ percent: null, state: "other", levelSource: null });
  });
});

describe("console display in the declared character set", () => {
  const display = (hex: string[], charset: number | null) =>
    rec(
      "1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5",
      "1.3.6.1.2.1.43.5.1.1.10.1|2|2",
      ...(charset === null
        ? []
        : [`1.3.6.1.2.1.43.7.1.1.4.1.1|2|3`, `1.3.6.1.2.1.43.7.1.1.4.1.2|2|${charset}`]),
      ...hex.map((h, i) => `1.3.6.1.2.1.43.16.5.1.2.1.${i + 1}|4x|${h}`),
    );

  it("decodes UTF-8 (106) through the console's localization row", () => {
    const s = decodeStatus(display(["5072c3aa7420c3a020696d7072696d6572"], 106));
    expect(s.console).toEqual({ lines: ["Prêt à imprimer"], characterSet: 106, encoding: "utf-8" });
  });

  it("decodes Shift-JIS (17)", () => {
    const s = decodeStatus(display(["88f38dfc82c582ab82dc82b7", "202020"], 17));
    expect(s.console?.lines).toEqual(["印刷できます", ""]);
    expect(s.console?.encoding).toBe("shift_jis");
  });

  it("decodes Latin-1 (4)", () => {
    expect(decodeStatus(display(["4265726569742066fc7220447275636b"], 4)).console?.lines).toEqual([
      "Bereit für Druck",
    ]);
  });

  it("never crashes on invalid UTF-8 and keeps the rest of the line and the other lines", () => {
    const s = decodeStatus(display(["5265616479ff fe20546f6e6572".replace(" ", ""), "4c696e652032"], 106));
    expect(s.console?.lines[0]).toBe("Ready\ufffd\ufffd Toner");
    expect(s.console?.lines[1]).toBe("Line 2");
  });

  it("guesses (UTF-8 else Latin-1) when no character set is declared, and is null without a display", () => {
    expect(decodeStatus(display(["4265726569742066fc7220447275636b"], null)).console).toMatchObject({
      lines: ["Bereit für Druck"],
      characterSet: null,
      encoding: "auto",
    });
    expect(decodeStatus(rec("1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5")).console).toBeNull();
    expect(decodeCharset(Buffer.from("abc\0def"), 106).text).toBe("abc");
  });
});
