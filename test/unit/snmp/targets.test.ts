import { describe, expect, it } from "vitest";
import {
  type CredentialProfile,
  checkCredentials,
  checkProfiles,
  countTargets,
  credentialsFor,
  expandTargets,
  formatTarget,
  PrinterReader,
  parseTarget,
} from "../../../src/snmp/index.js";

const list = (specs: string[], opts = {}) => [...expandTargets(specs, opts)].map(formatTarget);

describe("target expansion", () => {
  it("expands hosts, host:port, port ranges and CIDR blocks without network/broadcast", () => {
    expect(list(["127.0.0.1", "127.0.0.1:20001-20003", "10.0.0.0/30", "printer.example:1161"])).toEqual([
      "127.0.0.1:161",
      "127.0.0.1:20001",
      "127.0.0.1:20002",
      "127.0.0.1:20003",
      "10.0.0.1:161",
      "10.0.0.2:161",
      "printer.example:1161",
    ]);
  });

  it("keeps /31 and /32 whole and brackets IPv6", () => {
    expect(list(["10.0.0.4/31", "10.0.0.9/32"])).toEqual(["10.0.0.4:161", "10.0.0.5:161", "10.0.0.9:161"]);
    expect(list(["[::1]:20010"])).toEqual(["[::1]:20010"]);
  });

  it("refuses lists that expand past the bound, naming the spec", () => {
    expect(() => countTargets(["10.0.0.0/8"])).toThrow(/more than 65536 addresses \(at "10.0.0.0\/8"\)/);
    expect(() => countTargets(["127.0.0.1:1-100"], { maxTargets: 50 })).toThrow(/ARG_TOO_MANY|more than 50/);
  });

  it("refuses malformed specs with a clear reason", () => {
    expect(() => countTargets(["127.0.0.1:0"])).toThrow(/not a UDP port/);
    expect(() => countTargets(["127.0.0.1:20-10"])).toThrow(/backwards/);
    expect(() => countTargets(["300.1.1.1/24"])).toThrow(/CIDR/);
    expect(() => countTargets(["bad host!"])).toThrow(/not a host/);
    expect(() => parseTarget("127.0.0.1:1-2")).toThrow(/several targets/);
  });

  it("expands lazily (a 65,536-address block yields its first target at once)", () => {
    const it = expandTargets(["10.1.0.0/16"]);
    expect(formatTarget(it.next().value!)).toBe("10.1.0.1:161");
  });
});

describe("credential profiles", () => {
  const v3 = { version: "v3" as const, user: "fleet", authKey: "authpass1", privKey: "privpass1" };
  const profiles: CredentialProfile[] = [
    { ranges: ["10.1.0.0/16"], credentials: [v3] },
    {
      credentials: [
        { version: "v2c", community: "public" },
        { version: "v2c", community: "private" },
      ],
    },
  ];

  it("tries the ranged profile first, then the open ones, in order", () => {
    expect(credentialsFor("10.1.2.3", profiles)).toEqual([
      v3,
      { version: "v2c", community: "public" },
      { version: "v2c", community: "private" },
    ]);
  });

  it("never offers v3 secrets outside their ranges", () => {
    expect(credentialsFor("10.2.0.1", profiles).some((c) => c.version === "v3")).toBe(false);
    expect(credentialsFor("printer.example", profiles).some((c) => c.version === "v3")).toBe(false);
    const reader = new PrinterReader({ profiles });
    expect(reader.credentialsFor("192.168.1.1").map((c) => c.version)).toEqual(["v2c", "v2c"]);
  });

  it("refuses a profile that would send v3 secrets everywhere", () => {
    expect(() => checkProfiles([{ credentials: [v3] }])).toThrow(/no ranges/);
    expect(() => new PrinterReader({ profiles: [{ credentials: [v3] }] })).toThrow(/no ranges/);
    // Even unchecked, an open profile's v3 credential is filtered out.
    expect(credentialsFor("10.1.0.1", [{ credentials: [v3] }])).toEqual([]);
  });
});

describe("credential checks", () => {
  it("refuses MD5 and DES unless insecure protocols are allowed", () => {
    const md5 = { version: "v3" as const, user: "u", authProtocol: "md5" as const, authKey: "12345678" };
    const des = { ...md5, authProtocol: "sha" as const, privProtocol: "des" as const, privKey: "12345678" };
    expect(() => checkCredentials(md5)).toThrow(/MD5/);
    expect(() => checkCredentials(des)).toThrow(/DES/);
    expect(() => checkCredentials(md5, true)).not.toThrow();
    expect(() => checkCredentials(des, true)).not.toThrow();
  });

  it("refuses privacy without authentication and short pass phrases", () => {
    expect(() => checkCredentials({ version: "v3", user: "u", privKey: "12345678" })).toThrow(/authKey/);
    expect(() => checkCredentials({ version: "v3", user: "u", authKey: "short" })).toThrow(/8 characters/);
  });
});
