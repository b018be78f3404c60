/**
 * What to ask a printer for (the reading plan) and how to turn the answers into one
 * {@link DeviceReading}. Pure: the reader does the I/O.
 * @module
 */
import type { Varbind } from "../varbind.js";
import { type DeviceIdentity, decodeIdentity, vendorIdentityOids } from "./identity.js";
import { decodeMeterSet, defaultMeterMaps, type MeterMapRegistry, type MeterReading } from "./meters.js";
import { Oid } from "./oids.js";
import { decodeAlerts, decodeStatus, type PrinterAlert, type PrinterStatus } from "./status.js";
import { decodeSupplies, type SupplyLevel, VENDOR_SUPPLY_LEVELS } from "./supplies.js";
import { VarbindSet } from "./values.js";

/** A part of a reading that could not be read completely; the rest of the reading stands. */
export interface ReadingProblem {
  /** The subtree or object concerned. */
  oid: string;
  /** Stable error code (`SNMP_NO_SERIAL`, `SNMP_WALK_NOT_INCREASING`, `SNMP_TABLE_TOO_LARGE`, `SNMP_METER_IMPLAUSIBLE`, `SNMP_METER_SUM_MISMATCH`, `SNMP_METER_UNIT_MISMATCH`, …). */
  code: string;
  /** Human-readable reason. */
  message: string;
}

/** One reading of one device. The JSON form is what `esol read --json` prints. */
export interface DeviceReading {
  /** `host:port` as read. */
  target: string;
  /**
   * When the reading finished (the reader's clock). A `Date` like every instant of the public
   * models; its JSON form (`esol read --json`) is the same ISO 8601 UTC string as before 0.2.
   */
  readAt: Date;
  /** Who the device is. */
  identity: DeviceIdentity;
  /** Named meters. */
  meters: MeterReading[];
  /** Every supply of prtMarkerSuppliesTable. */
  supplies: SupplyLevel[];
  /** Printer status and error-state flags. */
  status: PrinterStatus;
  /** Active alerts of prtAlertTable. */
  alerts: PrinterAlert[];
  /** Parts that could not be read completely. */
  problems: ReadingProblem[];
}

/**
 * Scalars GET in the first request of a reading. Vendor objects of every vendor are
 * included: a missing OID costs a few bytes, an extra round trip costs a lot more.
 */
export const IDENTITY_OIDS: readonly string[] = [
  Oid.sysDescr,
  Oid.sysObjectID,
  Oid.sysUpTime,
  Oid.sysName,
  Oid.prtGeneralSerialNumber,
  `${Oid.hrDeviceDescr}.1`,
  `${Oid.hrDeviceStatus}.1`,
  Oid.pwgDeviceId,
  Oid.xeroxDeviceId,
  Oid.xeroxSerial,
  Oid.brotherSerial,
  Oid.brotherDeviceId,
  Oid.brotherFirmware,
  Oid.hpSerial,
  `${Oid.prtGeneralCurrentLocalization}.1`,
  `${Oid.prtConsoleLocalization}.1`,
];

/** Subtrees every reading walks (small tables or single columns). */
export const STANDARD_SUBTREES: readonly string[] = [
  Oid.ifType,
  Oid.ifPhysAddress,
  Oid.ifOperStatus,
  Oid.hrDeviceType,
  Oid.hrPrinterEntry,
  Oid.prtMarkerEntry,
  Oid.prtMarkerSuppliesEntry,
  Oid.prtMarkerColorantValue,
  Oid.prtAlertEntry,
  Oid.pwgImpressionCounters,
  Oid.prtLocalizationCharacterSet,
  Oid.prtConsoleDisplayBufferText,
];

/**
 * The subtrees to walk for a device whose identity scalars are known: the standard
 * tables, the vendor's supply-level column and the columns its meter maps read.
 */
export function subtreesFor(
  identity: Pick<DeviceIdentity, "enterprise" | "model">,
  meterMaps: MeterMapRegistry = defaultMeterMaps,
): string[] {
  const levels = VENDOR_SUPPLY_LEVELS.filter((v) => v.enterprise === identity.enterprise).map(
    (v) => v.column,
  );
  return [...new Set([...STANDARD_SUBTREES, ...levels, ...meterMaps.columnsFor(identity)])];
}

/**
 * The vendor scalar objects to GET for a device whose identity scalars are known: its
 * serial/model objects (see `VENDOR_IDENTITY`) and the objects of its scalar meter maps.
 * One GET, sent beside the walk of {@link subtreesFor}.
 */
export function vendorScalarsFor(
  identity: Pick<DeviceIdentity, "enterprise" | "model">,
  meterMaps: MeterMapRegistry = defaultMeterMaps,
): string[] {
  const first = new Set(IDENTITY_OIDS);
  const oids = [...vendorIdentityOids(identity.enterprise), ...meterMaps.scalarOidsFor(identity)];
  return [...new Set(oids.filter((oid) => !first.has(oid)))];
}

/**
 * The scalars that the first GET guessed at row 1 but the printer row is elsewhere
 * (HP has used 0): GET these too.
 */
export function printerRowOids(printerIndex: number | null): string[] {
  if (printerIndex === null || printerIndex === 1) return [];
  return [
    `${Oid.hrDeviceDescr}.${printerIndex}`,
    `${Oid.hrDeviceStatus}.${printerIndex}`,
    // prtGeneralTable is indexed by hrDeviceIndex: the printer's own serial row.
    `${Oid.prtGeneralSerialNumberColumn}.${printerIndex}`,
    `${Oid.prtGeneralCurrentLocalization}.${printerIndex}`,
    `${Oid.prtConsoleLocalization}.${printerIndex}`,
  ];
}

/** Options for {@link decodeReading}. */
export interface DecodeReadingOptions {
  /** `host:port` to report. */
  target: string;
  /** Reading time (default now). */
  readAt?: Date;
  /** Meter maps (default {@link defaultMeterMaps}). */
  meterMaps?: MeterMapRegistry;
  /** Problems met while reading. */
  problems?: ReadingProblem[];
  /** Percent at or below which a consumable is `low` and a receptacle `nearlyFull` (default 10). */
  lowSupplyPercent?: number;
}

/**
 * Decodes everything a reading found into a {@link DeviceReading}.
 *
 * @example
 * ```ts
 * const reading = decodeReading(parseSnmprec(text), { target: "recording" });
 * ```
 */
export function decodeReading(
  varbinds: Iterable<Varbind> | VarbindSet,
  options: DecodeReadingOptions,
): DeviceReading {
  const mib = varbinds instanceof VarbindSet ? varbinds : new VarbindSet(varbinds);
  const identity = decodeIdentity(mib);
  const meters = decodeMeterSet(mib, identity, options.meterMaps ?? defaultMeterMaps);
  return {
    target: options.target,
    readAt: new Date((options.readAt ?? new Date()).getTime()),
    identity,
    meters: meters.meters,
    supplies: decodeSupplies(mib, {
      enterprise: identity.enterprise,
      ...(options.lowSupplyPercent !== undefined && { lowPercent: options.lowSupplyPercent }),
    }),
    status: decodeStatus(mib, identity.printerIndex),
    alerts: decodeAlerts(mib),
    problems: [
      ...(options.problems ?? []),
      ...(identity.serial
        ? []
        : [
            {
              oid: Oid.prtGeneralSerialNumber,
              code: "SNMP_NO_SERIAL",
              message:
                "no serial number in the Printer-MIB, the vendor's MIB, sysDescr or the IEEE-1284 device id: the device cannot be billed by serial",
            },
          ]),
      ...meters.problems,
    ],
  };
}
