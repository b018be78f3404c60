/**
 * Device identity from SNMPv2-MIB, IF-MIB, HOST-RESOURCES-MIB, Printer-MIB, the PWG
 * IEEE-1284 device id and vendor trees. Pure: varbinds in, {@link DeviceIdentity} out.
 * @module
 */
import type { Varbind } from "../varbind.js";
import { ENTERPRISE_VENDORS, Oid } from "./oids.js";
import { isPrintableAscii, textOf, VarbindSet } from "./values.js";

/** Where the reported serial number was read. */
export type SerialSource =
  | "prtGeneralSerialNumber"
  | "xcmHrDevInfoSerialNumber"
  | "brotherSerialNumber"
  | "hpSerialNumber";

/** An IEEE-1284 device id (`MFG:…;MDL:…;CMD:…;`) split into its keys. */
export interface DeviceId {
  /** The string as the device sent it. */
  raw: string;
  /** `MFG` / `MANUFACTURER`. */
  manufacturer: string | null;
  /** `MDL` / `MODEL`. */
  model: string | null;
  /** `CMD` / `COMMAND SET`, split on commas. */
  commandSet: string[];
  /** `CLS` / `CLASS`. */
  deviceClass: string | null;
  /** `DES` / `DESCRIPTION`. */
  description: string | null;
  /** Every key as sent (upper-cased), including the ones above. */
  fields: Record<string, string>;
}

/** Who the device is. Fields the device did not answer are null. */
export interface DeviceIdentity {
  /** Vendor name from the enterprise number in sysObjectID (e.g. `Xerox`), null when unknown. */
  vendor: string | null;
  /** The enterprise number after 1.3.6.1.4.1 in sysObjectID. */
  enterprise: number | null;
  /** Model without the vendor name, from the device id, the printer's hrDeviceDescr or sysDescr. */
  model: string | null;
  /** Serial number, see {@link DeviceIdentity.serialSource}. */
  serial: string | null;
  /** Which object the serial came from: Printer-MIB first, vendor trees as fallbacks. */
  serialSource: SerialSource | null;
  /** SNMPv2-MIB sysDescr. */
  sysDescr: string | null;
  /** SNMPv2-MIB sysObjectID. */
  sysObjectID: string | null;
  /** SNMPv2-MIB sysName. */
  sysName: string | null;
  /** sysUpTime in TimeTicks (hundredths of a second), as the device sent it. */
  uptime: number | null;
  /** MAC address `aa:bb:cc:dd:ee:ff` of the first Ethernet interface that is up. */
  mac: string | null;
  /** Firmware version, from a vendor object or parsed from sysDescr. */
  firmware: string | null;
  /** The IEEE-1284 device id, parsed. */
  deviceId: DeviceId | null;
  /** hrDeviceIndex of the printer row in hrDeviceTable (1 on most devices, 0 on some HP). */
  printerIndex: number | null;
}

/** The vendor name and enterprise number in a sysObjectID, if it lies under 1.3.6.1.4.1. */
export function vendorOf(sysObjectID: string | null): {
  /** Vendor name of the enterprise number, null when unknown. */
  vendor: string | null;
  /** Enterprise number after 1.3.6.1.4.1, null when the OID is not under it. */
  enterprise: number | null;
} {
  const m = sysObjectID ? /^1\.3\.6\.1\.4\.1\.(\d+)(?:\.|$)/.exec(sysObjectID) : null;
  if (!m) return { vendor: null, enterprise: null };
  const enterprise = Number(m[1]);
  return { vendor: ENTERPRISE_VENDORS[enterprise] ?? null, enterprise };
}

/**
 * Parses an IEEE-1284 device id. Keys are case-insensitive and both the short and long
 * spellings (`MDL` / `MODEL`) are understood.
 *
 * @example
 * ```ts
 * parseDeviceId("MFG:Xerox;MDL:AltaLink C8045;").model; // "AltaLink C8045"
 * ```
 */
export function parseDeviceId(raw: string): DeviceId {
  const fields: Record<string, string> = {};
  for (const part of raw.split(";")) {
    const colon = part.indexOf(":");
    if (colon <= 0) continue;
    const key = part.slice(0, colon).trim().toUpperCase();
    const value = part.slice(colon + 1).trim();
    if (key && !(key in fields)) fields[key] = value;
  }
  const pick = (...keys: string[]): string | null => {
    for (const k of keys) if (fields[k]) return fields[k] ?? null;
    return null;
  };
  const cmd = pick("CMD", "COMMAND SET");
  return {
    raw,
    manufacturer: pick("MFG", "MANUFACTURER"),
    model: pick("MDL", "MODEL"),
    commandSet: cmd
      ? cmd
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
    deviceClass: pick("CLS", "CLASS"),
    description: pick("DES", "DESCRIPTION"),
    fields,
  };
}

/**
 * The hrDeviceIndex of the printer row: the row whose hrDeviceType is
 * hrDevicePrinter; else the first hrPrinterTable row; else null. HP has used index 0
 * and others arbitrary numbers, so the index is never assumed.
 */
export function findPrinterIndex(mib: VarbindSet): number | null {
  for (const [index, vb] of mib.column(Oid.hrDeviceType)) {
    if (vb.type === "ObjectIdentifier" && vb.value === Oid.hrDeviceTypePrinter) return Number(index);
  }
  for (const col of [Oid.hrPrinterStatus, Oid.hrPrinterDetectedErrorState]) {
    const first = mib.column(col).keys().next();
    if (!first.done) return Number(first.value);
  }
  return null;
}

const SERIAL_FALLBACKS: Record<number, { oid: string; source: SerialSource }[]> = {
  253: [{ oid: Oid.xeroxSerial, source: "xcmHrDevInfoSerialNumber" }],
  2435: [{ oid: Oid.brotherSerial, source: "brotherSerialNumber" }],
  11: [{ oid: Oid.hpSerial, source: "hpSerialNumber" }],
};

function plausibleSerial(text: string | null): text is string {
  return (
    text !== null &&
    text.length >= 3 &&
    text.length <= 64 &&
    isPrintableAscii(text) &&
    /[0-9A-Za-z]/.test(text)
  );
}

/**
 * The serial number and where it came from: prtGeneralSerialNumber, then the vendor's
 * own object for the vendor named by sysObjectID. For an unknown vendor every vendor
 * object is tried, and binary junk (which devices do put at other vendors' OIDs) is
 * refused.
 */
export function decodeSerial(
  mib: VarbindSet,
  enterprise: number | null,
): {
  /** The serial number, null when no object holds a plausible one. */
  serial: string | null;
  /** The object it came from. */
  serialSource: SerialSource | null;
} {
  const standard = mib.text(Oid.prtGeneralSerialNumber);
  if (plausibleSerial(standard)) return { serial: standard, serialSource: "prtGeneralSerialNumber" };
  const candidates =
    enterprise !== null && SERIAL_FALLBACKS[enterprise]
      ? SERIAL_FALLBACKS[enterprise]
      : Object.values(SERIAL_FALLBACKS).flat();
  for (const c of candidates ?? []) {
    const text = mib.text(c.oid);
    if (plausibleSerial(text)) return { serial: text, serialSource: c.source };
  }
  return { serial: null, serialSource: null };
}

const ETHERNET_TYPES = new Set([6, 7, 62, 117]);

/** Formats 6 bytes as `aa:bb:cc:dd:ee:ff`; also accepts a MAC the device sent as text. */
export function formatMac(bytes: Buffer): string | null {
  let raw: Buffer | null = bytes.length === 6 ? bytes : null;
  if (!raw) {
    const text = bytes.toString("latin1").trim();
    const hex = /^([0-9A-Fa-f]{2})([-: ]?)((?:[0-9A-Fa-f]{2}\2){4}[0-9A-Fa-f]{2})$/.exec(text)
      ? text.replace(/[-: ]/g, "")
      : null;
    if (hex && hex.length === 12) raw = Buffer.from(hex, "hex");
  }
  if (!raw || raw.every((b) => b === 0) || raw.every((b) => b === 0xff)) return null;
  return [...raw].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/**
 * The device MAC: the first Ethernet-like interface (ifType 6, 7, 62, 117) that is up,
 * then any interface that is up, then any interface with a usable address.
 */
export function decodeMac(mib: VarbindSet): string | null {
  const addresses = mib.column(Oid.ifPhysAddress);
  const types = mib.column(Oid.ifType);
  const oper = mib.column(Oid.ifOperStatus);
  const rows = [...addresses.keys()].sort((a, b) => Number(a) - Number(b));
  const macOf = (row: string): string | null => {
    const vb = addresses.get(row);
    return vb?.type === "OctetString" ? formatMac(vb.value) : null;
  };
  const up = (row: string): boolean => {
    const vb = oper.get(row);
    return vb?.type === "Integer" && vb.value === 1;
  };
  const ethernet = (row: string): boolean => {
    const vb = types.get(row);
    return vb?.type === "Integer" && ETHERNET_TYPES.has(vb.value);
  };
  for (const pass of [(r: string) => ethernet(r) && up(r), up, () => true]) {
    for (const row of rows) {
      if (!pass(row)) continue;
      const mac = macOf(row);
      if (mac) return mac;
    }
  }
  return null;
}

/** Firmware version: the vendor's own object when there is one, else parsed from sysDescr. */
export function decodeFirmware(mib: VarbindSet, enterprise: number | null): string | null {
  if (enterprise === 2435) {
    const fw = mib.text(Oid.brotherFirmware);
    if (fw) return fw.replace(/^firmware\s*ver\.?\s*/i, "") || fw;
  }
  const descr = mib.text(Oid.sysDescr) ?? "";
  const patterns = [
    /\bfirmware\s*ver(?:sion)?\.?\s*:?\s*([0-9A-Za-z][\w.-]*)/i,
    /\bSS\s+([0-9][\d.]+)/,
    /\b(?:fw|firmware|version|ver)\.?\s*:?\s*([0-9][\w.-]*)/i,
  ];
  for (const re of patterns) {
    const m = re.exec(descr);
    if (m?.[1]) return m[1];
  }
  return null;
}

function stripVendor(model: string, vendor: string | null): string {
  let m = model.trim();
  if (vendor && m.toLowerCase().startsWith(`${vendor.toLowerCase()} `)) m = m.slice(vendor.length + 1);
  return m.replace(/\s+series$/i, "").trim();
}

/**
 * Decodes the identity of a device from the varbinds of one reading.
 *
 * @example
 * ```ts
 * const id = decodeIdentity(varbinds);
 * console.log(id.vendor, id.model, id.serial, id.serialSource);
 * ```
 */
export function decodeIdentity(varbinds: Iterable<Varbind> | VarbindSet): DeviceIdentity {
  const mib = varbinds instanceof VarbindSet ? varbinds : new VarbindSet(varbinds);
  const sysObjectID = mib.objectId(Oid.sysObjectID);
  const { vendor, enterprise } = vendorOf(sysObjectID);
  const sysDescr = mib.text(Oid.sysDescr);
  const printerIndex = findPrinterIndex(mib);

  const rawDeviceId =
    mib.text(Oid.pwgDeviceId) ??
    (enterprise === 253 ? mib.text(Oid.xeroxDeviceId) : null) ??
    (enterprise === 2435 ? mib.text(Oid.brotherDeviceId) : null);
  const deviceId = rawDeviceId?.includes(":") ? parseDeviceId(rawDeviceId) : null;

  const hrDescr = printerIndex !== null ? textOf(mib.get(`${Oid.hrDeviceDescr}.${printerIndex}`)) : null;
  // The standard PWG id and the printer row describe the print engine; vendor ids on
  // some devices (Brother) name a different model family, so they come after.
  const modelSource =
    (mib.text(Oid.pwgDeviceId) ? deviceId?.model : null) ??
    (hrDescr && isPrintableAscii(hrDescr) ? hrDescr : null) ??
    deviceId?.model ??
    (sysDescr ? (sysDescr.split(/[;,]/)[0] ?? null) : null);
  const model = modelSource ? stripVendor(modelSource, vendor) || null : null;

  return {
    vendor,
    enterprise,
    model,
    ...decodeSerial(mib, enterprise),
    sysDescr,
    sysObjectID,
    sysName: mib.text(Oid.sysName),
    uptime: mib.number(Oid.sysUpTime),
    mac: decodeMac(mib),
    firmware: decodeFirmware(mib, enterprise),
    deviceId,
    printerIndex,
  };
}
