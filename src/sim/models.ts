/**
 * The built-in printer models: identity, consumables, billing meters and field quirks, as
 * plain data ({@link BUILTIN_MODELS}). What a device of a model reports at a moment is
 * computed in `truth.ts`; its varbinds in `device-mib.ts`.
 * @module
 */
import { ConfigError } from "../errors.js";

/** Names of the built-in models. */
export type PrinterModelId = "mono" | "colour" | "xerox" | "xerox-versalink" | "large-format";

/** What a consumable is (drives its Printer-MIB class/type and which meter consumes it). */
export interface SupplySpec {
  /** prtMarkerSuppliesDescription. */
  description: string;
  /** prtMarkerSuppliesClass: 3 supplyThatIsConsumed, 4 receptacleThatIsFilled. */
  supplyClass: 3 | 4;
  /** prtMarkerSuppliesType: 3 toner, 4 wasteToner, 5 ink, 9 opc, 15 fuser. */
  supplyType: number;
  /** prtMarkerSuppliesSupplyUnit: 7 impressions, 15 tenthsOfMilliliters, 19 percent. */
  unit: number;
  /** prtMarkerSuppliesMaxCapacity in `unit`. */
  capacity: number;
  /** Pages of the consuming kind one full supply lasts. */
  pagesPerSupply: number;
  /** Which pages consume it. */
  consumedBy: "all" | "black" | "colour";
  /** prtMarkerSuppliesColorantIndex (0 = none). */
  colorant: number;
  /** Answers max -2 (unknown) and level -3 (some remaining) instead of numbers, as many receptacles do. */
  hidesLevel?: boolean;
}

/** Field quirks a model shows (see PRINTER-MIBS.md), so readers are tested against them. */
export interface ModelQuirks {
  /** prtMarkerSuppliesDescription ends with a NUL byte (HP). */
  nulTerminatedDescriptions?: boolean;
  /** hrPrinterDetectedErrorState length: 1 or 2 bytes (default 2). */
  errorStateBytes?: 1 | 2;
}

/** A billing meter of a Xerox-like device, at `.6.1.20.N` (value) and `.9.1.20.N` (label). */
export interface BillingMeterSpec {
  /** N in the meter's OIDs. */
  index: number;
  /** The label the device answers at `.9.1.20.N`. */
  label: string;
  /** Which page count it carries. */
  of: "total" | "black" | "colour" | "blackLarge" | "colourLarge";
}

/** A built-in model: identity, consumables, and how much it prints. */
export interface PrinterModel {
  /** Model id used by `--models` and {@link FleetDevice.model}. */
  id: PrinterModelId;
  /** sysDescr. */
  sysDescr: string;
  /** sysObjectID (its enterprise number names the vendor). */
  sysObjectId: string;
  /** IEEE-1284 device id (`MFG:…;MDL:…;`). */
  deviceId: string;
  /** Vendor OID that also carries the serial number. */
  vendorSerialOid: string;
  /** Serial number prefix. */
  serialPrefix: string;
  /** MAC OUI (first three bytes). */
  oui: readonly [number, number, number];
  /** Mean pages a day, black and colour. */
  pagesPerDay: {
    /** Black pages a day. */
    black: number;
    /** Colour pages a day (0 on a mono model). */
    colour: number;
  };
  /** Share of pages that are large (A3 / wide). */
  largeShare: number;
  /** Colorant names by prtMarkerColorantIndex. */
  colorants: readonly string[];
  /** Consumables, prtMarkerSuppliesIndex = position + 1. */
  supplies: readonly SupplySpec[];
  /** Xerox-style billing meters (empty for other vendors). */
  billingMeters: readonly BillingMeterSpec[];
  /** Field quirks. */
  quirks?: ModelQuirks;
}

const toner = (
  colour: string,
  colorant: number,
  consumedBy: "black" | "colour",
  pages: number,
): SupplySpec => ({
  description: `${colour} Toner Cartridge`,
  supplyClass: 3,
  supplyType: 3,
  unit: 19,
  capacity: 100,
  pagesPerSupply: pages,
  consumedBy,
  colorant,
});

/** Xerox billing meter table (`xcmHrDevDetailTable` base): values at `.6.1.20.N`, labels at `.9.1.20.N`. */
export const XEROX_BILLING = "1.3.6.1.4.1.253.8.53.13.2.1";

/** The built-in models, by id. */
export const BUILTIN_MODELS: Readonly<Record<PrinterModelId, PrinterModel>> = {
  mono: {
    id: "mono",
    sysDescr: "HP LaserJet M406dn (simulated)",
    sysObjectId: "1.3.6.1.4.1.11.2.3.9.1",
    deviceId: "MFG:HP;MDL:LaserJet M406dn;CMD:PJL,PCL,POSTSCRIPT;CLS:PRINTER;",
    vendorSerialOid: "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0",
    serialPrefix: "VNB3",
    oui: [0x3c, 0x2a, 0xf4],
    pagesPerDay: { black: 120, colour: 0 },
    largeShare: 0,
    colorants: ["black"],
    supplies: [
      toner("Black", 1, "black", 9000),
      {
        description: "Imaging Drum",
        supplyClass: 3,
        supplyType: 9,
        unit: 7,
        capacity: 30000,
        pagesPerSupply: 30000,
        consumedBy: "all",
        colorant: 0,
      },
    ],
    billingMeters: [],
    quirks: { nulTerminatedDescriptions: true },
  },
  colour: {
    id: "colour",
    sysDescr: "Brother HL-L8360CDW series (simulated)",
    sysObjectId: "1.3.6.1.4.1.2435.2.3.9.1",
    deviceId: "MFG:Brother;MDL:HL-L8360CDW series;CMD:PJL,PCL,PCLXL,POSTSCRIPT;CLS:PRINTER;",
    vendorSerialOid: "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0",
    serialPrefix: "E7",
    oui: [0xc0, 0xb5, 0xd7],
    pagesPerDay: { black: 90, colour: 40 },
    largeShare: 0,
    colorants: ["black", "cyan", "magenta", "yellow"],
    supplies: [
      toner("Black", 1, "black", 6500),
      toner("Cyan", 2, "colour", 6500),
      toner("Magenta", 3, "colour", 6500),
      toner("Yellow", 4, "colour", 6500),
      {
        description: "Waste Toner Box",
        supplyClass: 4,
        supplyType: 4,
        unit: 19,
        capacity: 100,
        pagesPerSupply: 50000,
        consumedBy: "all",
        colorant: 0,
        hidesLevel: true,
      },
    ],
    billingMeters: [],
    quirks: { errorStateBytes: 1 },
  },
  xerox: {
    id: "xerox",
    sysDescr: "Xerox AltaLink C8055 Multifunction Printer (simulated)",
    sysObjectId: "1.3.6.1.4.1.253.8.62.1.35.2.3.1.1",
    deviceId: "MFG:Xerox;MDL:AltaLink C8055;CMD:PCL,PJL,PostScript,XPS;CLS:Printer;",
    vendorSerialOid: "1.3.6.1.4.1.253.8.53.3.2.1.3.1",
    serialPrefix: "3TB",
    oui: [0x9c, 0x93, 0x4e],
    pagesPerDay: { black: 600, colour: 250 },
    largeShare: 0.1,
    colorants: ["black", "cyan", "magenta", "yellow"],
    supplies: [
      {
        ...toner("Black", 1, "black", 26000),
        description: "Black Toner, PN 006R01697",
        unit: 7,
        capacity: 26000,
      },
      {
        ...toner("Cyan", 2, "colour", 15000),
        description: "Cyan Toner, PN 006R01698",
        unit: 7,
        capacity: 15000,
      },
      {
        ...toner("Magenta", 3, "colour", 15000),
        description: "Magenta Toner, PN 006R01699",
        unit: 7,
        capacity: 15000,
      },
      {
        ...toner("Yellow", 4, "colour", 15000),
        description: "Yellow Toner, PN 006R01700",
        unit: 7,
        capacity: 15000,
      },
      {
        description: "Drum Cartridge (R1), PN 013R00662",
        supplyClass: 3,
        supplyType: 9,
        unit: 19,
        capacity: 100,
        pagesPerSupply: 125000,
        consumedBy: "all",
        colorant: 0,
      },
      {
        description: "Waste Toner Container, PN 008R13061",
        supplyClass: 4,
        supplyType: 4,
        unit: 19,
        capacity: 100,
        pagesPerSupply: 45000,
        consumedBy: "all",
        colorant: 0,
      },
      {
        description: "Fuser, PN 115R00089",
        supplyClass: 3,
        supplyType: 15,
        unit: 19,
        capacity: 100,
        pagesPerSupply: 200000,
        consumedBy: "all",
        colorant: 0,
      },
    ],
    billingMeters: [
      { index: 1, label: "Total Impressions", of: "total" },
      { index: 33, label: "Color Printed Impressions", of: "colour" },
      { index: 34, label: "Black Printed Impressions", of: "black" },
      { index: 43, label: "Color Large Impressions", of: "colourLarge" },
      { index: 44, label: "Black Large Impressions", of: "blackLarge" },
    ],
  },
  "xerox-versalink": {
    id: "xerox-versalink",
    sysDescr: "Xerox VersaLink C405 (simulated)",
    sysObjectId: "1.3.6.1.4.1.253.8.62.1.33.1.1.1",
    deviceId: "MFG:Xerox;MDL:VersaLink C405;CMD:PCL,PJL,PostScript;CLS:Printer;",
    vendorSerialOid: "1.3.6.1.4.1.253.8.53.3.2.1.3.1",
    serialPrefix: "3CV",
    oui: [0x9c, 0x93, 0x4e],
    pagesPerDay: { black: 200, colour: 80 },
    largeShare: 0,
    colorants: ["black", "cyan", "magenta", "yellow"],
    supplies: [
      toner("Black", 1, "black", 10500),
      toner("Cyan", 2, "colour", 8000),
      toner("Magenta", 3, "colour", 8000),
      toner("Yellow", 4, "colour", 8000),
    ],
    billingMeters: [
      { index: 200, label: "Total Impressions", of: "total" },
      { index: 201, label: "Black Impressions", of: "black" },
      { index: 202, label: "Color Impressions", of: "colour" },
    ],
  },
  "large-format": {
    id: "large-format",
    sysDescr: "Canon imagePROGRAF TM-300 (simulated)",
    sysObjectId: "1.3.6.1.4.1.1602.4.7",
    deviceId: "MFG:Canon;MDL:imagePROGRAF TM-300;CMD:GARO,HP-GL/2;CLS:PRINTER;",
    vendorSerialOid: "1.3.6.1.4.1.1602.1.2.1.4.0",
    serialPrefix: "AAVQ",
    oui: [0x00, 0x1e, 0x8f],
    pagesPerDay: { black: 25, colour: 35 },
    largeShare: 1,
    colorants: ["matte black", "photo black", "cyan", "magenta", "yellow"],
    supplies: ["Matte Black", "Photo Black", "Cyan", "Magenta", "Yellow"].map(
      (name, i): SupplySpec => ({
        description: `${name} Ink Tank PFI-120`,
        supplyClass: 3,
        supplyType: 5,
        unit: 15,
        capacity: 1300,
        pagesPerSupply: i < 2 ? 1400 : 900,
        consumedBy: i < 2 ? "black" : "colour",
        colorant: i + 1,
      }),
    ),
    billingMeters: [],
  },
};

/** Every built-in model id, in a stable order (fleets cycle through it). */
export const MODEL_IDS = Object.keys(BUILTIN_MODELS) as PrinterModelId[];

/** Looks up a model by id, refusing an unknown one with the list of known ids. */
export function modelById(id: string): PrinterModel {
  const model = (BUILTIN_MODELS as Record<string, PrinterModel | undefined>)[id];
  if (!model)
    throw new ConfigError(
      "SIM_UNKNOWN_MODEL",
      `unknown printer model "${id}" (known: ${MODEL_IDS.join(", ")})`,
    );
  return model;
}
