import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counter64Bytes } from "../../../src/sim/agent.js";
import { type PrinterFleet, startFleet } from "../../../src/sim/index.js";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import type { Varbind } from "../../../src/snmp/varbind.js";
import { closeAll, get, type Session, snmp, subtree, v2Session } from "./snmp-client.js";

const FILE = "test/fixtures/sim/all-types.snmprec";
let fleet: PrinterFleet;
const sessions: Session[] = [];

beforeAll(async () => {
  fleet = await startFleet({ recordings: [FILE] }, { clock: { rate: 0 } });
});
afterAll(async () => {
  closeAll(sessions);
  await fleet?.close();
});

/** What net-snmp's manager decodes for a varbind we served. */
function decoded(vb: Varbind): { type: number; value: unknown } {
  switch (vb.type) {
    case "Counter64":
      return { type: snmp.ObjectType.Counter64, value: counter64Bytes(vb.value).toString("hex") };
    case "OctetString":
    case "Opaque":
      return { type: snmp.ObjectType[vb.type], value: vb.value.toString("hex") };
    case "ObjectIdentifier":
      return { type: snmp.ObjectType.OID, value: vb.value };
    case "Counter32":
      return { type: snmp.ObjectType.Counter, value: vb.value };
    case "Gauge32":
      return { type: snmp.ObjectType.Gauge, value: vb.value };
    default:
      return { type: snmp.ObjectType[vb.type], value: vb.value };
  }
}

describe("every snmprec type on the wire", () => {
  it("round-trips each recorded type and value through a real SNMP manager", async () => {
    const expected = parseSnmprec(readFileSync(FILE, "utf8"));
    const s = v2Session(fleet.firstPort, "all-types");
    sessions.push(s);
    const walked = await subtree(s, "1.3.6.1", 5);
    expect(walked.map((vb) => vb.oid)).toEqual(expected.map((vb) => vb.oid));
    const got = walked.map((vb) => ({
      type: vb.type,
      value: Buffer.isBuffer(vb.value) ? vb.value.toString("hex") : vb.value,
    }));
    expect(got).toEqual(expected.map(decoded));
  });

  it("serves the largest Counter64 and the unsigned extremes by GET", async () => {
    const s = v2Session(fleet.firstPort);
    sessions.push(s);
    const [c64, c32, gauge] = await get(s, [
      "1.3.6.1.4.1.99999.1.12.0",
      "1.3.6.1.4.1.99999.1.8.0",
      "1.3.6.1.4.1.99999.1.9.0",
    ]);
    expect(Buffer.from(c64?.value as Buffer).readBigUInt64BE(1)).toBe(18446744073709551615n);
    expect(c32?.value).toBe(4294967295);
    expect(gauge?.value).toBe(4000000000);
  });
});

describe("counter64Bytes", () => {
  it("encodes minimal big-endian bytes with a zero pad when the top bit is set", () => {
    expect(counter64Bytes(0n).toString("hex")).toBe("00");
    expect(counter64Bytes(127n).toString("hex")).toBe("7f");
    expect(counter64Bytes(128n).toString("hex")).toBe("0080");
    expect(counter64Bytes(2n ** 64n - 1n).toString("hex")).toBe("00ffffffffffffffff");
  });
});
