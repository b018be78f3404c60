/**
 * OIDs the reader asks for, named after their MIB objects (SNMPv2-MIB, IF-MIB,
 * HOST-RESOURCES-MIB, Printer-MIB RFC 3805, PWG and vendor MIBs). Dotted, no leading dot.
 * @module
 */

/** Scalars and table columns the reader uses, by MIB object name. */
export const Oid = {
  sysDescr: "1.3.6.1.2.1.1.1.0",
  sysObjectID: "1.3.6.1.2.1.1.2.0",
  sysUpTime: "1.3.6.1.2.1.1.3.0",
  sysName: "1.3.6.1.2.1.1.5.0",

  ifType: "1.3.6.1.2.1.2.2.1.3",
  ifPhysAddress: "1.3.6.1.2.1.2.2.1.6",
  ifOperStatus: "1.3.6.1.2.1.2.2.1.8",

  hrDeviceEntry: "1.3.6.1.2.1.25.3.2.1",
  hrDeviceType: "1.3.6.1.2.1.25.3.2.1.2",
  hrDeviceDescr: "1.3.6.1.2.1.25.3.2.1.3",
  hrDeviceStatus: "1.3.6.1.2.1.25.3.2.1.5",
  hrDeviceTypePrinter: "1.3.6.1.2.1.25.3.1.5",
  hrPrinterEntry: "1.3.6.1.2.1.25.3.5.1",
  hrPrinterStatus: "1.3.6.1.2.1.25.3.5.1.1",
  hrPrinterDetectedErrorState: "1.3.6.1.2.1.25.3.5.1.2",

  prtGeneralSerialNumber: "1.3.6.1.2.1.43.5.1.1.17.1",
  prtAlertCriticalEvents: "1.3.6.1.2.1.43.5.1.1.18.1",
  prtAlertAllEvents: "1.3.6.1.2.1.43.5.1.1.19.1",

  prtMarkerEntry: "1.3.6.1.2.1.43.10.2.1",
  prtMarkerCounterUnit: "1.3.6.1.2.1.43.10.2.1.3",
  prtMarkerLifeCount: "1.3.6.1.2.1.43.10.2.1.4",
  prtMarkerPowerOnCount: "1.3.6.1.2.1.43.10.2.1.5",

  prtMarkerSuppliesEntry: "1.3.6.1.2.1.43.11.1.1",
  prtMarkerSuppliesColorantIndex: "1.3.6.1.2.1.43.11.1.1.3",
  prtMarkerSuppliesClass: "1.3.6.1.2.1.43.11.1.1.4",
  prtMarkerSuppliesType: "1.3.6.1.2.1.43.11.1.1.5",
  prtMarkerSuppliesDescription: "1.3.6.1.2.1.43.11.1.1.6",
  prtMarkerSuppliesSupplyUnit: "1.3.6.1.2.1.43.11.1.1.7",
  prtMarkerSuppliesMaxCapacity: "1.3.6.1.2.1.43.11.1.1.8",
  prtMarkerSuppliesLevel: "1.3.6.1.2.1.43.11.1.1.9",

  prtMarkerColorantValue: "1.3.6.1.2.1.43.12.1.1.4",

  prtAlertEntry: "1.3.6.1.2.1.43.18.1.1",
  prtAlertSeverityLevel: "1.3.6.1.2.1.43.18.1.1.2",
  prtAlertTrainingLevel: "1.3.6.1.2.1.43.18.1.1.3",
  prtAlertGroup: "1.3.6.1.2.1.43.18.1.1.4",
  prtAlertGroupIndex: "1.3.6.1.2.1.43.18.1.1.5",
  prtAlertLocation: "1.3.6.1.2.1.43.18.1.1.6",
  prtAlertCode: "1.3.6.1.2.1.43.18.1.1.7",
  prtAlertDescription: "1.3.6.1.2.1.43.18.1.1.8",
  prtAlertTime: "1.3.6.1.2.1.43.18.1.1.9",

  pwgDeviceId: "1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1",
  pwgImpressionCounters: "1.3.6.1.4.1.2699.1.3.1.8.1.1",

  xeroxDeviceId: "1.3.6.1.4.1.253.8.51.1.2.1.20.1",
  xeroxSerial: "1.3.6.1.4.1.253.8.53.3.2.1.3.1",
  xeroxBillingEntry: "1.3.6.1.4.1.253.8.53.13.2.1",
  xeroxBillingValue: "1.3.6.1.4.1.253.8.53.13.2.1.6",
  xeroxBillingLabel: "1.3.6.1.4.1.253.8.53.13.2.1.9",

  brotherSerial: "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0",
  brotherDeviceId: "1.3.6.1.4.1.2435.2.3.9.1.1.7.0",
  brotherFirmware: "1.3.6.1.4.1.2435.2.4.3.1240.6.5.0",

  hpSerial: "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0",

  sharpCounters: "1.3.6.1.4.1.2385.1.1.19.2.1",
} as const;

/** Enterprise numbers (1.3.6.1.4.1.N) of printer vendors, as registered with IANA. */
export const ENTERPRISE_VENDORS: Readonly<Record<number, string>> = {
  253: "Xerox",
  11: "HP",
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
};
