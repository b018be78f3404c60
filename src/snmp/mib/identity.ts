/**
 * Device identity from SNMPv2-MIB, IF-MIB, HOST-RESOURCES-MIB, Printer-MIB, the PWG
 * IEEE-1284 device id and vendor trees. Pure: varbinds in, {@link DeviceIdentity} out.
 * @module
 */
import type { Varbind } from "../varbind.js";
import { ENTERPRISE_VENDORS, Oid } from "./oids.js";
import { cleanText, isPrintableAscii, textOf, VarbindSet } from "./values.js";
import {
  OEM_BRANDS,
  probesEveryVendor,
  VENDOR_IDENTITY,
  type VendorIdentityMap,
  vendorIdentityFor,
} from "./vendor-identity.js";

/**
 * Where the reported serial number was read: the Printer-MIB object, a vendor object
 * (named after its MIB object, see `VENDOR_IDENTITY`), the `SN:`/`S/N` field of
 * sysDescr, or the `SN:`/`SERN:` key of the IEEE-1284 device id.
 */
export type SerialSource =
  | "prtGeneralSerialNumber"
  | "xcmHrDevInfoSerialNumber"
  | "brotherSerialNumber"
  | "hpSerialNumber"
  | "kcprtSerialNumber"
  | "ricohSerialNumber"
  | "canServInfoSerialNumberDeviceNumber"
  | "canonSerialNumber"
  | "lexmarkSerialNumber"
  | "epsonSerialNumber"
  | "okiSerialNumber"
  | "bcpProductNumber"
  | "zbrGeneralUniqueId"
  | "pantumSerialNumber"
  | "sysDescr"
  | "ieee1284DeviceId";

/**
 * Where the reported model was read: a vendor model object (its MIB object name), the
 * IEEE-1284 device id, the printer's hrDeviceDescr, or sysDescr.
 */
export type ModelSource = "vendor" | "ieee1284DeviceId" | "hrDeviceDescr" | "sysDescr";

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
  /** Which object the model came from, null when there is no model. */
  modelSource: ModelSource | null;
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

/** Placeholder serials devices send when they have none (GLPI agent Device.pm skips `X+`). */
const PLACEHOLDER_SERIAL = /^(?:x+|0+|\?+|-+|n\/?a|none|unknown|not\s+available|serial\s*number)$/i;

function plausibleSerial(text: string | null): text is string {
  return (
    text !== null &&
    text.length >= 3 &&
    text.length <= 64 &&
    isPrintableAscii(text) &&
    /[0-9A-Za-z]/.test(text) &&
    !PLACEHOLDER_SERIAL.test(text)
  );
}

/**
 * Normalises a serial number as a device sent it: HP PML objects prefix strings with a
 * 2-byte symbol-set code (two control bytes, e.g. `01 15` for Roman-8), which is
 * dropped; leading NULs are skipped and the value is cut at the next NUL (fixed-size
 * buffers); hex-encoded text is decoded; whitespace trimmed.
 *
 * @example
 * ```ts
 * normaliseSerial(Buffer.from("\x01\x15CNB1234567\0\0", "latin1")); // "CNB1234567"
 * ```
 */
export function normaliseSerial(value: Buffer | string): string {
  let bytes = typeof value === "string" ? Buffer.from(value, "latin1") : value;
  const control = (b: number | undefined) => b !== undefined && (b < 0x20 || b === 0x7f);
  if (bytes.length > 2 && control(bytes[0]) && control(bytes[1]) && !control(bytes[2]))
    bytes = bytes.subarray(2);
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return cleanText(bytes.subarray(start));
}

/** A serial in sysDescr: HP JetDirect `…,SN:VNB3J99999,FN:…`, Samsung `…;S/N JFJ…`. */
const SYSDESCR_SERIAL =
  /(?:^|[\s,;(])(?:SN|S\/N|Serial(?:\s*Number)?)\s*[:#]?\s*([A-Za-z0-9][A-Za-z0-9-]{2,63})/i;

/** Serial number keys of an IEEE-1284 device id. */
const DEVICE_ID_SERIAL_KEYS = ["SN", "SERN", "SERIALNUMBER", "SERIAL NUMBER"];

/**
 * The vendor objects to try for a device of this enterprise: its own (see
 * `VENDOR_IDENTITY`, including print-server enterprises such as Zebra's ESI 683); every
 * vendor's for a device that {@link probesEveryVendor} says may hold any (no sysObjectID,
 * a print server's or an OEM's enterprise, Dell, Fujifilm); none for a known vendor
 * without a map (Sharp).
 */
function vendorMapsFor(enterprise: number | null): readonly VendorIdentityMap[] {
  const own = vendorIdentityFor(enterprise);
  if (own) return [own];
  return probesEveryVendor(enterprise, enterprise !== null && enterprise in ENTERPRISE_VENDORS)
    ? VENDOR_IDENTITY
    : [];
}

/**
 * The serial number and where it came from, in this order:
 * 1. Printer-MIB prtGeneralSerialNumber of the printer's row (prtGeneralTable is indexed
 *    by hrDeviceIndex), then row 1, then the first row the device has (the GLPI agent
 *    takes the column's first value too);
 * 2. the vendor objects of the enterprise in sysObjectID (see `VENDOR_IDENTITY`);
 * 3. the `SN:` / `SERN:` key of the IEEE-1284 device id;
 * 4. an `SN:` / `S/N` field of sysDescr (HP JetDirect, Samsung);
 * 5. for a device that {@link probesEveryVendor} says may hold any vendor's objects,
 *    every vendor object (binary junk that devices put at other vendors' OIDs is refused).
 */
export function decodeSerial(
  mib: VarbindSet,
  enterprise: number | null,
  deviceId: DeviceId | null = null,
): {
  /** The serial number, null when no object holds a plausible one. */
  serial: string | null;
  /** The object it came from. */
  serialSource: SerialSource | null;
} {
  const at = (oid: string): string | null => {
    const bytes = mib.bytes(oid);
    return bytes ? normaliseSerial(bytes) : mib.text(oid);
  };
  for (const oid of prtGeneralSerialOids(mib)) {
    const standard = at(oid);
    if (plausibleSerial(standard)) return { serial: standard, serialSource: "prtGeneralSerialNumber" };
  }
  const own = vendorIdentityFor(enterprise);
  for (const c of own?.serial ?? []) {
    const text = at(c.oid);
    if (plausibleSerial(text)) return { serial: text, serialSource: c.name as SerialSource };
  }
  for (const key of DEVICE_ID_SERIAL_KEYS) {
    const text = deviceId?.fields[key] ?? null;
    if (plausibleSerial(text)) return { serial: text, serialSource: "ieee1284DeviceId" };
  }
  const fromDescr = SYSDESCR_SERIAL.exec(mib.text(Oid.sysDescr) ?? "")?.[1] ?? null;
  if (plausibleSerial(fromDescr)) return { serial: fromDescr, serialSource: "sysDescr" };
  if (!own) {
    for (const c of vendorMapsFor(enterprise).flatMap((v) => v.serial)) {
      const text = at(c.oid);
      if (plausibleSerial(text)) return { serial: text, serialSource: c.name as SerialSource };
    }
  }
  return { serial: null, serialSource: null };
}

/**
 * The prtGeneralSerialNumber instances to try, best first: the printer's row, row 1,
 * then every other row the device answered.
 */
export function prtGeneralSerialOids(mib: VarbindSet): string[] {
  const printerIndex = findPrinterIndex(mib);
  const oids = [
    ...(printerIndex !== null ? [`${Oid.prtGeneralSerialNumberColumn}.${printerIndex}`] : []),
    Oid.prtGeneralSerialNumber,
    ...[...mib.column(Oid.prtGeneralSerialNumberColumn).keys()].map(
      (row) => `${Oid.prtGeneralSerialNumberColumn}.${row}`,
    ),
  ];
  return [...new Set(oids)];
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

/**
 * Firmware version: the vendor's own object when there is one (Brother, and the
 * `firmware` objects of `VENDOR_IDENTITY`), else parsed from sysDescr.
 */
export function decodeFirmware(mib: VarbindSet, enterprise: number | null): string | null {
  if (enterprise === 2435) {
    const fw = mib.text(Oid.brotherFirmware);
    if (fw) return fw.replace(/^firmware\s*ver\.?\s*/i, "") || fw;
  }
  for (const o of vendorIdentityFor(enterprise)?.firmware ?? []) {
    const fw = mib.text(o.oid);
    if (fw && isPrintableAscii(fw) && /[0-9]/.test(fw)) return fw;
  }
  const descr = mib.text(Oid.sysDescr) ?? "";
  const patterns = [
    /\bfirmware\s*ver(?:sion)?\.?\s*:?\s*([0-9A-Za-z][\w.-]*)/i,
    /\bSS\s+([0-9][\d.]+)/,
    /\b(?:fw|firmware|version|ver)\.?\s*:?\s*([0-9A-Z][\w.-]*\d[\w.-]*)/i,
  ];
  for (const re of patterns) {
    const m = re.exec(descr);
    if (m?.[1]) return m[1];
  }
  return null;
}

/** hrDeviceDescr values that name a driver or PDL, not the device (Konica `Generic 28C-1`). */
const DRIVER_NAME = /^generic\b|\bdriver\b|^(?:PCL|PostScript|PS)\b/i;

/** A serial, firmware or copyright glued after a model name (Dell, OKI banners, HP sysDescr). */
const MODEL_TAIL =
  /[;,]|\s(?:SN|S\/N|Serial(?:\s*Number)?)\s*[:#]?\s*\S|\s(?:FW|FN|Firmware|Ver\.?|Version|Rev\.?|Engine|NIC|Kernel|Copyright|\(c\))(?:\s|:|$)|\s[vV]?\d+\.\d+\.[\d.]+/i;

/**
 * A page description or command language after the model, as driver-style names carry it
 * (`… PCL6`, `… PS`, `… UFR II`, `… ZPL`): the language, not the model.
 */
const PDL_SUFFIX =
  /\s+(?:PCL\s*[56][ce]?|PCL|PS3?|PostScript(?:\s*3)?|UFR\s*II(?:\s*LT)?|KPDL|ZPL(?:\s*II)?|EPL2?)$/i;

/** Other spellings of a vendor name that devices put before their model. */
const VENDOR_ALIASES: Readonly<Record<string, readonly string[]>> = {
  "Konica Minolta": ["KONICA MINOLTA"],
  HP: ["Hewlett-Packard", "Hewlett Packard"],
  Fujifilm: ["FUJI XEROX", "FUJIFILM"],
  OKI: ["OKI DATA"],
  Zebra: ["Zebra Technologies"],
};

/**
 * A model name as a device wrote it, made clean: cut before a glued serial, firmware
 * or copyright (`…;SN:…`, `… FW 1.2.3`), the vendor name and a trailing `Series`
 * removed, whitespace collapsed.
 *
 * @example
 * ```ts
 * cleanModel("Dell Color MFP S2825cdn SN:ABC123 FW 1.2.3", "Dell"); // "Color MFP S2825cdn"
 * ```
 */
export function cleanModel(model: string, vendor: string | null): string {
  let m = model.replace(/\s+/g, " ").trim();
  const tail = MODEL_TAIL.exec(m);
  if (tail) m = m.slice(0, tail.index).trim();
  for (const name of [vendor, ...(vendor ? (VENDOR_ALIASES[vendor] ?? []) : [])]) {
    if (name && m.toLowerCase().startsWith(`${name.toLowerCase()} `)) m = m.slice(name.length + 1).trim();
  }
  return (
    m
      .replace(/\s+series$/i, "")
      .replace(PDL_SUFFIX, "")
      .trim() || m
  );
}

/** Models found in sysDescr banners: HP `PID:…`, OKI print servers `Attached to MC873`. */
const SYSDESCR_MODELS: readonly RegExp[] = [
  /(?:^|[,;]\s*)PID:\s*([^,;]+)/i,
  /\bAttached\s+to\s+(?:OKI\s+)?([A-Za-z0-9][\w.-]*)/i,
];

/**
 * A sysDescr that describes a network card or a product line, not the printer (old
 * JetDirect cards, OKI print servers, Kyocera's "Printing System").
 */
const NIC_BANNER = /MULTI-ENVIRONMENT|\bJETDIRECT\b|\bOkiLAN\b|print\s*server|Printing System$/i;

function modelFromSysDescr(sysDescr: string | null): string | null {
  if (!sysDescr) return null;
  for (const re of SYSDESCR_MODELS) {
    const m = re.exec(sysDescr)?.[1]?.trim();
    if (m) return m;
  }
  if (NIC_BANNER.test(sysDescr)) return null;
  // Ricoh: "RICOH MP 3053 1.09 / RICOH Network Printer C model / …": the first part, without
  // its firmware version.
  const first = sysDescr.split(/[;,]|\s\/\s/)[0]?.trim() ?? "";
  return first.replace(/\s+v?\d+(?:\.\d+)+[a-z]?$/i, "").trim() || null;
}

/** The brand for OEM devices reporting their maker's enterprise (UTAX, TA, Copystar on Kyocera; Develop on Konica Minolta). */
function brandOf(enterprise: number | null, ...texts: (string | null | undefined)[]): string | null {
  for (const b of OEM_BRANDS) {
    if (b.enterprise !== enterprise) continue;
    if (texts.some((t) => t && b.pattern.test(t))) return b.vendor;
  }
  return null;
}

/**
 * The OIDs of vendor identity objects the reader should ask a device of this
 * enterprise for (serial, model, device id and firmware objects; see `VENDOR_IDENTITY`).
 * For a device that {@link probesEveryVendor} says may hold any vendor's objects (a
 * print server's or an OEM's enterprise, Dell, Fujifilm, or no sysObjectID at all) every
 * vendor's serial and model objects: the decoder tries them all, and a missing OID costs
 * a few bytes where a lost serial costs the device. None for a known vendor without a map.
 */
export function vendorIdentityOids(enterprise: number | null): string[] {
  const own = vendorIdentityFor(enterprise);
  if (!own)
    return [
      ...new Set(
        vendorMapsFor(enterprise)
          .flatMap((v) => [...v.serial, ...v.model])
          .map((o) => o.oid),
      ),
    ];
  return [...own.serial, ...own.model, ...(own.deviceId ? [own.deviceId] : []), ...(own.firmware ?? [])].map(
    (o) => o.oid,
  );
}

/**
 * Vendor names as devices write them at the start of sysDescr, hrDeviceDescr or the
 * IEEE-1284 `MFG`/`MANUFACTURER` key, for devices whose sysObjectID names no known
 * enterprise (or is missing): the first match names the vendor.
 */
const VENDOR_NAMES: readonly [RegExp, string][] = [
  [/^(?:HP|Hewlett[- ]Packard)\b/i, "HP"],
  [/^Fuji\s*Xerox\b/i, "Fujifilm"],
  [/^FUJIFILM\b/i, "Fujifilm"],
  [/^Xerox\b/i, "Xerox"],
  [/^Brother\b/i, "Brother"],
  [/^Canon\b/i, "Canon"],
  [/^Ricoh\b/i, "Ricoh"],
  [/^Kyocera\b/i, "Kyocera"],
  [/^Lexmark\b/i, "Lexmark"],
  [/^Konica\s*Minolta\b/i, "Konica Minolta"],
  [/^Sharp\b/i, "Sharp"],
  [/^Epson\b/i, "Epson"],
  [/^Samsung\b/i, "Samsung"],
  [/^OKI(?:\s*Data)?\b/i, "OKI"],
  [/^Toshiba\b/i, "Toshiba"],
  [/^Dell\b/i, "Dell"],
  [/^Zebra\b/i, "Zebra"],
  [/^Pantum\b/i, "Pantum"],
];

function vendorFromName(...texts: (string | null | undefined)[]): string | null {
  for (const t of texts) {
    if (!t) continue;
    for (const [re, name] of VENDOR_NAMES) if (re.test(t.trim())) return name;
  }
  return null;
}

/**
 * Decodes the identity of a device from the varbinds of one reading.
 *
 * Model order: the vendor's model object; the PWG IEEE-1284 device id (`MDL`/`MODEL`);
 * the printer's hrDeviceDescr unless it is a driver name; a vendor device id (Xerox,
 * Brother, HP `gdStatusId`); sysDescr patterns. The model is never reported with a
 * serial or firmware attached (see {@link cleanModel}).
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
  const { vendor: enterpriseVendor, enterprise } = vendorOf(sysObjectID);
  const sysDescr = mib.text(Oid.sysDescr);
  const printerIndex = findPrinterIndex(mib);
  const own = vendorIdentityFor(enterprise);

  const pwgRaw = mib.text(Oid.pwgDeviceId);
  const vendorRaw =
    (enterprise === 253 ? mib.text(Oid.xeroxDeviceId) : null) ??
    (enterprise === 2435 ? mib.text(Oid.brotherDeviceId) : null) ??
    (own?.deviceId ? mib.text(own.deviceId.oid) : null);
  const pwgId = pwgRaw?.includes(":") ? parseDeviceId(pwgRaw) : null;
  const vendorId = vendorRaw?.includes(":") ? parseDeviceId(vendorRaw) : null;
  const deviceId = pwgId ?? vendorId;

  const hrDescr = printerIndex !== null ? textOf(mib.get(`${Oid.hrDeviceDescr}.${printerIndex}`)) : null;
  const vendorModel = vendorMapsFor(enterprise)
    .flatMap((v) => v.model)
    .map((o) => {
      const bytes = mib.bytes(o.oid);
      return bytes ? normaliseSerial(bytes) : null;
    })
    .find((t) => t && isPrintableAscii(t) && /[A-Za-z0-9]/.test(t));

  // A brand (OEM) named anywhere the device names itself wins over the maker's
  // enterprise; then the enterprise; then a vendor name the device writes first.
  const vendor =
    brandOf(enterprise, deviceId?.manufacturer, sysDescr, vendorId?.manufacturer, vendorModel, hrDescr) ??
    enterpriseVendor ??
    vendorFromName(deviceId?.manufacturer, vendorId?.manufacturer, sysDescr, hrDescr, vendorModel) ??
    (deviceId?.manufacturer ? cleanModel(deviceId.manufacturer, null) || null : null);
  const candidates: [string | null | undefined, ModelSource][] = [
    [vendorModel, "vendor"],
    [pwgId?.model, "ieee1284DeviceId"],
    [hrDescr && isPrintableAscii(hrDescr) && !DRIVER_NAME.test(hrDescr) ? hrDescr : null, "hrDeviceDescr"],
    [vendorId?.model, "ieee1284DeviceId"],
    [modelFromSysDescr(sysDescr), "sysDescr"],
  ];
  let model: string | null = null;
  let modelSource: ModelSource | null = null;
  for (const [text, source] of candidates) {
    const cleaned = text ? cleanModel(text, vendor) : "";
    if (cleaned) {
      model = cleaned;
      modelSource = source;
      break;
    }
  }

  return {
    vendor,
    enterprise,
    model,
    modelSource,
    // The device id with a serial key: PWG's, else the vendor's (HP gdStatusId, Xerox, Brother).
    ...decodeSerial(
      mib,
      enterprise,
      [pwgId, vendorId].find((d) => d && DEVICE_ID_SERIAL_KEYS.some((k) => d.fields[k])) ?? deviceId,
    ),
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
