/**
 * OIDs the reader asks for, named after their MIB objects (SNMPv2-MIB, IF-MIB,
 * HOST-RESOURCES-MIB, Printer-MIB RFC 3805, PWG and vendor MIBs). Dotted, no leading dot.
 * @module
 */

/** Scalars and table columns the reader uses, by MIB object name. */
export const Oid = {
  /** SNMPv2-MIB object `sysDescr`. */
  sysDescr: "1.3.6.1.2.1.1.1.0",
  /** SNMPv2-MIB object `sysObjectID`. */
  sysObjectID: "1.3.6.1.2.1.1.2.0",
  /** SNMPv2-MIB object `sysUpTime`. */
  sysUpTime: "1.3.6.1.2.1.1.3.0",
  /** SNMPv2-MIB object `sysName`. */
  sysName: "1.3.6.1.2.1.1.5.0",

  /** IF-MIB object `ifType`. */
  ifType: "1.3.6.1.2.1.2.2.1.3",
  /** IF-MIB object `ifPhysAddress`. */
  ifPhysAddress: "1.3.6.1.2.1.2.2.1.6",
  /** IF-MIB object `ifOperStatus`. */
  ifOperStatus: "1.3.6.1.2.1.2.2.1.8",

  /** HOST-RESOURCES-MIB object `hrDeviceEntry`. */
  hrDeviceEntry: "1.3.6.1.2.1.25.3.2.1",
  /** HOST-RESOURCES-MIB object `hrDeviceType`. */
  hrDeviceType: "1.3.6.1.2.1.25.3.2.1.2",
  /** HOST-RESOURCES-MIB object `hrDeviceDescr`. */
  hrDeviceDescr: "1.3.6.1.2.1.25.3.2.1.3",
  /** HOST-RESOURCES-MIB object `hrDeviceStatus`. */
  hrDeviceStatus: "1.3.6.1.2.1.25.3.2.1.5",
  /** HOST-RESOURCES-MIB object `hrDeviceTypePrinter`. */
  hrDeviceTypePrinter: "1.3.6.1.2.1.25.3.1.5",
  /** HOST-RESOURCES-MIB object `hrPrinterEntry`. */
  hrPrinterEntry: "1.3.6.1.2.1.25.3.5.1",
  /** HOST-RESOURCES-MIB object `hrPrinterStatus`. */
  hrPrinterStatus: "1.3.6.1.2.1.25.3.5.1.1",
  /** HOST-RESOURCES-MIB object `hrPrinterDetectedErrorState`. */
  hrPrinterDetectedErrorState: "1.3.6.1.2.1.25.3.5.1.2",

  /** Printer-MIB (RFC 3805) object `prtGeneralSerialNumber`, row 1. */
  prtGeneralSerialNumber: "1.3.6.1.2.1.43.5.1.1.17.1",
  /**
   * Printer-MIB (RFC 3805) column `prtGeneralSerialNumber`: prtGeneralTable is indexed by
   * hrDeviceIndex (RFC 3805 `prtGeneralEntry INDEX { hrDeviceIndex }`): the printer's row.
   */
  prtGeneralSerialNumberColumn: "1.3.6.1.2.1.43.5.1.1.17",
  /** Printer-MIB (RFC 3805) object `prtAlertCriticalEvents`. */
  prtAlertCriticalEvents: "1.3.6.1.2.1.43.5.1.1.18.1",
  /** Printer-MIB (RFC 3805) object `prtAlertAllEvents`. */
  prtAlertAllEvents: "1.3.6.1.2.1.43.5.1.1.19.1",

  /** Printer-MIB (RFC 3805) object `prtMarkerEntry`. */
  prtMarkerEntry: "1.3.6.1.2.1.43.10.2.1",
  /** Printer-MIB (RFC 3805) object `prtMarkerCounterUnit`. */
  prtMarkerCounterUnit: "1.3.6.1.2.1.43.10.2.1.3",
  /** Printer-MIB (RFC 3805) object `prtMarkerLifeCount`. */
  prtMarkerLifeCount: "1.3.6.1.2.1.43.10.2.1.4",
  /** Printer-MIB (RFC 3805) object `prtMarkerPowerOnCount`. */
  prtMarkerPowerOnCount: "1.3.6.1.2.1.43.10.2.1.5",

  /** Printer-MIB (RFC 3805) object `prtMarkerSuppliesEntry`. */
  prtMarkerSuppliesEntry: "1.3.6.1.2.1.43.11.1.1",
  /** Printer-MIB (RFC 3805) object `prtMarkerSuppliesColorantIndex`. */
  prtMarkerSuppliesColorantIndex: "1.3.6.1.2.1.43.11.1.1.3",
  /** Printer-MIB (RFC 3805) object `prtMarkerSuppliesClass`. */
  prtMarkerSuppliesClass: "1.3.6.1.2.1.43.11.1.1.4",
  /** Printer-MIB (RFC 3805) object `prtMarkerSuppliesType`. */
  prtMarkerSuppliesType: "1.3.6.1.2.1.43.11.1.1.5",
  /** Printer-MIB (RFC 3805) object `prtMarkerSuppliesDescription`. */
  prtMarkerSuppliesDescription: "1.3.6.1.2.1.43.11.1.1.6",
  /** Printer-MIB (RFC 3805) object `prtMarkerSuppliesSupplyUnit`. */
  prtMarkerSuppliesSupplyUnit: "1.3.6.1.2.1.43.11.1.1.7",
  /** Printer-MIB (RFC 3805) object `prtMarkerSuppliesMaxCapacity`. */
  prtMarkerSuppliesMaxCapacity: "1.3.6.1.2.1.43.11.1.1.8",
  /** Printer-MIB (RFC 3805) object `prtMarkerSuppliesLevel`. */
  prtMarkerSuppliesLevel: "1.3.6.1.2.1.43.11.1.1.9",

  /** Printer-MIB (RFC 3805) object `prtMarkerColorantValue`. */
  prtMarkerColorantValue: "1.3.6.1.2.1.43.12.1.1.4",

  /** Printer-MIB (RFC 3805) object `prtAlertEntry`. */
  prtAlertEntry: "1.3.6.1.2.1.43.18.1.1",
  /** Printer-MIB (RFC 3805) object `prtAlertSeverityLevel`. */
  prtAlertSeverityLevel: "1.3.6.1.2.1.43.18.1.1.2",
  /** Printer-MIB (RFC 3805) object `prtAlertTrainingLevel`. */
  prtAlertTrainingLevel: "1.3.6.1.2.1.43.18.1.1.3",
  /** Printer-MIB (RFC 3805) object `prtAlertGroup`. */
  prtAlertGroup: "1.3.6.1.2.1.43.18.1.1.4",
  /** Printer-MIB (RFC 3805) object `prtAlertGroupIndex`. */
  prtAlertGroupIndex: "1.3.6.1.2.1.43.18.1.1.5",
  /** Printer-MIB (RFC 3805) object `prtAlertLocation`. */
  prtAlertLocation: "1.3.6.1.2.1.43.18.1.1.6",
  /** Printer-MIB (RFC 3805) object `prtAlertCode`. */
  prtAlertCode: "1.3.6.1.2.1.43.18.1.1.7",
  /** Printer-MIB (RFC 3805) object `prtAlertDescription`. */
  prtAlertDescription: "1.3.6.1.2.1.43.18.1.1.8",
  /** Printer-MIB (RFC 3805) object `prtAlertTime`. */
  prtAlertTime: "1.3.6.1.2.1.43.18.1.1.9",

  /** PWG Imaging System MIB object `pwgDeviceId`. */
  pwgDeviceId: "1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1",
  /** PWG Imaging System MIB object `pwgImpressionCounters`. */
  pwgImpressionCounters: "1.3.6.1.4.1.2699.1.3.1.8.1.1",

  /** Xerox object `xeroxDeviceId`. */
  xeroxDeviceId: "1.3.6.1.4.1.253.8.51.1.2.1.20.1",
  /** Xerox object `xeroxSerial`. */
  xeroxSerial: "1.3.6.1.4.1.253.8.53.3.2.1.3.1",
  /** Xerox object `xeroxBillingEntry`. */
  xeroxBillingEntry: "1.3.6.1.4.1.253.8.53.13.2.1",
  /** Xerox object `xeroxBillingValue`. */
  xeroxBillingValue: "1.3.6.1.4.1.253.8.53.13.2.1.6",
  /** Xerox object `xeroxBillingLabel`. */
  xeroxBillingLabel: "1.3.6.1.4.1.253.8.53.13.2.1.9",

  /** Brother object `brotherSerial`. */
  brotherSerial: "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0",
  /** Brother object `brotherDeviceId`. */
  brotherDeviceId: "1.3.6.1.4.1.2435.2.3.9.1.1.7.0",
  /** Brother object `brotherFirmware`. */
  brotherFirmware: "1.3.6.1.4.1.2435.2.4.3.1240.6.5.0",

  /** HP object `hpSerial`. */
  hpSerial: "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0",

  /** Printer-MIB (RFC 3805) object `prtGeneralCurrentLocalization`. */
  prtGeneralCurrentLocalization: "1.3.6.1.2.1.43.5.1.1.2",
  /** Printer-MIB (RFC 3805) object `prtConsoleLocalization`. */
  prtConsoleLocalization: "1.3.6.1.2.1.43.5.1.1.10",
  /** Printer-MIB (RFC 3805) object `prtLocalizationCharacterSet` (an IANA charset MIBenum). */
  prtLocalizationCharacterSet: "1.3.6.1.2.1.43.7.1.1.4",
  /** Printer-MIB (RFC 3805) object `prtConsoleDisplayBufferText`. */
  prtConsoleDisplayBufferText: "1.3.6.1.2.1.43.16.5.1.2",

  /** Sharp object `sharpCounters`. */
  sharpCounters: "1.3.6.1.4.1.2385.1.1.19.2.1",
} as const;

/** Enterprise numbers (1.3.6.1.4.1.N) of printer vendors, as registered with IANA. */
export const ENTERPRISE_VENDORS: Readonly<Record<number, string>> = {
  253: "Xerox",
  11: "HP",
  // HP LaserJet Pro MFP and HP office agents (GLPI agent MibSupport/HPNetPeripheral.pm).
  26696: "HP",
  29999: "HP",
  674: "Dell",
  297: "Fujifilm",
  10642: "Zebra",
  // ESI, the print-server maker Zebra label printers report (GLPI agent MibSupport/Zebra.pm).
  683: "Zebra",
  2435: "Brother",
  1602: "Canon",
  367: "Ricoh",
  1347: "Kyocera",
  641: "Lexmark",
  18334: "Konica Minolta",
  2385: "Sharp",
  1248: "Epson",
  236: "Samsung",
  2001: "OKI",
  1129: "Toshiba",
  // Pantum (GLPI agent share/sysobject.ids: 40093 Pantum PRINTER).
  40093: "Pantum",
};
