/**
 * The vendor meter maps shipped with the SDK, as data. Every map cites the public source
 * of its OIDs (project + file path) and, where sources disagree, says which it follows.
 * Names come from {@link METER_NAMES}; see docs/meter-maps.md for the table.
 * @module
 */
import type { IndexedMeterMap, MeterLabelRule, MeterMap, ScalarMeterMap, VendorMeterMap } from "./meters.js";
import { Oid } from "./oids.js";

const GLPI = "glpi-project/glpi-agent";

/** Names shared by Xerox's common billing labels across models (names kept from earlier releases). */
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

const XEROX: MeterMap[] = [
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
    source:
      "Xerox XEROX-HOST-RESOURCES-EXT-MIB xcmHrDevDetailTable, labels as the device's billing page prints them",
  },
  {
    id: "xerox-billing",
    enterprise: 253,
    valueColumn: Oid.xeroxBillingValue,
    labelColumn: Oid.xeroxBillingLabel,
    rules: XEROX_COMMON_RULES,
    reportUnmapped: true,
    source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Xerox.pm (rows 1 total, 33 colour, 34 black of xcmHrDevDetailEntry .6.1.20); mapped by label because the rows differ by model`,
  },
];

const SHARP: MeterMap[] = [
  {
    id: "sharp-counters",
    enterprise: 2385,
    valueColumn: `${Oid.sharpCounters}.3`,
    labelColumn: `${Oid.sharpCounters}.4`,
    rules: [
      { label: /^total\b/i, name: "Total Impressions" },
      // MX series: "<colour> <group> Count" rows in groups Print, Copy, Total (= print +
      // copy + other) and Scan; the Total group is the colour split billed.
      { label: /^black\s*&\s*white\s+total\s+count$/i, name: "Black Impressions" },
      { label: /^full\s+colou?r\s+total\s+count$/i, name: "Color Impressions" },
      { label: /^black\s*&\s*white\s+print\s+count$/i, name: "Black Print Impressions" },
      { label: /^full\s+colou?r\s+print\s+count$/i, name: "Color Print Impressions" },
      { label: /^black\s*&\s*white\s+copy\s+count$/i, name: "Black Copy Impressions" },
      { label: /^full\s+colou?r\s+copy\s+count$/i, name: "Color Copy Impressions" },
      { label: /^scan\s+to\s+e-?mail\s*\/\s*ftp$/i, name: "Network Scans" },
      // Devices that label one row per colour.
      { label: /^(black(\s*&\s*white)?|b\/w|mono(chrome)?)$/i, name: "Black Impressions" },
      { label: /^(full\s*)?colou?r$/i, name: "Color Impressions" },
    ],
    reportUnmapped: true,
    source:
      'Sharp private MIB 1.3.6.1.4.1.2385.1.1.19.2.1 (values .3, labels .4) as noted in the project\'s PRINTER-MIBS.md, labels as LibreNMS includes/discovery/sensors/count/printer.inc.php reads them from a real MX-3570N (tests/snmpsim/sharp.snmprec); mapped by label, full labels only: a prefix such as "Black & White" also starts the print, copy, scan and document-filing rows',
  },
];

const KYOCERA_PM = "mstrhakr/printmaster docs/vendor/KYOCERA_OID_MAPPING.md";

const KYOCERA: VendorMeterMap[] = [
  {
    kind: "indexed",
    id: "kyocera-function-colour",
    enterprise: 1347,
    // Row = <function>.<colour>: function 1 printer, 2 copy, 4 fax; colour 1 black & white, 3 full colour.
    valueColumn: "1.3.6.1.4.1.1347.42.3.1.2.1.1",
    codes: [
      { code: "1.1", name: "Black Print Impressions", label: "printer B&W" },
      { code: "1.3", name: "Color Print Impressions", label: "printer full colour" },
      { code: "2.1", name: "Black Copy Impressions", label: "copy B&W" },
      { code: "2.3", name: "Color Copy Impressions", label: "copy full colour" },
    ],
    source: `${GLPI} lib/GLPI/Agent/Tools/Hardware.pm (PRINTBLACK/PRINTCOLOR/COPYBLACK/COPYCOLOR); ${KYOCERA_PM} (same OIDs, checked against the web UI)`,
  },
  {
    kind: "scalar",
    id: "kyocera-counters",
    enterprise: 1347,
    meters: [
      { oid: "1.3.6.1.4.1.1347.43.10.1.1.12.1.1", name: "Total Impressions", label: "total printed" },
      { oid: "1.3.6.1.4.1.1347.42.3.1.1.1.4", name: "Fax Impressions", label: "fax total" },
      { oid: "1.3.6.1.4.1.1347.42.3.1.3.1.1.2", name: "Copy Scans", label: "copy scans" },
      { oid: "1.3.6.1.4.1.1347.42.3.1.3.1.1.4", name: "Fax Scans", label: "fax scans" },
      { oid: "1.3.6.1.4.1.1347.42.3.1.4.1.1.1", name: "Network Scans", label: "other scans" },
      { oid: "1.3.6.1.4.1.1347.46.10.1.1.5.3", name: "Scans", label: "total scan" },
      // Printers without copy/fax (GLPI: "non-MFP counters").
      { oid: "1.3.6.1.4.1.1347.42.2.2.1.1.3.1.1", name: "Black Impressions", label: "non-MFP black" },
      { oid: "1.3.6.1.4.1.1347.42.2.1.1.1.8.1.1", name: "Color Impressions", label: "non-MFP colour" },
    ],
    // The web UI's total printed equals printer + copy + fax (checked in KYOCERA_OID_MAPPING.md).
    sums: [
      {
        total: "Total Impressions",
        parts: [
          "Black Print Impressions",
          "Color Print Impressions",
          "Black Copy Impressions",
          "Color Copy Impressions",
          "Fax Impressions",
        ],
      },
    ],
    source: `${GLPI} lib/GLPI/Agent/Tools/Hardware.pm (TOTAL, FAXTOTAL, SCANNED, BLACK, COLOR); ${KYOCERA_PM} (copy/fax/other scans; "other scans" are reported as Network Scans)`,
  },
];

const RICOH: IndexedMeterMap = {
  kind: "indexed",
  id: "ricoh-counter-types",
  enterprise: 367,
  // ricohEngCounterTable: the row index differs by model, the type column says what a row counts.
  valueColumn: "1.3.6.1.4.1.367.3.2.1.2.19.5.1.9",
  codeColumn: "1.3.6.1.4.1.367.3.2.1.2.19.5.1.2",
  codes: [
    { code: "10", name: "Total Impressions", label: "type 10 total" },
    { code: "201", name: "Black Copy Impressions", label: "type 201" },
    { code: "202", name: "Color Copy Impressions", label: "type 202" },
    { code: "203", name: "Color Copy Impressions", label: "type 203" },
    { code: "300", name: "Fax Impressions", label: "type 300" },
    { code: "401", name: "Black Print Impressions", label: "type 401" },
    { code: "402", name: "Color Print Impressions", label: "type 402" },
    { code: "403", name: "Color Print Impressions", label: "type 403" },
    { code: "870", name: "Scans", label: "type 870" },
    { code: "871", name: "Scans", label: "type 871" },
  ],
  source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Ricoh.pm (ricohEngCounterType/Value; 202+203, 402+403 and 870+871 added, as GLPI does)`,
};

const CANON: VendorMeterMap[] = [
  {
    kind: "indexed",
    id: "canon-counter-codes",
    enterprise: 1602,
    valueColumn: "1.3.6.1.4.1.1602.1.11.1.3.1.4",
    codes: [
      { code: "101", name: "Total Impressions", label: "Total 1" },
      { code: "112", name: "Black Impressions", label: "Total (Black/Large)" },
      { code: "113", name: "Black Impressions", label: "Total (Black/Small)" },
      { code: "122", name: "Color Impressions", label: "Total (Full Color + Single Color/Large)" },
      { code: "123", name: "Color Impressions", label: "Total (Full Color + Single Color/Small)" },
      { code: "501", name: "Scans", label: "Scan (Total 1)" },
    ],
    sums: [{ total: "Total Impressions", parts: ["Black Impressions", "Color Impressions"] }],
    source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Canon.pm. Sources disagree: its C55XX table calls 101 COPYTOTAL and 112/113 COPYBLACK, its LBP76XX table names the same Canon counter codes "Total 1", "Total (Black/Large|Small)", "Total (Full Color + Single Color/Large|Small)"; this map follows the Canon counter names`,
  },
  {
    id: "canon-labelled",
    enterprise: 1602,
    valueColumn: "1.3.6.1.4.1.1602.1.11.2.1.1.3",
    labelColumn: "1.3.6.1.4.1.1602.1.11.2.1.1.2",
    rules: [
      { label: "Total 1", name: "Total Impressions" },
      { label: "Total (Black 1)", name: "Black Impressions" },
      { label: "Total (Black/Large)", name: "Black Large Impressions" },
      { label: "Total (Full Color + Single Color/Large)", name: "Color Large Impressions" },
      { label: "Scan (Total 1)", name: "Scans" },
    ],
    reportUnmapped: true,
    source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Canon.pm (LBP76XX labelled counters)`,
  },
];

const KONICA_BASE = "1.3.6.1.4.1.18334.1.1.1.5.7.2";
const KONICA: ScalarMeterMap = {
  kind: "scalar",
  id: "konica-counters",
  enterprise: 18334,
  meters: [
    { oid: `${KONICA_BASE}.1.1.0`, name: "Total Impressions", label: "total" },
    { oid: `${KONICA_BASE}.2.1.5.1.2`, name: "Black Print Impressions", label: "print black" },
    { oid: `${KONICA_BASE}.2.1.5.2.2`, name: "Color Print Impressions", label: "print colour" },
    { oid: `${KONICA_BASE}.2.1.5.1.1`, name: "Black Copy Impressions", label: "copy black" },
    { oid: `${KONICA_BASE}.2.1.5.2.1`, name: "Color Copy Impressions", label: "copy colour" },
    { oid: `${KONICA_BASE}.3.1.5.1`, name: "Scans", label: "scans" },
    { oid: `${KONICA_BASE}.1.3.0`, name: "Duplex Sheets", unit: "sheets", label: "duplex" },
  ],
  source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/Konica.pm (konicaTotal, konicaBlack/ColorCopy/Print, konicaScans, konicaRectoVerso). Konica scan OIDs differ between sources; this map follows GLPI`,
};

const HP: ScalarMeterMap = {
  kind: "scalar",
  id: "hp-engine-counters",
  enterprise: 11,
  meters: [
    { oid: "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.5.0", name: "Total Impressions", label: "totalEnginePageCount" },
    { oid: "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.7.0", name: "Color Impressions", label: "totalColorPageCount" },
    {
      oid: "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.22.0",
      name: "Duplex Sheets",
      unit: "sheets",
      label: "duplexPageCount",
    },
  ],
  source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/HPNetPeripheral.pm (statusPrtEngine counters)`,
};

const BROTHER: ScalarMeterMap = {
  kind: "scalar",
  id: "brother-counters",
  enterprise: 2435,
  meters: [
    { oid: "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.54.2.2.1.3.3", name: "Scans", label: "brScanCountCounter" },
  ],
  source: `${GLPI} lib/GLPI/Agent/SNMP/MibSupport/BrotherNetConfig.pm (brScanCountCounter)`,
};

const EPSON_BASE = "1.3.6.1.4.1.1248.1.2.2.27";
const EPSON: ScalarMeterMap = {
  kind: "scalar",
  id: "epson-counters",
  enterprise: 1248,
  meters: [
    { oid: `${EPSON_BASE}.1.1.30.1.1`, name: "Total Impressions", label: "total pages" },
    { oid: `${EPSON_BASE}.1.1.3.1.1`, name: "Black Impressions", label: "total B&W pages" },
    { oid: `${EPSON_BASE}.1.1.4.1.1`, name: "Color Impressions", label: "total colour pages" },
    {
      oid: `${EPSON_BASE}.6.1.5.1.1.1`,
      name: "Color Print Impressions",
      label: "colour print from computer",
    },
    { oid: `${EPSON_BASE}.6.1.5.1.1.2`, name: "Color Copy Impressions", label: "colour copy" },
  ],
  sums: [{ total: "Total Impressions", parts: ["Black Impressions", "Color Impressions"] }],
  source:
    "mstrhakr/printmaster docs/EPSON_OID_MAPPING.md (AM-C550 and WF-C17590, checked against the web UI: total = B&W + colour)",
};

const LEXMARK_MPS =
  "DotZero24/pysnmp-mibs pysnmp_mibs/LEXMARK-MPS-MIB.py (LEXMARK-MPS-MIB compiled by pysnmp)";

const LEXMARK: IndexedMeterMap[] = [
  {
    kind: "indexed",
    id: "lexmark-paper-counts",
    enterprise: 641,
    // paperGeneralCountTable, indexed by deviceIndex.paperGeneralCountIndex; the rows a
    // device has differ by model (a mono printer has no colour rows), so read by type.
    valueColumn: "1.3.6.1.4.1.641.6.4.2.1.1.4",
    codeColumn: "1.3.6.1.4.1.641.6.4.2.1.1.2",
    // paperGeneralCountUnits (UnitsTC): the MIB says sides or sheets, per row.
    unitColumn: "1.3.6.1.4.1.641.6.4.2.1.1.3",
    unitCodes: { "4": "impressions", "5": "sheets" },
    codes: [
      { code: "2", name: "Total Impressions", label: "totalSafe" },
      { code: "3", name: "Black Impressions", label: "totalMonoSafe" },
      { code: "4", name: "Color Impressions", label: "totalColorSafe" },
      { code: "17", name: "Black Print Impressions", label: "printMono" },
      { code: "18", name: "Color Print Impressions", label: "printColor" },
      { code: "33", name: "Black Copy Impressions", label: "copyMono" },
      { code: "34", name: "Color Copy Impressions", label: "copyColor" },
      { code: "48", name: "Fax Impressions", label: "faxTotal" },
    ],
    source: `${LEXMARK_MPS}: paperGeneralCountType/Units/Value. The "safe" counts (delivered to an output bin) are billed, not the "picked" ones (totalPicked counts sheets fed, also those that jammed)`,
  },
  {
    kind: "indexed",
    id: "lexmark-scan-counts",
    enterprise: 641,
    // scanCountTable: one row per scan type and paper size; the sizes of one kind add up.
    valueColumn: "1.3.6.1.4.1.641.6.4.3.1.1.4",
    codeColumn: "1.3.6.1.4.1.641.6.4.3.1.1.2",
    codes: [
      { code: "1", name: "Copy Scans", label: "copyAdf" },
      { code: "257", name: "Copy Scans", label: "copyFlatbed" },
      { code: "769", name: "Copy Scans", label: "copyDuplex" },
      { code: "2", name: "Fax Scans", label: "faxAdf" },
      { code: "258", name: "Fax Scans", label: "faxFlatbed" },
      { code: "770", name: "Fax Scans", label: "faxDuplex" },
      { code: "3", name: "Network Scans", label: "scanToEmailAdf" },
      { code: "259", name: "Network Scans", label: "scanToEmailFlatbed" },
      { code: "771", name: "Network Scans", label: "scanToEmailDuplex" },
      { code: "4", name: "Network Scans", label: "scanToNetAdf" },
      { code: "260", name: "Network Scans", label: "scanToNetFlatbed" },
      { code: "772", name: "Network Scans", label: "scanToNetDuplex" },
      { code: "5", name: "Network Scans", label: "scanToLocalHostAdf" },
      { code: "261", name: "Network Scans", label: "scanToLocalHostFlatbed" },
      { code: "773", name: "Network Scans", label: "scanToLocalHostDuplex" },
    ],
    source: `${LEXMARK_MPS}: scanCountType/scanCountSides (scanned sides); scan to e-mail, to network and to local host are reported as Network Scans`,
  },
];

const SAMSUNG_HR_MIB =
  "SAMSUNG-HOST-RESOURCES-EXT-MIB scmHrDevCountTable (DotZero24/pysnmp-mibs pysnmp_mibs/SAMSUNG-HOST-RESOURCES-EXT-MIB.py @ 1edca37f; the object DESCRIPTIONs in cisco-kusanagi/mibs.snmplabs.com pysnmp-with-texts/SAMSUNG-HOST-RESOURCES-EXT-MIB.py @ 34f56419)";
const SAMSUNG_COUNT = "1.3.6.1.4.1.236.11.5.11.53.11.2.1";
/** scmHrDevCountUnit (ScmHrDevCountUnitTC, the Printer-MIB unit codes): the MIB's default is sheets(8). */
const SAMSUNG_UNITS = { "7": "impressions", "8": "sheets" } as const;

const SAMSUNG: IndexedMeterMap[] = [
  {
    kind: "indexed",
    id: "samsung-count-job-colour",
    enterprise: 236,
    // One row per job type × media size × duplex × colour, indexed by hrDeviceIndex.scmHrDevCountIndex
    // (the index is only a position): rows are read by their job type and colour columns, and
    // the rows of one job type and colour (several sizes, simplex/duplex) add up.
    valueColumn: `${SAMSUNG_COUNT}.7`,
    codeColumns: [`${SAMSUNG_COUNT}.2`, `${SAMSUNG_COUNT}.6`],
    unitColumn: `${SAMSUNG_COUNT}.4`,
    unitCodes: SAMSUNG_UNITS,
    codes: [
      // ScmHrDevCountJobTypeTC print(1) copy(2) faxIn(3) scan(5); ScmHrDevCountColorTC fullColor(1) singleColor(2) monoColor(3).
      { code: "1.3", name: "Black Print Impressions", label: "print monoColor" },
      { code: "1.1", name: "Color Print Impressions", label: "print fullColor" },
      { code: "1.2", name: "Color Print Impressions", label: "print singleColor" },
      { code: "2.3", name: "Black Copy Impressions", label: "copy monoColor" },
      { code: "2.1", name: "Color Copy Impressions", label: "copy fullColor" },
      { code: "2.2", name: "Color Copy Impressions", label: "copy singleColor" },
      { code: "3.3", name: "Fax Impressions", label: "faxIn monoColor" },
      { code: "3.1", name: "Fax Impressions", label: "faxIn fullColor" },
      { code: "3.2", name: "Fax Impressions", label: "faxIn singleColor" },
      { code: "5.3", name: "Scans", label: "scan monoColor" },
      { code: "5.1", name: "Scans", label: "scan fullColor" },
      { code: "5.2", name: "Scans", label: "scan singleColor" },
    ],
    source: `${SAMSUNG_HR_MIB}: scmHrDevCountJobType, scmHrDevCountColor, scmHrDevCountUnit, scmHrDevCountValue; the MIB says current devices count print, fax, copy and scan jobs only, and that single colour extends the colour count (reported with full colour as Color). No total row exists, so no sum is checked`,
  },
  {
    kind: "indexed",
    id: "samsung-count-large",
    enterprise: 236,
    valueColumn: `${SAMSUNG_COUNT}.7`,
    codeColumns: [`${SAMSUNG_COUNT}.2`, `${SAMSUNG_COUNT}.6`, `${SAMSUNG_COUNT}.3`],
    unitColumn: `${SAMSUNG_COUNT}.4`,
    unitCodes: SAMSUNG_UNITS,
    codes: [
      // scmHrDevCountMediaSize large(2): the MIB says devices count 'small' or 'large' only.
      { code: "1.3.2", name: "Black Large Impressions", label: "print monoColor large" },
      { code: "2.3.2", name: "Black Large Impressions", label: "copy monoColor large" },
      { code: "1.1.2", name: "Color Large Impressions", label: "print fullColor large" },
      { code: "1.2.2", name: "Color Large Impressions", label: "print singleColor large" },
      { code: "2.1.2", name: "Color Large Impressions", label: "copy fullColor large" },
      { code: "2.2.2", name: "Color Large Impressions", label: "copy singleColor large" },
    ],
    source: `${SAMSUNG_HR_MIB}: scmHrDevCountMediaSize large(2) rows of the print and copy job types`,
  },
];

const TOSHIBA_COUNT = "1.3.6.1.4.1.1129.2.3.50.1.3.21.6.1";
const TOSHIBA: ScalarMeterMap = {
  kind: "scalar",
  id: "toshiba-counters",
  enterprise: 1129,
  // Monochrome models only (e-STUDIO colour models end in C, AC, CS, CT or CP): there column 3
  // is both the source's total and the black count, so no reading of it can bill wrongly. On a
  // colour model the source's "total" would bill colour pages as black; it bills Printer-MIB
  // counters until a source names the colour rows.
  models: /^(?!.*\d{3,4}\s*(?:A?C|CS|CT|CP)\b)/i,
  meters: [
    { oid: `${TOSHIBA_COUNT}.3.1.3`, name: "Black Print Impressions", label: "printer, column 3" },
    { oid: `${TOSHIBA_COUNT}.4.1.3`, name: "Black Copy Impressions", label: "copy, column 3" },
  ],
  source: `fusioninventory/fusioninventory-for-glpi tests/Installation/mysql/i-0.83+2.1.sql @ 65dc6863 (mib oids 114 and 115, mapped to pagecountertotalpages_print and pagecountertotalpages_copy by the plugin's construct-device mapping). FusionInventory, built on monochrome e-STUDIOs, calls column 3 the print/copy total; on a monochrome model that total is the black count, so the map applies to monochrome models only and names it Black Print / Black Copy Impressions. The other function and colour rows are not mapped: no citable public source names them`,
};

const OKI: ScalarMeterMap = {
  kind: "scalar",
  id: "oki-counters",
  enterprise: 2001,
  meters: [
    {
      oid: "1.3.6.1.4.1.2001.1.1.1.1.100.1.1.1.3.1",
      name: "Total Impressions",
      label: "usagePrinterUnitCounter",
    },
  ],
  source:
    'zabbix/community-templates Printers/OKI/template_oki_color_laser_(c...)/6.0/template_oki_color_laser_(c...).yaml @ 640b6595 ("Total pages printed", key usagePrinterUnitCounter.1). The GLPI agent\'s MibSupport/Oki.pm (serial and model only) has no counter',
};

/** The maps shipped with the SDK. Per-model profiles first, vendor-wide fallbacks last. */
export const BUILTIN_METER_MAPS: readonly VendorMeterMap[] = [
  ...XEROX,
  ...SHARP,
  ...KYOCERA,
  RICOH,
  ...CANON,
  KONICA,
  HP,
  BROTHER,
  EPSON,
  ...LEXMARK,
  ...SAMSUNG,
  TOSHIBA,
  OKI,
];
