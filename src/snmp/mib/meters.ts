/**
 * Meters (page counters) from Printer-MIB prtMarkerTable, PWG impression counters and
 * vendor labelled meter tables (Xerox billing meters, Sharp counters). Vendor tables are
 * mapped BY LABEL through {@link MeterMap}s — the row index of "Black Impressions"
 * differs between models — and users can register their own maps.
 * @module
 */
import { ConfigError } from "../../errors.js";
import type { Varbind, VarbindType } from "../varbind.js";
import type { DeviceIdentity } from "./identity.js";
import { Oid } from "./oids.js";
import { compareIndexes, numberOf, textOf, VarbindSet } from "./values.js";

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
}

/** Names shared by Xerox's common billing labels across models. */
const XEROX_COMMON_RULES: MeterLabelRule[] = [
  { label: /^total\s+(printed\s+)?impressions$/i, name: "Total Impressions" },
  { label: /^black\s+(printed\s+)?impressions$/i, name: "Black Impressions" },
  { label: /^colou?r\s+(printed\s+)?impressions$/i, name: "Color Impressions" },
  { label: /^total\s+(printed\s+)?large\s+(printed\s+)?impressions$/i, name: "Total Large Impressions" },
  { label: /^black\s+(printed\s+)?large\s+(printed\s+)?impressions$/i, name: "Black Large Impressions" },
  { label: /^colou?r\s+(printed\s+)?large\s+(printed\s+)?impressions$/i, name: "Color Large Impressions" },
  { label: /^black\s+copied\s+impressions$/i, name: "Black Copied Impressions" },
  { label: /^colou?r\s+copied\s+impressions$/i, name: "Color Copied Impressions" },
  { label: /^black\s+printed\s+sheets$/i, name: "Black Sheets", unit: "sheets" },
  { label: /^colou?r\s+printed\s+sheets$/i, name: "Color Sheets", unit: "sheets" },
];

/** The maps shipped with the SDK. Per-model profiles first, vendor-wide fallbacks last. */
export const BUILTIN_METER_MAPS: readonly MeterMap[] = [
  {
    // Older WorkCentre models label the billing meters with the meter numbers
    // printed on the machine's billing page.
    id: "xerox-workcentre-meters",
    enterprise: 253,
    models: /WorkCentre/i,
    valueColumn: Oid.xeroxBillingValue,
    labelColumn: Oid.xeroxBillingLabel,
    rules: [
      { label: /^meter\s*1\b/i, name: "Black Impressions" },
      { label: /^meter\s*2\b/i, name: "Color Impressions" },
      { label: /^meter\s*3\b/i, name: "Total Impressions" },
      { label: /^meter\s*4\b/i, name: "Color Large Impressions" },
    ],
  },
  {
    id: "xerox-billing",
    enterprise: 253,
    valueColumn: Oid.xeroxBillingValue,
    labelColumn: Oid.xeroxBillingLabel,
    rules: XEROX_COMMON_RULES,
    reportUnmapped: true,
  },
  {
    id: "sharp-counters",
    enterprise: 2385,
    valueColumn: `${Oid.sharpCounters}.3`,
    labelColumn: `${Oid.sharpCounters}.4`,
    rules: [
      { label: /^total\b/i, name: "Total Impressions" },
      { label: /^(black|b\/w|mono)/i, name: "Black Impressions" },
      { label: /^(full\s*)?colou?r/i, name: "Color Impressions" },
    ],
    reportUnmapped: true,
  },
];

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
  private readonly maps: MeterMap[];

  /** Starts with `maps` (the built-in maps by default). */
  constructor(maps: readonly MeterMap[] = BUILTIN_METER_MAPS) {
    this.maps = [...maps];
  }

  /** Adds a map; it is tried before maps registered earlier for the same vendor. */
  register(map: MeterMap): this {
    if (!map.id || !/^\d+(\.\d+)+$/.test(map.valueColumn) || !/^\d+(\.\d+)+$/.test(map.labelColumn))
      throw new ConfigError(
        "CONFIG_INVALID_OPTION",
        `meter map "${map.id}" needs an id and dotted valueColumn/labelColumn OIDs`,
      );
    this.maps.unshift(map);
    return this;
  }

  /** Every map, in the order they are tried. */
  list(): readonly MeterMap[] {
    return this.maps;
  }

  /** The maps that apply to a device: model-specific ones first, then vendor-wide ones. */
  forDevice(identity: Pick<DeviceIdentity, "enterprise" | "model">): MeterMap[] {
    const mine = this.maps.filter((m) => m.enterprise === identity.enterprise);
    const specific = mine.filter((m) => m.models && identity.model !== null && m.models.test(identity.model));
    return [...specific, ...mine.filter((m) => !m.models)];
  }

  /** The table columns the reader must walk for this device (deduplicated). */
  columnsFor(identity: Pick<DeviceIdentity, "enterprise" | "model">): string[] {
    const cols = new Set<string>();
    for (const m of this.forDevice(identity)) {
      cols.add(m.valueColumn);
      cols.add(m.labelColumn);
    }
    return [...cols];
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
 * one keeps its label.
 */
export function decodeVendorMeters(mib: VarbindSet, maps: readonly MeterMap[]): MeterReading[] {
  const out: MeterReading[] = [];
  const usedNames = new Set<string>();
  const seenOids = new Set<string>();
  const byTable = new Map<string, MeterMap[]>();
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
  return out;
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
  const mib = varbinds instanceof VarbindSet ? varbinds : new VarbindSet(varbinds);
  return [...decodeStandardMeters(mib), ...decodeVendorMeters(mib, registry.forDevice(identity))];
}
