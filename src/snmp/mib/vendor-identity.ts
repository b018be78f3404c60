/**
 * Where each printer vendor documents a serial number and a model name outside the
 * Printer-MIB, as data with the public source of every OID. Read by
 * {@link decodeIdentity}; the reader asks for these objects only on the vendor's devices.
 * @module
 */
import type { DeviceIdentity } from "./identity.js";

/** One vendor object that holds a serial number or a model name. */
export interface VendorIdentityObject {
  /** The object instance, dotted (e.g. `1.3.6.1.4.1.1347.43.5.1.1.28.1`). */
  oid: string;
  /** Short name of the object, reported as `serialSource` for serials (e.g. `kcprtSerialNumber`). */
  name: string;
  /** Public source that documents the OID (project + file path). */
  source: string;
}

/** The serial and model objects of one enterprise, tried in order. */
export interface VendorIdentityMap {
  /** Enterprise number (1.3.6.1.4.1.N). */
  enterprise: number;
  /**
   * Other enterprise numbers whose devices carry this vendor's objects: the print server
   * or OEM enterprise a device reports in sysObjectID (Zebra printers report ESI, 683).
   */
  alsoEnterprises?: number[];
  /** Serial number objects, most specific first. */
  serial: VendorIdentityObject[];
  /** Model name objects, most specific first. */
  model: VendorIdentityObject[];
  /** An object holding an IEEE-1284 style id with long keys (`MODEL:`), when the vendor has one. */
  deviceId?: VendorIdentityObject;
  /** Firmware version objects, most specific first. */
  firmware?: VendorIdentityObject[];
}

const GLPI = "glpi-project/glpi-agent";
const LIBRENMS = "librenms/librenms";

/** Vendor serial/model objects per enterprise number, with their sources. */
export const VENDOR_IDENTITY: readonly VendorIdentityMap[] = [
  {
    enterprise: 11,
    // HP office printers (29999) and LaserJet Pro MFPs (26696) carry the same HP objects
    // (GLPI agent MibSupport/HPNetPeripheral.pm: hpOfficePrinter, hpLaserjetProMFP).
    alsoEnterprises: [26696, 29999],
    serial: [
      {
        oid: "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0",
        name: "hpSerialNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/HPNetPeripheral.pm (serial_number)`,
      },
    ],
    model: [
      {
        oid: "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.2.0",
        name: "hpModelName",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/HPNetPeripheral.pm (model_name)`,
      },
    ],
    deviceId: {
      oid: "1.3.6.1.4.1.11.2.3.9.1.1.7.0",
      name: "gdStatusId",
      source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/HPNetPeripheral.pm (gdStatusId, MODEL: key)`,
    },
  },
  {
    enterprise: 253,
    serial: [
      {
        oid: "1.3.6.1.4.1.253.8.53.3.2.1.3.1",
        name: "xcmHrDevInfoSerialNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/Device.pm (Xerox-MIB serial)`,
      },
    ],
    model: [],
  },
  {
    enterprise: 2435,
    serial: [
      {
        oid: "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0",
        name: "brotherSerialNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/BrotherNetConfig.pm (brInfoSerialNumber)`,
      },
    ],
    model: [],
  },
  {
    enterprise: 1347,
    serial: [
      {
        oid: "1.3.6.1.4.1.1347.43.5.1.1.28.1",
        name: "kcprtSerialNumber",
        source: `${LIBRENMS} includes/polling/os/kyocera.inc.php`,
      },
    ],
    model: [
      {
        oid: "1.3.6.1.4.1.1347.43.5.1.1.1.1",
        name: "kcprtGeneralModelName",
        source: `${LIBRENMS} includes/polling/os/kyocera.inc.php`,
      },
    ],
    firmware: [
      {
        oid: "1.3.6.1.4.1.1347.43.5.4.1.5.1.1",
        name: "kcprtFirmwareVersion",
        source: `${LIBRENMS} includes/polling/os/kyocera.inc.php ($version)`,
      },
    ],
  },
  {
    enterprise: 367,
    serial: [
      {
        oid: "1.3.6.1.4.1.367.3.2.1.2.1.4.0",
        name: "ricohSerialNumber",
        source: `${LIBRENMS} includes/polling/os/ricoh.inc.php; ${GLPI} lib/GLPI/Agent/SNMP/Device.pm`,
      },
    ],
    model: [
      {
        oid: "1.3.6.1.4.1.367.3.2.1.1.1.1.0",
        name: "ricohModelName",
        source: `${LIBRENMS} includes/polling/os/ricoh.inc.php`,
      },
      {
        oid: "1.3.6.1.2.1.43.5.1.1.16.1",
        name: "prtGeneralPrinterName",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Ricoh.pm (getModel: prtGeneralPrinterName)`,
      },
    ],
  },
  {
    enterprise: 1602,
    serial: [
      {
        oid: "1.3.6.1.4.1.1602.1.2.1.8.1.3.1.1",
        name: "canServInfoSerialNumberDeviceNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Canon.pm`,
      },
      {
        oid: "1.3.6.1.4.1.1602.1.2.1.4.0",
        name: "canonSerialNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/Device.pm (Canon-MIB serial)`,
      },
    ],
    model: [
      {
        oid: "1.3.6.1.4.1.1602.1.1.1.1.0",
        name: "canPdInfoProductName",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Canon.pm; ${LIBRENMS} includes/definitions/discovery/canonprinter.yaml`,
      },
    ],
  },
  {
    enterprise: 18334,
    serial: [],
    model: [
      {
        oid: "1.3.6.1.4.1.18334.1.1.1.1.6.2.1.0",
        name: "konicaModel",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Konica.pm`,
      },
    ],
    firmware: [
      {
        oid: "1.3.6.1.4.1.18334.1.1.1.1.6.1.0",
        name: "konicaFirmwareVersion",
        source: `${LIBRENMS} includes/polling/os/konica.inc.php ($version)`,
      },
    ],
  },
  {
    enterprise: 641,
    serial: [
      {
        oid: "1.3.6.1.4.1.641.2.1.2.1.6.1",
        name: "lexmarkSerialNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/Device.pm (Lexmark-MIB serial)`,
      },
    ],
    model: [],
  },
  {
    enterprise: 1248,
    serial: [
      {
        oid: "1.3.6.1.4.1.1248.1.2.2.1.1.1.5.1",
        name: "epsonSerialNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Epson.pm`,
      },
    ],
    model: [
      {
        oid: "1.3.6.1.4.1.1248.1.2.2.1.1.1.2.1",
        name: "epsonModel",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Epson.pm`,
      },
    ],
  },
  {
    enterprise: 2001,
    serial: [
      {
        oid: "1.3.6.1.4.1.2001.1.1.1.1.11.1.10.45.0",
        name: "okiSerialNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Oki.pm`,
      },
    ],
    model: [
      {
        oid: "1.3.6.1.4.1.2001.1.1.1.1.11.1.10.25.0",
        name: "okiModel",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Oki.pm`,
      },
    ],
  },
  {
    enterprise: 1129,
    serial: [
      {
        oid: "1.3.6.1.4.1.1129.1.2.1.1.1.1.1.0",
        name: "bcpProductNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Toshiba.pm (getSerial)`,
      },
    ],
    model: [
      {
        oid: "1.3.6.1.4.1.1129.1.2.1.1.1.2.1.0",
        name: "bcpDeviceModel",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Toshiba.pm`,
      },
    ],
  },
  {
    enterprise: 236,
    serial: [],
    model: [
      {
        oid: "1.3.6.1.4.1.236.11.5.11.53.31.1.4.0",
        name: "samsungModel",
        source: `${LIBRENMS} includes/polling/os/samsungprinter.inc.php`,
      },
    ],
  },
  {
    enterprise: 40093,
    serial: [
      {
        oid: "1.3.6.1.4.1.40093.1.1.1.5",
        name: "pantumSerialNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Pantum.pm (pantumSerialNumber1)`,
      },
      {
        oid: "1.3.6.1.4.1.40093.6.1.2",
        name: "pantumSerialNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Pantum.pm (pantumSerialNumber2)`,
      },
      {
        oid: "1.3.6.1.4.1.40093.10.1.1.4",
        name: "pantumSerialNumber",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Pantum.pm (pantumSerialNumber3)`,
      },
    ],
    model: [
      {
        oid: "1.3.6.1.2.1.43.5.1.1.16.1",
        name: "prtGeneralPrinterName",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Pantum.pm (getModel: prtGeneralPrinterName)`,
      },
    ],
  },
  {
    enterprise: 10642,
    // Zebra label printers report ESI's enterprise (683, the print server) in sysObjectID.
    alsoEnterprises: [683],
    serial: [
      {
        oid: "1.3.6.1.4.1.10642.1.9.0",
        name: "zbrGeneralUniqueId",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Zebra.pm`,
      },
      {
        oid: "1.3.6.1.4.1.10642.200.19.5.0",
        name: "zbrGeneralUniqueId",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Zebra.pm (serial3, zql_zebra_ql 19.5; GK420, ZE500)`,
      },
      {
        oid: "1.3.6.1.4.1.683.1.5.0",
        name: "zbrGeneralUniqueId",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Zebra.pm (serial, ESI 683.1.5)`,
      },
    ],
    model: [
      {
        oid: "1.3.6.1.4.1.10642.1.1.0",
        name: "zbrGeneralModel",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Zebra.pm`,
      },
      {
        oid: "1.3.6.1.4.1.683.6.2.3.2.1.15.1",
        name: "zbrGeneralModel",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Zebra.pm (model2, ESI 683)`,
      },
      {
        oid: "1.3.6.1.4.1.10642.200.19.7.0",
        name: "zbrGeneralModel",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Zebra.pm (model3, zql_zebra_ql 19.7)`,
      },
    ],
    deviceId: {
      oid: "1.3.6.1.4.1.10642.1.3.0",
      name: "zbrGeneralDeviceId",
      source: `${LIBRENMS} tests/snmpsim/zebra.snmprec (MANUFACTURER:Zebra Technologies;COMMAND SET:ZPL;)`,
    },
    firmware: [
      {
        oid: "1.3.6.1.4.1.10642.1.2.0",
        name: "zbrGeneralFirmwareVersion",
        source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Zebra.pm`,
      },
    ],
  },
];

const BY_ENTERPRISE = new Map(
  VENDOR_IDENTITY.flatMap((m) => [m.enterprise, ...(m.alsoEnterprises ?? [])].map((e) => [e, m] as const)),
);

/**
 * Enterprises that sell other makers' engines under their own number, so their devices
 * may answer any maker's identity objects: Dell (its laser printers' banners are
 * Lexmark's, `… version NH5.CY.N543 kernel 3.0.0 All-N-1` in the LibreNMS dell-laser
 * recording, like `Lexmark CX725 version … kernel … All-N-1`) and Fujifilm / Fuji Xerox
 * (Xerox engines). Treated like an enterprise without a map.
 */
export const REBADGING_ENTERPRISES: readonly number[] = [674, 297];

/**
 * Whether a device of this enterprise is asked for every vendor's identity objects: no
 * sysObjectID, an enterprise that is no known printer vendor (a print server, an OEM),
 * or one of {@link REBADGING_ENTERPRISES}. A known vendor without a map (Sharp: its serial
 * is in the Printer-MIB) is not.
 */
export function probesEveryVendor(enterprise: number | null, knownVendor: boolean): boolean {
  if (enterprise === null) return true;
  if (BY_ENTERPRISE.has(enterprise)) return false;
  return !knownVendor || REBADGING_ENTERPRISES.includes(enterprise);
}

/** The identity objects of one enterprise, undefined when none are known. */
export function vendorIdentityFor(enterprise: number | null): VendorIdentityMap | undefined {
  return enterprise === null ? undefined : BY_ENTERPRISE.get(enterprise);
}

/** A brand selling another maker's device under the maker's enterprise number. */
export interface OemBrand {
  /** The maker's enterprise number the device reports. */
  enterprise: number;
  /** Matched against the device id's manufacturer and sysDescr. */
  pattern: RegExp;
  /** The brand reported as {@link DeviceIdentity.vendor}. */
  vendor: string;
}

/**
 * Brands that sell another maker's engine under the maker's enterprise number: the
 * sysObjectID says Kyocera (1347) or Konica Minolta (18334), the device id or sysDescr
 * names the brand. The meter maps of the maker still apply (same MIB).
 */
export const OEM_BRANDS: readonly OemBrand[] = [
  { enterprise: 1347, pattern: /\bUTAX\b/i, vendor: "UTAX" },
  { enterprise: 1347, pattern: /\b(?:TA\s+Triumph-Adler|Triumph-Adler|TA)\b/i, vendor: "TA Triumph-Adler" },
  { enterprise: 1347, pattern: /\bCopystar\b/i, vendor: "Copystar" },
  { enterprise: 1347, pattern: /\bOlivetti\b/i, vendor: "Olivetti" },
  { enterprise: 18334, pattern: /\bDevelop\b/i, vendor: "Develop" },
];
