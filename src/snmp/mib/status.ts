/**
 * Printer status from HOST-RESOURCES-MIB (hrPrinterStatus, hrDeviceStatus,
 * hrPrinterDetectedErrorState) and active alerts from Printer-MIB prtAlertTable.
 * @module
 */
import type { Varbind } from "../varbind.js";
import { type ConsoleDisplay, decodeConsole } from "./console.js";
import { findPrinterIndex } from "./identity.js";
import { Oid } from "./oids.js";
import { numberOf, textOf, VarbindSet } from "./values.js";

/** hrPrinterDetectedErrorState flags, in bit order (bit 0 = MSB of the first byte). */
export const ERROR_STATE_FLAGS = [
  "lowPaper",
  "noPaper",
  "lowToner",
  "noToner",
  "doorOpen",
  "jammed",
  "offline",
  "serviceRequested",
  "inputTrayMissing",
  "outputTrayMissing",
  "markerSupplyMissing",
  "outputNearFull",
  "outputFull",
  "inputTrayEmpty",
  "overduePreventMaint",
] as const;

/** One hrPrinterDetectedErrorState flag name. */
export type ErrorStateFlag = (typeof ERROR_STATE_FLAGS)[number];

/** hrPrinterStatus names. */
export const PRINTER_STATUS_NAMES: Readonly<Record<number, string>> = {
  1: "other",
  2: "unknown",
  3: "idle",
  4: "printing",
  5: "warmup",
};

/** hrDeviceStatus names. */
export const DEVICE_STATUS_NAMES: Readonly<Record<number, string>> = {
  1: "unknown",
  2: "running",
  3: "warning",
  4: "testing",
  5: "down",
};

/** The printer's state. */
export interface PrinterStatus {
  /** hrPrinterStatus name (`idle`, `printing`, …), null when absent. */
  printerStatus: string | null;
  /** hrPrinterStatus as sent. */
  printerStatusCode: number | null;
  /** hrDeviceStatus name (`running`, `warning`, `down`, …), null when absent. */
  deviceStatus: string | null;
  /** hrDeviceStatus as sent. */
  deviceStatusCode: number | null;
  /** Decoded hrPrinterDetectedErrorState flags; unnamed bits appear as `bitN`. */
  errorState: string[];
  /** hrPrinterDetectedErrorState bytes as lower-case hex (`""` for an empty string), null when absent. */
  errorStateHex: string | null;
  /** The console display text in the device's declared character set, null when the device has no display buffer. */
  console: ConsoleDisplay | null;
}

/**
 * Decodes hrPrinterDetectedErrorState. Bit 0 is the most significant bit of the first
 * byte (RFC 2790); devices send 0, 1 or 2 bytes (or more — later bits are named `bitN`).
 *
 * @example
 * ```ts
 * decodeErrorState(Buffer.from([0x20]));       // ["lowToner"]
 * decodeErrorState(Buffer.from([0x00, 0x80])); // ["inputTrayMissing"]
 * ```
 */
export function decodeErrorState(bytes: Buffer): string[] {
  const flags: string[] = [];
  for (let byte = 0; byte < bytes.length; byte++) {
    const b = bytes[byte] ?? 0;
    for (let bit = 0; bit < 8; bit++) {
      if (b & (0x80 >> bit)) {
        const n = byte * 8 + bit;
        flags.push(ERROR_STATE_FLAGS[n] ?? `bit${n}`);
      }
    }
  }
  return flags;
}

/** Decodes the printer row's status; `printerIndex` defaults to the row found in hrDeviceTable. */
export function decodeStatus(
  varbinds: Iterable<Varbind> | VarbindSet,
  printerIndex: number | null = null,
): PrinterStatus {
  const mib = varbinds instanceof VarbindSet ? varbinds : new VarbindSet(varbinds);
  const idx = printerIndex ?? findPrinterIndex(mib);
  if (idx === null)
    return {
      printerStatus: null,
      printerStatusCode: null,
      deviceStatus: null,
      deviceStatusCode: null,
      errorState: [],
      errorStateHex: null,
      console: decodeConsole(mib, null),
    };
  const ps = mib.number(`${Oid.hrPrinterStatus}.${idx}`);
  const ds = mib.number(`${Oid.hrDeviceStatus}.${idx}`);
  const es = mib.bytes(`${Oid.hrPrinterDetectedErrorState}.${idx}`);
  return {
    printerStatus: ps === null ? null : (PRINTER_STATUS_NAMES[ps] ?? `status${ps}`),
    printerStatusCode: ps,
    deviceStatus: ds === null ? null : (DEVICE_STATUS_NAMES[ds] ?? `status${ds}`),
    deviceStatusCode: ds,
    errorState: es ? decodeErrorState(es) : [],
    errorStateHex: es ? es.toString("hex") : null,
    console: decodeConsole(mib, idx),
  };
}

/** prtAlertSeverityLevel names. */
export const ALERT_SEVERITY_NAMES: Readonly<Record<number, string>> = {
  1: "other",
  3: "critical",
  4: "warning",
  5: "warningBinaryChangeEvent",
};

/** prtAlertTrainingLevel names. */
export const ALERT_TRAINING_NAMES: Readonly<Record<number, string>> = {
  1: "other",
  2: "unknown",
  3: "untrained",
  4: "trained",
  5: "fieldService",
  6: "management",
  7: "noInterventionRequired",
};

/** prtAlertGroup names (PrtAlertGroupTC). */
export const ALERT_GROUP_NAMES: Readonly<Record<number, string>> = {
  1: "other",
  3: "hostResourcesMIBStorageTable",
  4: "hostResourcesMIBDeviceTable",
  5: "generalPrinter",
  6: "cover",
  7: "localization",
  8: "input",
  9: "output",
  10: "marker",
  11: "markerSupplies",
  12: "markerColorant",
  13: "mediaPath",
  14: "channel",
  15: "interpreter",
  16: "consoleDisplayBuffer",
  17: "consoleLights",
  18: "alert",
  30: "finDevice",
  31: "finSupply",
  32: "finSupplyMediaInput",
  33: "finAttribute",
};

/** A few common prtAlertCode names (PrtAlertCodeTC); others appear as `codeN`. */
export const ALERT_CODE_NAMES: Readonly<Record<number, string>> = {
  1: "other",
  2: "unknown",
  3: "coverOpen",
  4: "coverClosed",
  5: "interlockOpen",
  6: "interlockClosed",
  7: "configurationChange",
  8: "jam",
  13: "doorOpen",
  14: "doorClosed",
  15: "powerUp",
  16: "powerDown",
  17: "printerNMSReset",
  18: "printerManualReset",
  19: "printerReadyToPrint",
  501: "inputMediaTrayMissing",
  502: "inputMediaSizeChange",
  503: "inputMediaWeightChange",
  504: "inputMediaTypeChange",
  505: "inputMediaColorChange",
  506: "inputMediaFormPartsChange",
  507: "inputMediaSupplyLow",
  508: "inputMediaSupplyEmpty",
  801: "markerFuserUnderTemperature",
  802: "markerFuserOverTemperature",
  1101: "markerTonerEmpty",
  1102: "markerInkEmpty",
  1103: "markerPrintRibbonEmpty",
  1104: "markerTonerAlmostEmpty",
  1105: "markerInkAlmostEmpty",
  1106: "markerPrintRibbonAlmostEmpty",
  1107: "markerWasteTonerReceptacleAlmostFull",
  1108: "markerWasteInkReceptacleAlmostFull",
  1109: "markerWasteTonerReceptacleFull",
  1110: "markerWasteInkReceptacleFull",
  1111: "markerOpcLifeAlmostOver",
  1112: "markerOpcLifeOver",
  1113: "markerDeveloperAlmostEmpty",
  1114: "markerDeveloperEmpty",
  1115: "markerTonerCartridgeMissing",
};

/** One active alert (a row of prtAlertTable). */
export interface PrinterAlert {
  /** Row index `hrDeviceIndex.prtAlertIndex`. */
  index: string;
  /** prtAlertSeverityLevel name (`critical`, `warning`, …). */
  severity: string | null;
  /** prtAlertSeverityLevel as sent. */
  severityCode: number | null;
  /** prtAlertTrainingLevel name (who can fix it: `untrained`, `fieldService`, …). */
  trainingLevel: string | null;
  /** prtAlertTrainingLevel as sent. */
  trainingLevelCode: number | null;
  /** prtAlertGroup name (which subunit table the alert is about). */
  group: string | null;
  /** prtAlertGroup as sent. */
  groupCode: number | null;
  /** prtAlertGroupIndex: the row in that subunit's table (-1 none). */
  groupIndex: number | null;
  /** prtAlertLocation (vendor-specific, -1 none). */
  location: number | null;
  /** prtAlertCode name. */
  code: string | null;
  /** prtAlertCode as sent. */
  codeValue: number | null;
  /** prtAlertDescription, cleaned. */
  description: string | null;
  /** prtAlertTime: sysUpTime (TimeTicks) when the alert was raised. */
  time: number | null;
}

/**
 * Decodes prtAlertTable. The table holds only the alerts the device considers active
 * (RFC 3805 removes cleared ones), in row order.
 */
export function decodeAlerts(varbinds: Iterable<Varbind> | VarbindSet): PrinterAlert[] {
  const mib = varbinds instanceof VarbindSet ? varbinds : new VarbindSet(varbinds);
  const cols = {
    severity: mib.column(Oid.prtAlertSeverityLevel),
    training: mib.column(Oid.prtAlertTrainingLevel),
    group: mib.column(Oid.prtAlertGroup),
    groupIndex: mib.column(Oid.prtAlertGroupIndex),
    location: mib.column(Oid.prtAlertLocation),
    code: mib.column(Oid.prtAlertCode),
    description: mib.column(Oid.prtAlertDescription),
    time: mib.column(Oid.prtAlertTime),
  };
  const rows = mib.rowIndexes([Oid.prtAlertSeverityLevel, Oid.prtAlertCode, Oid.prtAlertDescription]);
  const named = (table: Readonly<Record<number, string>>, n: number | null, prefix: string) =>
    n === null ? null : (table[n] ?? `${prefix}${n}`);
  return rows.map((index) => {
    const severityCode = numberOf(cols.severity.get(index));
    const trainingLevelCode = numberOf(cols.training.get(index));
    const groupCode = numberOf(cols.group.get(index));
    const codeValue = numberOf(cols.code.get(index));
    return {
      index,
      severity: named(ALERT_SEVERITY_NAMES, severityCode, "severity"),
      severityCode,
      trainingLevel: named(ALERT_TRAINING_NAMES, trainingLevelCode, "training"),
      trainingLevelCode,
      group: named(ALERT_GROUP_NAMES, groupCode, "group"),
      groupCode,
      groupIndex: numberOf(cols.groupIndex.get(index)),
      location: numberOf(cols.location.get(index)),
      code: named(ALERT_CODE_NAMES, codeValue, "code"),
      codeValue,
      description: textOf(cols.description.get(index)),
      time: numberOf(cols.time.get(index)),
    };
  });
}
