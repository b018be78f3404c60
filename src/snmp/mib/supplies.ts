/**
 * prtMarkerSuppliesTable (RFC 3805) into {@link SupplyLevel}s: raw numbers as the device
 * sent them, readable names beside them, and a percent only when it means something.
 * @module
 */
import type { Varbind } from "../varbind.js";
import { Oid } from "./oids.js";
import { numberOf, textOf, VarbindSet } from "./values.js";

/**
 * What a supply level means:
 * - `ok` — a level and a positive capacity: `percent` is set and above the low threshold;
 * - `low` — a consumable at or below the low threshold (default 10 %);
 * - `empty` — a consumable at level 0, whatever its capacity;
 * - `nearlyFull` — a receptacle (waste toner box) whose remaining space is at or below
 *   the threshold (RFC 3805: a receptacle's level is its remaining space);
 * - `full` — a receptacle at level 0 (no space left);
 * - `someRemaining` — level -3, "at least one unit remaining" (RFC 3805);
 * - `unknown` — level -2, or a capacity of -2;
 * - `other` — level -1, or a capacity of -1;
 * - `noCapacity` — a level ≥ 0 but capacity ≤ 0 or absent, so no percent can be computed;
 * - `absent` — the device gave no level at all.
 */
export type SupplyState =
  | "ok"
  | "low"
  | "empty"
  | "nearlyFull"
  | "full"
  | "someRemaining"
  | "unknown"
  | "other"
  | "noCapacity"
  | "absent";

/**
 * Where a supply's percent came from: the Printer-MIB level, or a vendor object used
 * because the Printer-MIB had only sentinels (`ricoh`: the Ricoh private MIB).
 */
export type SupplyLevelSource = "printer-mib" | "ricoh";

/**
 * Supply types that are receptacles by nature (IANA PrtMarkerSuppliesTypeTC: wasteToner,
 * wasteInk, wasteWax, wasteWater, wastePaper): treated as `receptacleThatIsFilled` when
 * a device leaves prtMarkerSuppliesClass out.
 */
const WASTE_TYPES = new Set([4, 8, 14, 24, 26]);

/** The consumable percent at or below which a supply is `low` (and a receptacle `nearlyFull`). */
export const DEFAULT_LOW_SUPPLY_PERCENT = 10;

/**
 * Vendor objects holding a supply level in percent, read when the Printer-MIB level is a
 * sentinel. Row = the last arc of the supply's prtMarkerSuppliesIndex.
 */
export const VENDOR_SUPPLY_LEVELS: readonly {
  /** Enterprise number of the vendor. */
  enterprise: number;
  /** Column whose rows hold the level in percent (0..100). */
  column: string;
  /** Reported in {@link SupplyLevel.levelSource}. */
  levelSource: SupplyLevelSource;
  /** Public source of the OID. */
  source: string;
}[] = [
  {
    enterprise: 367,
    column: "1.3.6.1.4.1.367.3.2.1.2.24.1.1.5",
    levelSource: "ricoh",
    source:
      "librenms/librenms includes/discovery/toner.inc.php (falls back to 367.3.2.1.2.24.1.1.5.<supply index> when prtMarkerSuppliesLevel is unusable)",
  },
];

/** Options of {@link decodeSupplies} and {@link supplyPercent}. */
export interface SupplyStateOptions {
  /** Percent at or below which a consumable is `low` and a receptacle `nearlyFull` (default 10). */
  lowPercent?: number;
  /** Enterprise number of the device, to use its vendor levels (see {@link VENDOR_SUPPLY_LEVELS}). */
  enterprise?: number | null;
}

/** One row of prtMarkerSuppliesTable. */
export interface SupplyLevel {
  /** Row index `hrDeviceIndex.prtMarkerSuppliesIndex`, e.g. `"1.1"`. */
  index: string;
  /** Description, with trailing NULs removed and hex-encoded text decoded. */
  description: string | null;
  /** prtMarkerSuppliesClass as sent (3 consumed, 4 receptacle), null when absent. */
  class: number | null;
  /** Readable name of {@link SupplyLevel.class}. */
  className: string | null;
  /** prtMarkerSuppliesType as sent (3 toner, 4 wasteToner, 5 ink, 9 opc, …), null when absent. */
  type: number | null;
  /** Readable name of {@link SupplyLevel.type}. */
  typeName: string | null;
  /** Colour name from prtMarkerColorantValue for this supply's colorant, null when none. */
  colorant: string | null;
  /** prtMarkerSuppliesSupplyUnit as sent (19 percent, 7 impressions, 13 tenthsOfGrams, …). */
  unit: number | null;
  /** Readable name of {@link SupplyLevel.unit}. */
  unitName: string | null;
  /** prtMarkerSuppliesMaxCapacity as sent (-1 other, -2 unknown). */
  max: number | null;
  /** prtMarkerSuppliesLevel as sent (-1 other, -2 unknown, -3 some remaining). */
  level: number | null;
  /**
   * level / max × 100, rounded and clamped to 0..100, only when max > 0 and level ≥ 0
   * (or from a vendor object, see {@link SupplyLevel.levelSource}). For a receptacle
   * (class 4, e.g. waste toner) it is the remaining space (RFC 3805
   * prtMarkerSuppliesLevel): low is bad.
   */
  percent: number | null;
  /** What the level means, see {@link SupplyState}. */
  state: SupplyState;
  /** Where {@link SupplyLevel.percent} came from, null when there is none. */
  levelSource: SupplyLevelSource | null;
}

/** prtMarkerSuppliesClass names (RFC 3805 PrtMarkerSuppliesClassTC). */
export const SUPPLY_CLASS_NAMES: Readonly<Record<number, string>> = {
  1: "other",
  3: "supplyThatIsConsumed",
  4: "receptacleThatIsFilled",
};

/** prtMarkerSuppliesType names (IANA-PRINTER-MIB PrtMarkerSuppliesTypeTC). */
export const SUPPLY_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "other",
  2: "unknown",
  3: "toner",
  4: "wasteToner",
  5: "ink",
  6: "inkCartridge",
  7: "inkRibbon",
  8: "wasteInk",
  9: "opc",
  10: "developer",
  11: "fuserOil",
  12: "solidWax",
  13: "ribbonWax",
  14: "wasteWax",
  15: "fuser",
  16: "coronaWire",
  17: "fuserOilWick",
  18: "cleanerUnit",
  19: "fuserCleaningPad",
  20: "transferUnit",
  21: "tonerCartridge",
  22: "fuserOiler",
  23: "water",
  24: "wasteWater",
  25: "glueWaterAdditive",
  26: "wastePaper",
  27: "bindingSupply",
  28: "bandingSupply",
  29: "stitchingWire",
  30: "shrinkWrap",
  31: "paperWrap",
  32: "staples",
  33: "inserts",
  34: "covers",
  35: "matteToner",
  36: "matteInk",
};

/** prtMarkerSuppliesSupplyUnit names (RFC 3805 PrtMarkerSuppliesSupplyUnitTC). */
export const SUPPLY_UNIT_NAMES: Readonly<Record<number, string>> = {
  1: "other",
  2: "unknown",
  3: "tenThousandthsOfInches",
  4: "micrometers",
  7: "impressions",
  8: "sheets",
  11: "hours",
  12: "thousandthsOfOunces",
  13: "tenthsOfGrams",
  14: "hundrethsOfFluidOunces",
  15: "tenthsOfMilliliters",
  16: "feet",
  17: "meters",
  18: "items",
  19: "percent",
};

/**
 * The state and percent for one level/max pair, following RFC 3805's sentinels. Give
 * `supplyClass` 4 for a receptacle: its level is the remaining space, so level 0 is
 * `full` and a low percent `nearlyFull`.
 *
 * @example
 * ```ts
 * supplyPercent(1060, 5300); // { percent: 20, state: "ok" }
 * supplyPercent(-3, -2);     // { percent: null, state: "someRemaining" }
 * supplyPercent(0, -2);      // { percent: null, state: "empty" }
 * supplyPercent(5, 100, 4);  // { percent: 5, state: "nearlyFull" }
 * ```
 */
export function supplyPercent(
  level: number | null,
  max: number | null,
  supplyClass: number | null = null,
  options: SupplyStateOptions = {},
): {
  /** Level as a percent of capacity (0..100), null when it cannot be computed. */
  percent: number | null;
  /** What the level means. */
  state: SupplyState;
} {
  const receptacle = supplyClass === 4;
  if (level === null) return { percent: null, state: "absent" };
  if (level === 0)
    return { percent: max !== null && max > 0 ? 0 : null, state: receptacle ? "full" : "empty" };
  if (level === -3) return { percent: null, state: "someRemaining" };
  if (level === -2) return { percent: null, state: "unknown" };
  if (level < 0) return { percent: null, state: "other" };
  if (max === -2) return { percent: null, state: "unknown" };
  if (max === -1) return { percent: null, state: "other" };
  if (max === null || max <= 0) return { percent: null, state: "noCapacity" };
  const percent = Math.min(100, Math.max(0, Math.round((level / max) * 100)));
  return { percent, state: stateOfPercent(percent, receptacle, options.lowPercent) };
}

function stateOfPercent(
  percent: number,
  receptacle: boolean,
  lowPercent = DEFAULT_LOW_SUPPLY_PERCENT,
): SupplyState {
  if (percent > lowPercent) return "ok";
  return receptacle ? "nearlyFull" : "low";
}

/**
 * Decodes the whole prtMarkerSuppliesTable, one {@link SupplyLevel} per row, in row order.
 *
 * @example
 * ```ts
 * for (const s of decodeSupplies(varbinds)) console.log(s.description, s.percent ?? s.state);
 * ```
 */
export function decodeSupplies(
  varbinds: Iterable<Varbind> | VarbindSet,
  options: SupplyStateOptions = {},
): SupplyLevel[] {
  const mib = varbinds instanceof VarbindSet ? varbinds : new VarbindSet(varbinds);
  const vendorLevels = VENDOR_SUPPLY_LEVELS.find((v) => v.enterprise === options.enterprise);
  const vendorColumn = vendorLevels ? mib.column(vendorLevels.column) : null;
  const col = (c: string) => mib.column(c);
  const colorantIdx = col(Oid.prtMarkerSuppliesColorantIndex);
  const classes = col(Oid.prtMarkerSuppliesClass);
  const types = col(Oid.prtMarkerSuppliesType);
  const descrs = col(Oid.prtMarkerSuppliesDescription);
  const units = col(Oid.prtMarkerSuppliesSupplyUnit);
  const maxes = col(Oid.prtMarkerSuppliesMaxCapacity);
  const levels = col(Oid.prtMarkerSuppliesLevel);
  const colorants = col(Oid.prtMarkerColorantValue);

  const rows = mib.rowIndexes([
    Oid.prtMarkerSuppliesClass,
    Oid.prtMarkerSuppliesType,
    Oid.prtMarkerSuppliesDescription,
    Oid.prtMarkerSuppliesMaxCapacity,
    Oid.prtMarkerSuppliesLevel,
  ]);
  return rows.map((index) => {
    const cls = numberOf(classes.get(index));
    const type = numberOf(types.get(index));
    const unit = numberOf(units.get(index));
    const max = numberOf(maxes.get(index));
    const level = numberOf(levels.get(index));
    // The colorant row shares the supply's hrDeviceIndex; index 0 means "no colorant".
    const device = index.split(".")[0];
    const ci = numberOf(colorantIdx.get(index));
    const colorant = ci !== null && ci > 0 ? textOf(colorants.get(`${device}.${ci}`)) || null : null;
    const description = textOf(descrs.get(index));
    // Devices that leave class (and type) out still name a waste container as such
    // (Xerox AltaLink: "Waste Toner Container"); it is a receptacle all the same.
    const effectiveClass =
      cls ??
      (type !== null
        ? WASTE_TYPES.has(type)
          ? 4
          : null
        : description && /\bwaste\b/i.test(description)
          ? 4
          : null);
    let reading = supplyPercent(level, max, effectiveClass, options);
    let levelSource: SupplyLevelSource | null = reading.percent !== null ? "printer-mib" : null;
    // Ricoh answers -100/-3 in the Printer-MIB on some models and the real percent in its
    // own MIB: use it only when the standard level has none and the vendor value is a percent.
    if (
      reading.percent === null &&
      reading.state !== "empty" &&
      reading.state !== "full" &&
      vendorLevels &&
      vendorColumn
    ) {
      const vendor = numberOf(vendorColumn.get(index.split(".").at(-1) ?? ""));
      if (vendor !== null && vendor >= 0 && vendor <= 100) {
        reading =
          vendor === 0
            ? { percent: 0, state: effectiveClass === 4 ? "full" : "empty" }
            : {
                percent: vendor,
                state: stateOfPercent(vendor, effectiveClass === 4, options.lowPercent),
              };
        levelSource = vendorLevels.levelSource;
      }
    }
    return {
      index,
      description,
      class: cls,
      className: cls === null ? null : (SUPPLY_CLASS_NAMES[cls] ?? `class${cls}`),
      type,
      typeName: type === null ? null : (SUPPLY_TYPE_NAMES[type] ?? `type${type}`),
      colorant,
      unit,
      unitName: unit === null ? null : (SUPPLY_UNIT_NAMES[unit] ?? `unit${unit}`),
      max,
      level,
      ...reading,
      levelSource,
    };
  });
}
