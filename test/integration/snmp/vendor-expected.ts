/** The synthetic vendor recordings (see their SOURCES.md). */
export const VENDOR_RECORDINGS = "test/fixtures/snmp/vendors";

/** What each synthetic recording must read as (values chosen distinct and consistent, see SOURCES.md). */
export const EXPECTED: Record<
  string,
  {
    vendor: string;
    model: string;
    serial: string;
    serialSource: string;
    meters: Record<string, number>;
    mapId?: string;
  }
> = {
  "brother-mfc": {
    vendor: "Brother",
    model: "MFC-L8900CDW",
    serial: "E7SYN00006",
    serialSource: "brotherSerialNumber",
    meters: { Scans: 321 },
  },
  "canon-iradv": {
    vendor: "Canon",
    model: "iR-ADV C5535",
    serial: "CNSYN00003",
    serialSource: "canServInfoSerialNumberDeviceNumber",
    meters: { "Total Impressions": 7000, "Black Impressions": 4000, "Color Impressions": 3000, Scans: 640 },
  },
  "dell-mfp": {
    vendor: "Dell",
    model: "Color MFP S2825cdn",
    serial: "DLSYN00014",
    serialSource: "prtGeneralSerialNumber",
    meters: {},
  },
  "epson-workforce": {
    vendor: "Epson",
    model: "WF-C879R",
    serial: "X3SYN00007",
    serialSource: "epsonSerialNumber",
    meters: {
      "Total Impressions": 5000,
      "Black Impressions": 2100,
      "Color Impressions": 2900,
      "Color Print Impressions": 2500,
      "Color Copy Impressions": 400,
    },
  },
  "hp-jetdirect": {
    vendor: "HP",
    model: "Color LaserJet MFP M477fdw",
    serial: "VNB3J99999",
    serialSource: "sysDescr",
    meters: { "Total Impressions": 3456, "Color Impressions": 1234, "Duplex Sheets": 789 },
  },
  "konica-bizhub": {
    vendor: "Konica Minolta",
    model: "bizhub C458",
    serial: "A0ED021012345",
    serialSource: "prtGeneralSerialNumber",
    meters: {
      "Total Impressions": 6000,
      "Black Print Impressions": 2000,
      "Color Print Impressions": 2500,
      "Black Copy Impressions": 800,
      "Color Copy Impressions": 700,
      Scans: 930,
      "Duplex Sheets": 1200,
    },
  },
  "kyocera-taskalfa": {
    vendor: "Kyocera",
    model: "TASKalfa 5053ci",
    serial: "KYSYN00001",
    serialSource: "kcprtSerialNumber",
    meters: {
      "Total Impressions": 4125,
      "Black Print Impressions": 1100,
      "Color Print Impressions": 2200,
      "Black Copy Impressions": 330,
      "Color Copy Impressions": 440,
      "Fax Impressions": 55,
      "Copy Scans": 600,
      "Fax Scans": 70,
      "Network Scans": 800,
      Scans: 1470,
    },
  },
  "lexmark-cx": {
    vendor: "Lexmark",
    model: "CX825",
    serial: "LXSYN00010",
    serialSource: "lexmarkSerialNumber",
    meters: {
      "Total Impressions": 5000,
      "Black Impressions": 3200,
      "Color Impressions": 1800,
      "Black Print Impressions": 2400,
      "Color Print Impressions": 1500,
      "Black Copy Impressions": 650,
      "Color Copy Impressions": 300,
      "Fax Impressions": 150,
      "Copy Scans": 700,
      "Fax Scans": 60,
      "Network Scans": 1020,
    },
  },
  "oki-mc": {
    vendor: "OKI",
    model: "MC873",
    serial: "AKSYN00013",
    serialSource: "okiSerialNumber",
    meters: { "Total Impressions": 4444 },
  },
  "ricoh-mp-c3004": {
    vendor: "Ricoh",
    model: "MP C3004",
    serial: "RCSYN00002",
    serialSource: "ricohSerialNumber",
    meters: {
      "Total Impressions": 9000,
      "Black Print Impressions": 4000,
      "Color Print Impressions": 3350,
      "Black Copy Impressions": 1000,
      "Color Copy Impressions": 500,
      "Fax Impressions": 150,
      Scans: 725,
    },
  },
  "samsung-clx": {
    vendor: "Samsung",
    model: "CLX-6260",
    serial: "ZDSYN00011",
    serialSource: "sysDescr",
    meters: {
      "Black Print Impressions": 1750,
      "Color Print Impressions": 1000,
      "Black Copy Impressions": 530,
      "Color Copy Impressions": 250,
      "Fax Impressions": 80,
      Scans: 820,
      "Black Large Impressions": 180,
      "Color Large Impressions": 60,
    },
  },
  "sharp-mx": {
    vendor: "Sharp",
    model: "MX-3071",
    serial: "SHSYN00008",
    serialSource: "prtGeneralSerialNumber",
    meters: { "Total Impressions": 3000, "Black Impressions": 1800, "Color Impressions": 1200 },
  },
  "toshiba-estudio": {
    vendor: "Toshiba",
    model: "e-STUDIO2518A",
    serial: "TBSYN00012",
    serialSource: "bcpProductNumber",
    meters: { "Black Print Impressions": 2100, "Black Copy Impressions": 1233 },
  },
  "xerox-versalink": {
    vendor: "Xerox",
    model: "VersaLink C405",
    serial: "XRSYN00009",
    serialSource: "xcmHrDevInfoSerialNumber",
    meters: { "Total Impressions": 8800, "Black Impressions": 5000, "Color Impressions": 3800 },
  },
};
