import { describe, expect, it } from "vitest";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import {
  cleanModel,
  decodeIdentity,
  IDENTITY_OIDS,
  normaliseSerial,
  parseDeviceId,
  prtGeneralSerialOids,
  subtreesFor,
  VarbindSet,
  VENDOR_IDENTITY,
  vendorOf,
  vendorScalarsFor,
} from "../../../src/snmp/index.js";

/** Varbinds from inline snmprec lines. */
function rec(...lines: string[]) {
  return parseSnmprec(`${lines.join("\n")}\n`);
}

const SYS_OID = "1.3.6.1.2.1.1.2.0|6|";
const SYS_DESCR = "1.3.6.1.2.1.1.1.0|4|";

describe("serial sources, in the documented order", () => {
  it("takes the serial from HP JetDirect's sysDescr when no MIB object has it", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_DESCR}HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900012,CIDATE 07/13/2020,PID:HP LaserJet M402dn,SN:VNB3J99999,FN:1X2Y3Z`,
        `${SYS_OID}1.3.6.1.4.1.11.2.3.9.1`,
      ),
    );
    expect(id.serial).toBe("VNB3J99999");
    expect(id.serialSource).toBe("sysDescr");
    expect(id.model).toBe("LaserJet M402dn");
    expect(id.modelSource).toBe("sysDescr");
    expect(id.vendor).toBe("HP");
  });

  it("takes a Kyocera serial from the Kyocera MIB only, and names the UTAX brand", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_DESCR}UTAX P-4531i MFP`,
        `${SYS_OID}1.3.6.1.4.1.1347.41`,
        "1.3.6.1.2.1.43.5.1.1.17.1|4|",
        "1.3.6.1.4.1.1347.43.5.1.1.1.1|4|P-4531i MFP",
        "1.3.6.1.4.1.1347.43.5.1.1.28.1|4|W2D8303202",
      ),
    );
    expect(id).toMatchObject({
      vendor: "UTAX",
      enterprise: 1347,
      serial: "W2D8303202",
      serialSource: "kcprtSerialNumber",
      model: "P-4531i MFP",
      modelSource: "vendor",
    });
  });

  it("prefers prtGeneralSerialNumber over a vendor object", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_OID}1.3.6.1.4.1.367.1.1`,
        "1.3.6.1.2.1.43.5.1.1.17.1|4|STD0001",
        "1.3.6.1.4.1.367.3.2.1.2.1.4.0|4|M6394300657",
      ),
    );
    expect(id.serial).toBe("STD0001");
    expect(id.serialSource).toBe("prtGeneralSerialNumber");
  });

  it.each([
    [367, "1.3.6.1.4.1.367.3.2.1.2.1.4.0", "ricohSerialNumber"],
    [1602, "1.3.6.1.4.1.1602.1.2.1.8.1.3.1.1", "canServInfoSerialNumberDeviceNumber"],
    [641, "1.3.6.1.4.1.641.2.1.2.1.6.1", "lexmarkSerialNumber"],
    [1248, "1.3.6.1.4.1.1248.1.2.2.1.1.1.5.1", "epsonSerialNumber"],
    [2001, "1.3.6.1.4.1.2001.1.1.1.1.11.1.10.45.0", "okiSerialNumber"],
    [1129, "1.3.6.1.4.1.1129.1.2.1.1.1.1.1.0", "bcpProductNumber"],
    [10642, "1.3.6.1.4.1.10642.1.9.0", "zbrGeneralUniqueId"],
  ])("enterprise %i: serial only in its vendor MIB (%s)", (enterprise, oid, source) => {
    const id = decodeIdentity(rec(`${SYS_OID}1.3.6.1.4.1.${enterprise}.1`, `${oid}|4|SER${enterprise}X`));
    expect(id.serial).toBe(`SER${enterprise}X`);
    expect(id.serialSource).toBe(source);
  });

  it("every vendor identity object cites a public source", () => {
    for (const v of VENDOR_IDENTITY)
      for (const o of [...v.serial, ...v.model]) expect(o.source).toMatch(/^(glpi-project|librenms)\//);
  });

  it("strips an HP PML 2-byte symbol-set prefix and trailing NULs", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_OID}1.3.6.1.4.1.11.2.3.9.1`,
        "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0|4x|0115434e42314a3132333400000000",
      ),
    );
    expect(id.serial).toBe("CNB1J1234");
    expect(id.serialSource).toBe("hpSerialNumber");
    expect(normaliseSerial(Buffer.from("\0\0  ABC123 \0junk", "latin1"))).toBe("ABC123");
  });

  it("takes SN:/SERN: from an IEEE-1284 device id", () => {
    const a = decodeIdentity(
      rec(
        `${SYS_OID}1.3.6.1.4.1.2001.1`,
        "1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1|4|MFG:OKI DATA CORP;MDL:MC873;SERN:AK1234567;",
      ),
    );
    expect(a.serial).toBe("AK1234567");
    expect(a.serialSource).toBe("ieee1284DeviceId");
  });

  it("refuses placeholder serials", () => {
    const id = decodeIdentity(rec(`${SYS_OID}1.3.6.1.4.1.641.1`, "1.3.6.1.2.1.43.5.1.1.17.1|4|XXXXXXXXXX"));
    expect(id.serial).toBeNull();
    expect(id.serialSource).toBeNull();
  });
});

describe("model sources", () => {
  it("reads the model of an OKI print-server banner, not the banner", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_DESCR}OkiLAN 9450g Rev.A1.05 10/100BASE Ethernet PrintServer: Attached to MC873 Rev.A1.05 : (C)2016 OKI Data Corporation Copyright`,
        `${SYS_OID}1.3.6.1.4.1.2001.1.1.1`,
      ),
    );
    expect(id.vendor).toBe("OKI");
    expect(id.model).toBe("MC873");
    expect(id.modelSource).toBe("sysDescr");
  });

  it("reads a Ricoh model from sysDescr without the firmware and the product-line tail (LibreNMS tests/snmpsim/ricoh.snmprec)", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_DESCR}RICOH MP 3053 1.09 / RICOH Network Printer C model / RICOH Network Scanner C model / RICOH Network Facsimile C model`,
        `${SYS_OID}1.3.6.1.4.1.367.1.1`,
      ),
    );
    expect(id.model).toBe("MP 3053");
    const kyocera = decodeIdentity(
      rec(`${SYS_DESCR}KYOCERA Document Solutions Printing System`, `${SYS_OID}1.3.6.1.4.1.1347.41`),
    );
    expect(kyocera.model).toBeNull();
  });

  it("does not take a Konica PCL driver name in hrDeviceDescr for the model", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_DESCR}KONICA MINOLTA bizhub C308`,
        `${SYS_OID}1.3.6.1.4.1.18334.1.2.1.2.1.48.2.2`,
        "1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5",
        "1.3.6.1.2.1.25.3.2.1.3.1|4|Generic 28C-1",
      ),
    );
    expect(id.vendor).toBe("Konica Minolta");
    expect(id.model).toBe("bizhub C308");
    expect(id.modelSource).toBe("sysDescr");
  });

  it("prefers the Konica model object, decoding it when hex-encoded", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_OID}1.3.6.1.4.1.18334.1.2.1.2.1.48.2.2`,
        `1.3.6.1.4.1.18334.1.1.1.1.6.2.1.0|4|${Buffer.from("KONICA MINOLTA bizhub C308").toString("hex")}`,
      ),
    );
    expect(id.model).toBe("bizhub C308");
  });

  it("names Develop on the Konica Minolta enterprise", () => {
    const id = decodeIdentity(rec(`${SYS_DESCR}Develop ineo+ 308`, `${SYS_OID}1.3.6.1.4.1.18334.1.2`));
    expect(id.vendor).toBe("Develop");
    expect(id.enterprise).toBe(18334);
  });

  it("parses a Dell long-key device id and drops serial and firmware glued to the model", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_OID}1.3.6.1.4.1.674.10898.100.2.1.2.1.2.1`,
        "1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1|4|MANUFACTURER:Dell;COMMAND SET:PCL,PJL,PostScript;MODEL:Dell Color MFP S2825cdn SN:9XYZ123 FW 101.21.0;CLASS:PRINTER;",
      ),
    );
    expect(id.vendor).toBe("Dell");
    expect(id.model).toBe("Color MFP S2825cdn");
    expect(id.modelSource).toBe("ieee1284DeviceId");
    expect(id.deviceId?.commandSet).toEqual(["PCL", "PJL", "PostScript"]);
    expect(id.deviceId?.manufacturer).toBe("Dell");
  });

  it("reads MODEL: from HP's gdStatusId long-key id", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_OID}1.3.6.1.4.1.11.2.3.9.1`,
        "1.3.6.1.4.1.11.2.3.9.1.1.7.0|4|MFG:Hewlett-Packard;MODEL:HP LaserJet 4250;CLS:PRINTER;",
      ),
    );
    expect(id.model).toBe("LaserJet 4250");
  });

  it("cleans models: firmware, serial, copyright, vendor, Series", () => {
    expect(cleanModel("Samsung CLX-3170 Series", "Samsung")).toBe("CLX-3170");
    expect(cleanModel("Aficio MP C3003; V1.02", "Ricoh")).toBe("Aficio MP C3003");
    expect(cleanModel("TASKalfa 5052ci 2V5_2F00.002.002", "Kyocera")).toBe(
      "TASKalfa 5052ci 2V5_2F00.002.002",
    );
    expect(cleanModel("ZT410 V75.20.01Z", "Zebra")).toBe("ZT410");
  });

  it("cleans models: a page description language after the model is not the model", () => {
    expect(cleanModel("Canon iR-ADV C5535 PCL6", "Canon")).toBe("iR-ADV C5535");
    expect(cleanModel("KONICA MINOLTA bizhub C364e PS", "Konica Minolta")).toBe("bizhub C364e");
    expect(cleanModel("Canon LBP6230 UFR II LT", "Canon")).toBe("LBP6230");
    expect(cleanModel("PCL", null)).toBe("PCL");
  });

  it("takes the serial from the vendor device id when the PWG device id has no serial key", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_OID}1.3.6.1.4.1.11.2.3.9.1`,
        "1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1|4|MFG:HP;MDL:HP LaserJet Pro M404dn;CMD:PJL,PCL;",
        "1.3.6.1.4.1.11.2.3.9.1.1.7.0|4|MFG:Hewlett-Packard;MDL:HP LaserJet Pro M404dn;SN:PHBQB12345;",
      ),
    );
    expect(id).toMatchObject({
      model: "LaserJet Pro M404dn",
      serial: "PHBQB12345",
      serialSource: "ieee1284DeviceId",
    });
  });

  it("parses long and short IEEE-1284 keys alike", () => {
    const long = parseDeviceId("MANUFACTURER:OKI DATA CORP;COMMAND SET:PCL,PJL;MODEL:MC873;");
    const short = parseDeviceId("MFG:OKI DATA CORP;CMD:PCL,PJL;MDL:MC873;");
    expect(long.model).toBe(short.model);
    expect(long.manufacturer).toBe(short.manufacturer);
    expect(long.commandSet).toEqual(short.commandSet);
  });
});

describe("vendor names and reading plan", () => {
  it.each([
    [11, "HP"],
    [253, "Xerox"],
    [367, "Ricoh"],
    [1602, "Canon"],
    [1347, "Kyocera"],
    [18334, "Konica Minolta"],
    [2385, "Sharp"],
    [2435, "Brother"],
    [1248, "Epson"],
    [641, "Lexmark"],
    [674, "Dell"],
    [2001, "OKI"],
    [236, "Samsung"],
    [1129, "Toshiba"],
    [297, "Fujifilm"],
    [10642, "Zebra"],
  ])("enterprise %i is %s", (enterprise, vendor) => {
    expect(vendorOf(`1.3.6.1.4.1.${enterprise}.1.2`).vendor).toBe(vendor);
  });

  it("asks for the vendor's identity objects in one GET, only on that vendor's devices, and walks none of them", () => {
    const kyocera = vendorScalarsFor({ enterprise: 1347, model: null });
    expect(kyocera).toContain("1.3.6.1.4.1.1347.43.5.1.1.28.1");
    const lexmark = vendorScalarsFor({ enterprise: 641, model: null });
    expect(lexmark).not.toContain("1.3.6.1.4.1.1347.43.5.1.1.28.1");
    expect(lexmark).toContain("1.3.6.1.4.1.641.2.1.2.1.6.1");
    // Lexmark's meter tables are walked, its identity objects are not.
    expect(
      subtreesFor({ enterprise: 641, model: null }).some((s) =>
        "1.3.6.1.4.1.641.2.1.2.1.6.1".startsWith(`${s}.`),
      ),
    ).toBe(false);
    expect(subtreesFor({ enterprise: 1129, model: null }).some((s) => s.startsWith("1.3.6.1.4.1.1129"))).toBe(
      false,
    );
  });
});

describe("identity where the sysObjectID does not name the maker (issue 13)", () => {
  it("takes prtGeneralSerialNumber from the printer's hrDeviceIndex row, not only row 1", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_OID}1.3.6.1.4.1.11.2.3.9.1`,
        "1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.1",
        "1.3.6.1.2.1.25.3.2.1.2.3|6|1.3.6.1.2.1.25.3.1.5",
        "1.3.6.1.2.1.25.3.2.1.3.3|4|HP LaserJet 4250",
        "1.3.6.1.2.1.43.5.1.1.17.3|4|CNRXB12345",
      ),
    );
    expect(id).toMatchObject({
      printerIndex: 3,
      serial: "CNRXB12345",
      serialSource: "prtGeneralSerialNumber",
    });
    expect(prtGeneralSerialOids(new VarbindSet(rec("1.3.6.1.2.1.43.5.1.1.17.7|4|X")))).toEqual([
      "1.3.6.1.2.1.43.5.1.1.17.1",
      "1.3.6.1.2.1.43.5.1.1.17.7",
    ]);
  });

  it("reads a Zebra label printer behind ESI's print server (683): Zebra objects, long-key device id", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_DESCR}ZebraNet Wired PS`,
        `${SYS_OID}1.3.6.1.4.1.683.6.0`,
        "1.3.6.1.4.1.10642.1.1.0|4|ZTC 140Xi4-203dpi ZPL",
        "1.3.6.1.4.1.10642.1.2.0|4|V53.17.22Z",
        "1.3.6.1.4.1.10642.1.3.0|4|MANUFACTURER:Zebra Technologies;COMMAND SET:ZPL;",
        "1.3.6.1.4.1.10642.1.9.0|4|52J162100123",
      ),
    );
    expect(id).toMatchObject({
      vendor: "Zebra",
      // zbrGeneralModel "ZTC 140Xi4-203dpi ZPL": the ZPL command language is not the model.
      model: "ZTC 140Xi4-203dpi",
      modelSource: "vendor",
      serial: "52J162100123",
      serialSource: "zbrGeneralUniqueId",
      firmware: "V53.17.22Z",
    });
    expect(id.deviceId?.manufacturer).toBe("Zebra Technologies");
    expect(vendorScalarsFor({ enterprise: 683, model: null })).toContain("1.3.6.1.4.1.10642.1.9.0");
  });

  it("finds a vendor's serial and model objects on a device of an enterprise without a map, and asks for them", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_DESCR}Network Printer`,
        `${SYS_OID}1.3.6.1.4.1.99999.1`,
        "1.3.6.1.4.1.1347.43.5.1.1.1.1|4|ECOSYS P2040dn",
        "1.3.6.1.4.1.1347.43.5.1.1.28.1|4|VCF9Z00001",
      ),
    );
    expect(id).toMatchObject({
      enterprise: 99999,
      serial: "VCF9Z00001",
      serialSource: "kcprtSerialNumber",
      model: "ECOSYS P2040dn",
      modelSource: "vendor",
    });
    // Beside the first GET's objects (which hold the HP, Xerox and Brother serials).
    const asked = [...IDENTITY_OIDS, ...vendorScalarsFor({ enterprise: 99999, model: null })];
    for (const v of VENDOR_IDENTITY)
      for (const o of [...v.serial, ...v.model]) expect(asked).toContain(o.oid);
  });

  it("asks every vendor's objects only where they may be: unknown, Dell, no sysObjectID; not Sharp", () => {
    const kyoceraSerial = "1.3.6.1.4.1.1347.43.5.1.1.28.1";
    expect(vendorScalarsFor({ enterprise: 2385, model: null })).not.toContain(kyoceraSerial);
    expect(vendorScalarsFor({ enterprise: 674, model: null })).toContain(kyoceraSerial);
    expect(vendorScalarsFor({ enterprise: null, model: null })).toContain(kyoceraSerial);
    // HP office printers (29999) answer HP's own objects, and only those.
    const hpOffice = vendorScalarsFor({ enterprise: 29999, model: null });
    expect(hpOffice).toContain("1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.2.0");
    expect(hpOffice).not.toContain(kyoceraSerial);
  });

  it("names the vendor a device writes first when there is no sysObjectID (LibreNMS dell-laser recording)", () => {
    const id = decodeIdentity(
      rec(`${SYS_DESCR}Dell B3460dn Laser Printer version NH5.CY.N543 kernel 3.0.0 All-N-1`),
    );
    expect(id).toMatchObject({
      vendor: "Dell",
      enterprise: null,
      model: "B3460dn Laser Printer",
      firmware: "NH5.CY.N543",
    });
    expect(
      decodeIdentity(rec("1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1|4|MFG:FUJI XEROX;MDL:DocuPrint CP225 w;")),
    ).toMatchObject({ vendor: "Fujifilm", model: "DocuPrint CP225 w", modelSource: "ieee1284DeviceId" });
  });

  it("names an OEM brand that only the vendor model object carries, and drops it from the model", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_DESCR}KONICA MINOLTA bizhub C3110`,
        `${SYS_OID}1.3.6.1.4.1.18334.1.1.1.2.1.117.2.2`,
        "1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5",
        "1.3.6.1.2.1.25.3.2.1.3.1|4|Generic 28C-1",
        "1.3.6.1.4.1.18334.1.1.1.1.6.1.0|4|1.80",
        "1.3.6.1.4.1.18334.1.1.1.1.6.2.1.0|4|Develop ineo+ 280",
      ),
    );
    expect(id).toMatchObject({
      vendor: "Develop",
      model: "ineo+ 280",
      modelSource: "vendor",
      firmware: "1.80",
    });
  });

  it("reads Pantum serial and model objects (GLPI agent MibSupport/Pantum.pm)", () => {
    const id = decodeIdentity(
      rec(
        `${SYS_OID}1.3.6.1.4.1.40093.1.1`,
        "1.3.6.1.2.1.43.5.1.1.16.1|4|Pantum M6700DW Series",
        "1.3.6.1.4.1.40093.6.1.2|4|CB1A012345",
      ),
    );
    expect(id).toMatchObject({
      vendor: "Pantum",
      model: "M6700DW",
      serial: "CB1A012345",
      serialSource: "pantumSerialNumber",
    });
  });
});
