import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAgentConfig } from "../../../src/agent/config.js";
import { macIdentity, toPolledReading } from "../../../src/agent/readings.js";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import { decodeReading } from "../../../src/snmp/mib/reading.js";

const noSerial = decodeReading(
  parseSnmprec(readFileSync("test/fixtures/snmp/identity/no-serial.snmprec", "utf8")),
  { target: "127.0.0.1:161", readAt: new Date("2026-11-30T10:00:00Z") },
);

describe("a device that reports no serial", () => {
  it("is a reading with an SNMP_NO_SERIAL problem, the rest of it intact", () => {
    expect(noSerial.identity.serial).toBeNull();
    expect(noSerial.problems.map((p) => p.code)).toEqual(["SNMP_NO_SERIAL"]);
    expect(noSerial.supplies.length).toBeGreaterThan(0);
  });

  it("is not billable by default", () => {
    expect(toPolledReading(noSerial, 0)).toBeUndefined();
    expect(toPolledReading(noSerial, 0, "none")).toBeUndefined();
  });

  it("is identified by its MAC only when the config says so, and marked as such", () => {
    expect(toPolledReading(noSerial, 5, "mac")).toMatchObject({
      serial: "MAC-3C2AF4BFF51B",
      identitySource: "mac",
      mac: "3c:2a:f4:bf:f5:1b",
      readAtMs: 5,
    });
  });

  it("builds the MAC identity from any separator style, and refuses none, short or all-zero MACs", () => {
    expect(macIdentity("3c:2a:f4:bf:f5:1b")).toBe("MAC-3C2AF4BFF51B");
    expect(macIdentity("3C-2A-F4-BF-F5-1B")).toBe("MAC-3C2AF4BFF51B");
    expect(macIdentity("00:00:00:00:00:00")).toBeUndefined();
    expect(macIdentity("3c:2a:f4")).toBeUndefined();
    expect(macIdentity(null)).toBeUndefined();
  });

  it("keeps a device's own serial even with the MAC fallback on", () => {
    const withSerial = { ...noSerial, identity: { ...noSerial.identity, serial: "E12345" } };
    const polled = toPolledReading(withSerial, 0, "mac");
    expect(polled?.serial).toBe("E12345");
    expect(polled?.identitySource).toBeUndefined();
  });
});

describe("devices.fallbackIdentity in the agent config", () => {
  const base = {
    proxy: { id: "p1" },
    server: { url: "http://127.0.0.1:1/esolutions/v1" },
    devices: { targets: ["127.0.0.1"] },
    outbox: { path: "out.db" },
  };
  it('defaults to "none", accepts "mac", refuses anything else naming the field', () => {
    expect(parseAgentConfig(base).devices.fallbackIdentity).toBe("none");
    expect(
      parseAgentConfig({ ...base, devices: { ...base.devices, fallbackIdentity: "mac" } }).devices
        .fallbackIdentity,
    ).toBe("mac");
    expect(() => parseAgentConfig({ ...base, devices: { ...base.devices, fallbackIdentity: "ip" } })).toThrow(
      /devices\.fallbackIdentity: "ip" is not "none" or "mac"/,
    );
  });
});
