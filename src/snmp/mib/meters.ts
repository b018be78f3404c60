/**
 * Meters (page counters) from Printer-MIB prtMarkerTable, PWG impression counters and
 * vendor meter maps. A vendor map is data of one of three kinds: a labelled table mapped
 * BY LABEL ({@link MeterMap}: Xerox billing meters, Sharp counters — the row index of
 * "Black Impressions" differs between models), scalar objects with a meaning
 * ({@link ScalarMeterMap}: Kyocera, Konica Minolta, HP, Epson, Brother), or a table indexed
 * by a function/colour code ({@link IndexedMeterMap}: Ricoh, Canon, Lexmark). The built-in maps
 * live in `meter-maps.ts` with the public source of every OID; users can register their own.
 * @module
 */
import { ConfigError } from "../../errors.js";
import type { Varbind, VarbindType } from "../varbind.js";
import type { DeviceIdentity } from "./identity.js";
import { BUILTIN_METER_MAPS } from "./meter-maps.js";
import { Oid } from "./oids.js";
import { compareIndexes, numberOf, textOf, VarbindSet } from "./values.js";

/**
 * The meter names every map reports (DESIGN.md's vocabulary). Printer-MIB counters keep
 * `Marker Life Count` / `Marker Power-On Count`; a vendor label no rule names is reported
 * under its own text.
 */
export const METER_NAMES = [
  "Total Impressions",
  "Black Impressions",
  "Color Impressions",
  "Black Print Impressions",
  "Color Print Impressions",
  "Black Copy Impressions",
  "Color Copy Impressions",
  "Fax Impressions",
  "Scans",
  "Copy Scans",
  "Fax Scans",
  "Network Scans",
  "Duplex Sheets",
  "Black Large Impressions",
  "Color Large Impressions",
] as const;

/** One name of {@link METER_NAMES}. */
export type MeterName = (typeof METER_NAMES)[number];

/** Where a meter was read. */
export type MeterSource = "printer-mib" | "pwg" | "vendor";

/** One named meter value. */
export interface MeterReading {
  /** Stable name (`Marker Life Count`, `Black Impressions`, …) or the device's own label when unmapped. */
  name: string;
  /** The counter value. */
  value: number;
  /** Unit name (`impressions`, `sheets`, …), null when the device does not say. */
  unit: string | null;
  /** The OID the value was read from. */
  oid: string;
  /** SNMP type of the value (`Counter32` wraps at 2^32; see `compareReadings`). */
  type: VarbindType;
  /** Which family of objects it came from. */
  source: MeterSource;
  /** The device's own label for vendor labelled meters; null otherwise. */
  label: string | null;
  /** Id of the {@link MeterMap} that named it, null for standard meters. */
  mapId: string | null;
}

/** prtMarkerCounterUnit names (RFC 3805 PrtMarkerCounterUnitTC). */
export const COUNTER_UNIT_NAMES: Readonly<Record<number, string>> = {
  3: "tenThousandthsOfInches",
  4: "micrometers",
  5: "characters",
  6: "lines",
  7: "impressions",
  8: "sheets",
  9: "dotRow",
  11: "hours",
  16: "feet",
  17: "meters",
};

/** One label rule of a {@link MeterMap}: a device label (exact, case-insensitive, or a RegExp) → our name. */
export interface MeterLabelRule {
  /** The device's label: a string compares case-insensitively after trimming; a RegExp is tested. */
  label: string | RegExp;
  /** The stable meter name to report. */
  name: string;
  /** Unit to report (defaults to `impressions`). */
  unit?: string;
}

/**
 * How to read one vendor's labelled meter table, as data: which columns hold values and
 * labels, which devices it applies to, and how labels map to names. More specific maps
 * (with `models`) are applied before vendor-wide ones; a label no map names is reported
 * under its own text when `reportUnmapped` is true on the vendor-wide map.
 *
 * @example
 * ```ts
 * defaultMeterMaps.register({
 *   id: "xerox-versalink-c7000",
 *   enterprise: 253,
 *   models: /VersaLink C70\d\d/,
 *   valueColumn: "1.3.6.1.4.1.253.8.53.13.2.1.6",
 *   labelColumn: "1.3.6.1.4.1.253.8.53.13.2.1.9",
 *   rules: [{ label: "Color Printed Impressions", name: "Color Impressions" }],
 * });
 * ```
 */
export interface MeterMap {
  /** Kind of map; a map without one is a labelled table. */
  kind?: "labelled";
  /** Unique id, reported in {@link MeterReading.mapId}. */
  id: string;
  /** Enterprise number of the vendor (253 Xerox, 2385 Sharp, …). */
  enterprise: number;
  /** Only for models matching this (tested against {@link DeviceIdentity.model}); all models when absent. */
  models?: RegExp;
  /** Column holding the values (row index = suffix after the column). */
  valueColumn: string;
  /** Column holding the labels, same row indexes. */
  labelColumn: string;
  /** Label → name rules, first match wins. */
  rules: MeterLabelRule[];
  /** Report rows no rule names under their own label (vendor-wide maps usually do). */
  reportUnmapped?: boolean;
  /** Public source of the OIDs and labels (project + file path), and which one it follows where sources disagree. */
  source?: string;
  /** Totals the vendor defines as the sum of other meters; a mismatch is a reading problem. */
  sums?: MeterSum[];
}

/** A total that the vendor defines as the sum of other meters of the same map. */
export interface MeterSum {
  /** Name of the total meter. */
  total: string;
  /** Names of its parts; checked only when the total and every part were read. */
  parts: string[];
}

/** One scalar object (or one table cell) with a meaning. */
export interface ScalarMeterRule {
  /** The object instance, dotted. */
  oid: string;
  /** Meter name from {@link METER_NAMES}. */
  name: string;
  /** Unit (`impressions` by default; `sheets` for duplex counters). */
  unit?: string;
  /** The vendor's name for the object, reported as {@link MeterReading.label}. */
  label?: string;
}

/**
 * Vendor objects with a meaning, as data: each OID is one named meter.
 *
 * @example
 * ```ts
 * defaultMeterMaps.register({
 *   kind: "scalar",
 *   id: "acme-counters",
 *   enterprise: 99999,
 *   source: "ACME-MIB acmeCounters",
 *   meters: [{ oid: "1.3.6.1.4.1.99999.1.1.0", name: "Total Impressions" }],
 * });
 * ```
 */
export interface ScalarMeterMap {
  /** Kind of map. */
  kind: "scalar";
  /** Unique id, reported in {@link MeterReading.mapId}. */
  id: string;
  /** Enterprise number of the vendor. */
  enterprise: number;
  /** Only for models matching this; all models when absent. */
  models?: RegExp;
  /** The objects, in report order. */
  meters: ScalarMeterRule[];
  /** Public source of the OIDs (project + file path). */
  source: string;
  /** Totals the vendor defines as the sum of other meters. */
  sums?: MeterSum[];
}

/** One code of an {@link IndexedMeterMap}: rows with this code make the named meter (several codes with one name add up). */
export interface MeterCodeRule {
  /** The code: the row index after the value column, or the value of the code column. */
  code: string;
  /** Meter name from {@link METER_NAMES}. */
  name: string;
  /** Unit (`impressions` by default). */
  unit?: string;
  /** The vendor's name for the code, reported as {@link MeterReading.label}. */
  label?: string;
}

/**
 * A vendor table indexed by function/colour codes: either the row index is the code
 * (Canon `1602.1.11.1.3.1.4.<code>`, Kyocera `…<function>.<colour>`) or a code column
 * gives each row's code (Ricoh counter types: read by type, never by row index), or several
 * columns together do (Samsung job type × colour × media size).
 */
export interface IndexedMeterMap {
  /** Kind of map. */
  kind: "indexed";
  /** Unique id, reported in {@link MeterReading.mapId}. */
  id: string;
  /** Enterprise number of the vendor. */
  enterprise: number;
  /** Only for models matching this; all models when absent. */
  models?: RegExp;
  /** Column holding the values. */
  valueColumn: string;
  /** Column holding each row's code, same row indexes; absent when the row index is the code. */
  codeColumn?: string;
  /**
   * Several columns that together make each row's code, same row indexes: the code is their
   * values joined by `.` in this order (Samsung `scmHrDevCountTable`: job type `.` colour, or
   * job type `.` colour `.` media size). Used instead of {@link IndexedMeterMap.codeColumn}.
   */
  codeColumns?: readonly string[];
  /**
   * Column holding each row's unit code, same row indexes (Lexmark `paperGeneralCountUnits`);
   * with {@link IndexedMeterMap.unitCodes}, the device's own unit wins over a rule's `unit`.
   */
  unitColumn?: string;
  /** Unit code (as the device sends it) → unit name (`impressions`, `sheets`); codes not listed keep the rule's unit. */
  unitCodes?: Readonly<Record<string, string>>;
  /** Code → name rules. */
  codes: MeterCodeRule[];
  /** Public source of the OIDs and codes, and which one it follows where sources disagree. */
  source: string;
  /** Totals the vendor defines as the sum of other meters. */
  sums?: MeterSum[];
}

/** Any kind of vendor meter map. */
export type VendorMeterMap = MeterMap | ScalarMeterMap | IndexedMeterMap;

/** A meter the reader refused or doubts (negative value, a total that is not the sum of its parts). */
export interface MeterProblem {
  /** The OID concerned. */
  oid: string;
  /**
   * `SNMP_METER_IMPLAUSIBLE` (negative: not reported as a meter), `SNMP_METER_SUM_MISMATCH`
   * (reported, flagged) or `SNMP_METER_UNIT_MISMATCH` (rows of one meter in different units:
   * not added, not reported as a meter).
   */
  code: string;
  /** What is wrong, with the values. */
  message: string;
}

/**
 * An extensible set of {@link MeterMap}s. The reader asks it which vendor tables to
 * walk for a device and how to name what it finds.
 *
 * @example
 * ```ts
 * const maps = new MeterMapRegistry();
 * maps.register(myKonicaMap); // tried before the built-in maps of the same vendor
 * const reader = new PrinterReader({ meterMaps: maps });
 * ```
 */
export class MeterMapRegistry {
  private readonly maps: VendorMeterMap[];

  /** Starts with `maps` (the built-in maps by default). */
  constructor(maps: readonly VendorMeterMap[] = BUILTIN_METER_MAPS) {
    this.maps = [...maps];
  }

  /**
   * Adds a map; it is tried before maps registered earlier for the same vendor.
   * Throws a {@link ConfigError} `CONFIG_INVALID_OPTION` for a map without an id or with
   * an OID that is not dotted.
   */
  register(map: VendorMeterMap): this {
    const dotted = (oid: string | undefined) => oid !== undefined && /^\d+(\.\d+)+$/.test(oid);
    const ok =
      !!map.id &&
      (map.kind === "scalar"
        ? map.meters.length > 0 && map.meters.every((m) => dotted(m.oid))
        : map.kind === "indexed"
          ? dotted(map.valueColumn) &&
            (map.codeColumn === undefined || dotted(map.codeColumn)) &&
            (map.codeColumns === undefined ||
              (map.codeColumns.length > 0 && map.codeColumns.every((c) => dotted(c)))) &&
            (map.unitColumn === undefined || dotted(map.unitColumn))
          : dotted(map.valueColumn) && dotted(map.labelColumn));
    if (!ok)
      throw new ConfigError(
        "CONFIG_INVALID_OPTION",
        `meter map "${map.id}" needs an id and dotted OIDs (valueColumn/labelColumn, meters[].oid, codeColumn, codeColumns or unitColumn)`,
      );
    this.maps.unshift(map);
    return this;
  }

  /** Every map, in the order they are tried. */
  list(): readonly VendorMeterMap[] {
    return this.maps;
  }

  /** The maps that apply to a device: model-specific ones first, then vendor-wide ones. */
  forDevice(identity: Pick<DeviceIdentity, "enterprise" | "model">): VendorMeterMap[] {
    const mine = this.maps.filter((m) => m.enterprise === identity.enterprise);
    const specific = mine.filter((m) => m.models && identity.model !== null && m.models.test(identity.model));
    return [...specific, ...mine.filter((m) => !m.models)];
  }

  /** The table columns the reader must walk for this device (deduplicated). */
  columnsFor(identity: Pick<DeviceIdentity, "enterprise" | "model">): string[] {
    const cols = new Set<string>();
    for (const m of this.forDevice(identity)) {
      if (m.kind === "scalar") continue;
      if (m.kind === "indexed") {
        cols.add(m.valueColumn);
        if (m.codeColumn) cols.add(m.codeColumn);
        for (const c of m.codeColumns ?? []) cols.add(c);
        if (m.unitColumn) cols.add(m.unitColumn);
      } else {
        cols.add(m.valueColumn);
        cols.add(m.labelColumn);
      }
    }
    return [...cols];
  }

  /**
   * The scalar objects the reader must GET for this device (deduplicated). They are asked
   * in one GET beside the walk, not walked: every walked subtree shares the GETBULK
   * budget of a request, so more subtrees would mean more round trips for big tables.
   */
  scalarOidsFor(identity: Pick<DeviceIdentity, "enterprise" | "model">): string[] {
    const oids = new Set<string>();
    for (const m of this.forDevice(identity))
      if (m.kind === "scalar") for (const r of m.meters) oids.add(r.oid);
    return [...oids];
  }
}

/** The registry the reader uses when none is given. */
export const defaultMeterMaps = new MeterMapRegistry();

function ruleMatches(rule: MeterLabelRule, label: string): boolean {
  return typeof rule.label === "string"
    ? rule.label.trim().toLowerCase() === label.trim().toLowerCase()
    : rule.label.test(label.trim());
}

/**
 * Names the rows of vendor labelled tables by label. A row is named by the first map
 * (model-specific first) with a matching rule; a row no rule names is reported under its
 * label if a map says `reportUnmapped`. Two rows never get the same name: the later
 * one keeps its label. An indexed map's meter whose rows are in different units (sheets
 * and impressions) is left out; {@link decodeMeterSet} reports it as `SNMP_METER_UNIT_MISMATCH`.
 */
export function decodeVendorMeters(mib: VarbindSet, allMaps: readonly VendorMeterMap[]): MeterReading[] {
  return decodeVendorMeterRows(mib, allMaps).meters;
}

/** {@link decodeVendorMeters} with the meters refused while adding rows (units that differ). */
function decodeVendorMeterRows(
  mib: VarbindSet,
  allMaps: readonly VendorMeterMap[],
): { meters: MeterReading[]; problems: MeterProblem[] } {
  const out: MeterReading[] = [];
  const problems: MeterProblem[] = [];
  const usedNames = new Set<string>();
  const seenOids = new Set<string>();
  const byTable = new Map<string, MeterMap[]>();
  const maps = allMaps.filter((m): m is MeterMap => m.kind === undefined || m.kind === "labelled");
  for (const m of maps) {
    const key = `${m.valueColumn}|${m.labelColumn}`;
    byTable.set(key, [...(byTable.get(key) ?? []), m]);
  }
  for (const tableMaps of byTable.values()) {
    const first = tableMaps[0];
    if (!first) continue;
    const values = mib.column(first.valueColumn);
    const labels = mib.column(first.labelColumn);
    for (const index of [...values.keys()].sort(compareIndexes)) {
      const vb = values.get(index);
      const value = numberOf(vb);
      const label = textOf(labels.get(index));
      const oid = `${first.valueColumn}.${index}`;
      if (!vb || value === null || !label || seenOids.has(oid)) continue;
      let named: { name: string; unit: string; mapId: string } | null = null;
      for (const m of tableMaps) {
        const rule = m.rules.find((r) => ruleMatches(r, label));
        if (rule) {
          named = { name: rule.name, unit: rule.unit ?? "impressions", mapId: m.id };
          break;
        }
      }
      if (!named || usedNames.has(named.name)) {
        const fallback = tableMaps.find((m) => m.reportUnmapped);
        if (!fallback || usedNames.has(label)) continue;
        named = { name: label, unit: named?.unit ?? "impressions", mapId: fallback.id };
      }
      usedNames.add(named.name);
      seenOids.add(oid);
      out.push({ ...named, value, oid, type: vb.type, source: "vendor", label });
    }
  }
  for (const m of allMaps) {
    if (m.kind === "scalar") {
      for (const r of m.meters) {
        const vb = mib.get(r.oid);
        const value = numberOf(vb);
        if (!vb || value === null || usedNames.has(r.name)) continue;
        usedNames.add(r.name);
        out.push({
          name: r.name,
          value,
          unit: r.unit ?? "impressions",
          oid: r.oid,
          type: vb.type,
          source: "vendor",
          label: r.label ?? null,
          mapId: m.id,
        });
      }
    } else if (m.kind === "indexed") {
      out.push(...decodeIndexed(mib, m, usedNames, problems));
    }
  }
  return { meters: out, problems };
}

/**
 * The rows of one indexed table, codes with one name added together (first row's OID
 * reported). Rows of one name in different units are not added: sheets and impressions
 * differ by the duplex factor, so the sum would be billed in neither unit. Such a meter
 * is left out and reported in `problems` (its name stays used: no other map stands in).
 */
function decodeIndexed(
  mib: VarbindSet,
  m: IndexedMeterMap,
  usedNames: Set<string>,
  problems: MeterProblem[],
): MeterReading[] {
  const values = mib.column(m.valueColumn);
  const codes = m.codeColumn ? mib.column(m.codeColumn) : null;
  const codeParts = m.codeColumns?.map((c) => mib.column(c)) ?? null;
  const cell = (col: Map<string, Varbind>, index: string) =>
    String(numberOf(col.get(index)) ?? textOf(col.get(index)) ?? "");
  const units = m.unitColumn ? mib.column(m.unitColumn) : null;
  const byName = new Map<string, MeterReading>();
  /** Name → `unit (OID)` of every row, kept only for meters whose rows mix units. */
  const mixed = new Map<string, string[]>();
  const rowsOf = new Map<string, string[]>();
  for (const index of [...values.keys()].sort(compareIndexes)) {
    const vb = values.get(index);
    const value = numberOf(vb);
    if (!vb || value === null) continue;
    const code = codeParts
      ? codeParts.map((col) => cell(col, index)).join(".")
      : codes
        ? cell(codes, index)
        : index;
    const rule = m.codes.find((c) => c.code === code);
    if (!rule || (usedNames.has(rule.name) && !byName.has(rule.name))) continue;
    const label = rule.label ?? `code ${code}`;
    const unitCode = units ? cell(units, index) : null;
    const unit = (unitCode !== null ? m.unitCodes?.[unitCode] : undefined) ?? rule.unit ?? "impressions";
    const oid = `${m.valueColumn}.${index}`;
    const rows = rowsOf.get(rule.name) ?? [];
    rows.push(`${unit} (${oid})`);
    rowsOf.set(rule.name, rows);
    const seen = byName.get(rule.name);
    if (seen && seen.unit !== unit) mixed.set(rule.name, rows);
    if (seen) {
      seen.value += value;
      seen.label = `${seen.label}+${code}`;
      continue;
    }
    byName.set(rule.name, {
      name: rule.name,
      value,
      unit,
      oid,
      type: vb.type,
      source: "vendor",
      label,
      mapId: m.id,
    });
  }
  for (const name of byName.keys()) usedNames.add(name);
  for (const [name, rows] of mixed) {
    const first = byName.get(name);
    if (!first) continue;
    byName.delete(name);
    problems.push({
      oid: first.oid,
      code: "SNMP_METER_UNIT_MISMATCH",
      message: `${name} has rows in different units (${rows.join(", ")}) in ${m.id}; not added, not reported as a meter`,
    });
  }
  return [...byName.values()];
}

/**
 * Separates meters that must not be billed: a negative value is refused (reported in the
 * problems, not in the meters), and a total that is not the sum of its parts, where the
 * vendor defines it so (a map's `sums`), is flagged as a problem (the meters stay).
 */
export function checkMeters(
  meters: readonly MeterReading[],
  maps: readonly VendorMeterMap[],
): {
  /** The meters that may be billed. */
  meters: MeterReading[];
  /** What was refused or doubted. */
  problems: MeterProblem[];
} {
  const problems: MeterProblem[] = [];
  const kept = meters.filter((m) => {
    if (m.value >= 0) return true;
    problems.push({
      oid: m.oid,
      code: "SNMP_METER_IMPLAUSIBLE",
      message: `${m.name} is negative (${m.value}); not reported as a meter`,
    });
    return false;
  });
  for (const map of maps) {
    for (const sum of map.sums ?? []) {
      // Parts may come from sibling maps of the same vendor (Kyocera: a table and scalars).
      const of = (name: string) => kept.find((m) => m.name === name && m.source === "vendor");
      const total = of(sum.total);
      const parts = sum.parts.map(of);
      if (!total || parts.some((p) => !p)) continue;
      const added = parts.reduce((a, p) => a + (p?.value ?? 0), 0);
      if (added !== total.value)
        problems.push({
          oid: total.oid,
          code: "SNMP_METER_SUM_MISMATCH",
          message: `${sum.total} (${total.value}) is not the sum of ${sum.parts.join(" + ")} (${added}), as ${map.id} defines it`,
        });
    }
  }
  return { meters: kept, problems };
}

/** PWG impression counter columns we report (see shared PRINTER-MIBS.md). */
const PWG_COLUMNS: { column: number; name: string }[] = [
  { column: 4, name: "PWG Total Impressions" },
  { column: 5, name: "PWG Monochrome Impressions" },
  { column: 7, name: "PWG Full Color Impressions" },
];

/** Standard meters: prtMarkerLifeCount / PowerOnCount per marker, and PWG impression counters. */
export function decodeStandardMeters(mib: VarbindSet): MeterReading[] {
  const out: MeterReading[] = [];
  const life = mib.column(Oid.prtMarkerLifeCount);
  const powerOn = mib.column(Oid.prtMarkerPowerOnCount);
  const units = mib.column(Oid.prtMarkerCounterUnit);
  const markers = mib.rowIndexes([Oid.prtMarkerLifeCount, Oid.prtMarkerPowerOnCount]);
  const single = markers.length === 1;
  for (const index of markers) {
    const unitCode = numberOf(units.get(index));
    const unit = unitCode === null ? null : (COUNTER_UNIT_NAMES[unitCode] ?? `unit${unitCode}`);
    const marker = single ? "" : ` ${index}`;
    for (const [col, vbs, what] of [
      [Oid.prtMarkerLifeCount, life, "Life Count"],
      [Oid.prtMarkerPowerOnCount, powerOn, "Power-On Count"],
    ] as const) {
      const vb = vbs.get(index);
      const value = numberOf(vb);
      if (!vb || value === null) continue;
      out.push({
        name: `Marker${marker} ${what}`,
        value,
        unit,
        oid: `${col}.${index}`,
        type: vb.type,
        source: "printer-mib",
        label: null,
        mapId: null,
      });
    }
  }
  for (const { column, name } of PWG_COLUMNS) {
    const col = `${Oid.pwgImpressionCounters}.${column}`;
    const rows = mib.column(col);
    const keys = [...rows.keys()].sort(compareIndexes);
    for (const index of keys) {
      const vb = rows.get(index);
      const value = numberOf(vb);
      if (!vb || value === null) continue;
      out.push({
        name: keys.length === 1 ? name : `${name} ${index}`,
        value,
        unit: "impressions",
        oid: `${col}.${index}`,
        type: vb.type,
        source: "pwg",
        label: null,
        mapId: null,
      });
    }
  }
  return out;
}

/**
 * Every meter of a reading: standard ones, then the vendor tables named by `registry`
 * for this device.
 *
 * @example
 * ```ts
 * const meters = decodeMeters(varbinds, identity);
 * const black = meters.find((m) => m.name === "Black Impressions")?.value;
 * ```
 */
export function decodeMeters(
  varbinds: Iterable<Varbind> | VarbindSet,
  identity: Pick<DeviceIdentity, "enterprise" | "model">,
  registry: MeterMapRegistry = defaultMeterMaps,
): MeterReading[] {
  return decodeMeterSet(varbinds, identity, registry).meters;
}

/**
 * Like {@link decodeMeters}, with the problems found: vendor meters whose rows are in
 * different units (left out of the meters), and those of {@link checkMeters} — negative
 * values (left out) and vendor totals that are not the sum of their parts (flagged).
 */
export function decodeMeterSet(
  varbinds: Iterable<Varbind> | VarbindSet,
  identity: Pick<DeviceIdentity, "enterprise" | "model">,
  registry: MeterMapRegistry = defaultMeterMaps,
): {
  /** The meters that may be billed. */
  meters: MeterReading[];
  /** Refused or doubted meters. */
  problems: MeterProblem[];
} {
  const mib = varbinds instanceof VarbindSet ? varbinds : new VarbindSet(varbinds);
  const maps = registry.forDevice(identity);
  const vendor = decodeVendorMeterRows(mib, maps);
  const checked = checkMeters([...decodeStandardMeters(mib), ...vendor.meters], maps);
  return { meters: checked.meters, problems: [...vendor.problems, ...checked.problems] };
}
