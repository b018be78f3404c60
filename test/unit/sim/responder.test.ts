import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MibView } from "../../../src/sim/mib-view.js";
import { answerQuery, ErrorStatus, walkFaultPosition } from "../../../src/sim/responder.js";
import type { Varbind } from "../../../src/snmp/varbind.js";

const int = (oid: string, value: number): Varbind => ({ oid, type: "Integer", value });

const view = new MibView([
  int("1.3.6.1.2.1.43.11.1.1.9.1.2", 20),
  { oid: "1.3.6.1.2.1.1.1.0", type: "OctetString", value: Buffer.from("printer") },
  int("1.3.6.1.2.1.43.11.1.1.9.1.1", 10),
  int("1.3.6.1.2.1.43.11.1.1.9.1.10", 100),
  { oid: "1.3.6.1.2.1.43.10.2.1.4.1.1", type: "Counter32", value: 5 },
  { oid: "1.3.6.1.4.1.99.1.0", type: "Counter64", value: 2n ** 40n },
  int("1.3.6.1.4.1.99.2.0", 7),
]);

describe("MibView", () => {
  it("sorts OIDs numerically, not as text (…9.1.10 after …9.1.2)", () => {
    expect(view.varbinds.map((v) => v.oid)).toEqual([
      "1.3.6.1.2.1.1.1.0",
      "1.3.6.1.2.1.43.10.2.1.4.1.1",
      "1.3.6.1.2.1.43.11.1.1.9.1.1",
      "1.3.6.1.2.1.43.11.1.1.9.1.2",
      "1.3.6.1.2.1.43.11.1.1.9.1.10",
      "1.3.6.1.4.1.99.1.0",
      "1.3.6.1.4.1.99.2.0",
    ]);
  });

  it("refuses a duplicated OID and a malformed one", () => {
    expect(() => new MibView([int("1.3.6.1", 1), int("1.3.6.1", 2)])).toThrow(/appears twice/);
    expect(() => new MibView([int("1.3.x.1", 1)])).toThrow(expect.objectContaining({ code: "INVALID_OID" }));
  });
});

describe("GET", () => {
  it("answers present OIDs and tells a missing instance from a missing object (v2c)", () => {
    const a = answerQuery(view, {
      kind: "get",
      version: "v2c",
      oids: [
        "1.3.6.1.2.1.43.11.1.1.9.1.1",
        "1.3.6.1.2.1.43.11.1.1.9.1.7",
        "1.3.6.1.2.1.1.9.0",
        "1.3.6.1.2.1.43",
      ],
    });
    expect(a?.errorStatus).toBe(0);
    expect(a?.varbinds.map((v) => v.type)).toEqual([
      "Integer",
      "NoSuchInstance",
      "NoSuchObject",
      "NoSuchObject",
    ]);
  });

  it("answers SNMPv1 with noSuchName and the 1-based index of the first missing OID", () => {
    const a = answerQuery(view, {
      kind: "get",
      version: "v1",
      oids: ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0"],
    });
    expect(a).toMatchObject({ errorStatus: ErrorStatus.noSuchName, errorIndex: 2 });
    expect(a?.varbinds.map((v) => v.oid)).toEqual(["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0"]);
  });
});

describe("GETNEXT", () => {
  it("returns the next OID in order and endOfMibView past the last one", () => {
    const a = answerQuery(view, {
      kind: "getNext",
      version: "v2c",
      oids: ["1.3.6.1.2.1.43.11", "1.3.6.1.4.1.99.2.0"],
    });
    expect(a?.varbinds[0]).toMatchObject({ oid: "1.3.6.1.2.1.43.11.1.1.9.1.1", value: 10 });
    expect(a?.varbinds[1]).toMatchObject({ oid: "1.3.6.1.4.1.99.2.0", type: "EndOfMibView" });
  });

  it("skips Counter64 for SNMPv1 and answers noSuchName at the end of the MIB", () => {
    const skip = answerQuery(view, {
      kind: "getNext",
      version: "v1",
      oids: ["1.3.6.1.2.1.43.11.1.1.9.1.10"],
    });
    expect(skip?.varbinds[0]?.oid).toBe("1.3.6.1.4.1.99.2.0");
    const end = answerQuery(view, { kind: "getNext", version: "v1", oids: ["1.3.6.1.4.1.99.2.0"] });
    expect(end).toMatchObject({ errorStatus: ErrorStatus.noSuchName, errorIndex: 1 });
  });
});

describe("GETBULK", () => {
  it("answers non-repeaters once, then repeats the rest max-repetitions times", () => {
    const a = answerQuery(view, {
      kind: "getBulk",
      version: "v2c",
      oids: ["1.3.6.1.2.1.1", "1.3.6.1.2.1.43.11", "1.3.6.1.4.1.99.1.0"],
      nonRepeaters: 1,
      maxRepetitions: 2,
    });
    expect(a?.varbinds.map((v) => v.oid)).toEqual([
      "1.3.6.1.2.1.1.1.0",
      "1.3.6.1.2.1.43.11.1.1.9.1.1",
      "1.3.6.1.4.1.99.2.0",
      "1.3.6.1.2.1.43.11.1.1.9.1.2",
      "1.3.6.1.4.1.99.2.0",
    ]);
    expect(a?.varbinds[4]?.type).toBe("EndOfMibView");
  });

  it("stops after a repetition in which every repeater hit endOfMibView", () => {
    const a = answerQuery(view, {
      kind: "getBulk",
      version: "v2c",
      oids: ["1.3.6.1.4.1.99.1.0"],
      nonRepeaters: 0,
      maxRepetitions: 50,
    });
    expect(a?.varbinds.map((v) => v.type)).toEqual(["Integer", "EndOfMibView"]);
  });

  it("is not answered over SNMPv1", () => {
    expect(
      answerQuery(view, { kind: "getBulk", version: "v1", oids: ["1.3"], maxRepetitions: 5 }),
    ).toBeNull();
  });

  it("drops whole repetitions to stay under the response size budget", () => {
    const big = new MibView(
      Array.from(
        { length: 200 },
        (_, i): Varbind => ({
          oid: `1.3.6.1.4.1.7.${i + 1}`,
          type: "OctetString",
          value: Buffer.alloc(100, 65),
        }),
      ),
    );
    const a = answerQuery(
      big,
      { kind: "getBulk", version: "v2c", oids: ["1.3"], nonRepeaters: 0, maxRepetitions: 200 },
      { maxResponseBytes: 2000 },
    );
    expect(a?.varbinds.length).toBeGreaterThan(0);
    expect(a?.varbinds.length).toBeLessThan(20);
  });
});

/** Walks `v` with GETNEXT or GETBULK like a manager does, bounded. */
function walk(v: MibView, bulk: number | undefined, fault?: "backwards" | "loop" | "truncate"): string[] {
  const seen: string[] = [];
  let cursor = "1.3";
  for (let guard = 0; guard < 1000; guard++) {
    const a = answerQuery(
      v,
      bulk === undefined
        ? { kind: "getNext", version: "v2c", oids: [cursor] }
        : { kind: "getBulk", version: "v2c", oids: [cursor], nonRepeaters: 0, maxRepetitions: bulk },
      fault ? { walkFault: fault } : {},
    );
    for (const vb of a?.varbinds ?? []) {
      if (vb.type === "EndOfMibView") return seen;
      seen.push(vb.oid);
      if (seen.length > 2 * v.size) return seen;
      cursor = vb.oid;
    }
  }
  return seen;
}

describe("walks", () => {
  it("GETNEXT and GETBULK walks visit every OID once, in order (property)", () => {
    const oidArb = fc
      .array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 5 })
      .map((a) => `1.3.${a.join(".")}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(oidArb, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        (oids, reps) => {
          const v = new MibView(oids.map((oid, i) => int(oid, i)));
          const expected = v.varbinds.map((vb) => vb.oid);
          expect(walk(v, undefined)).toEqual(expected);
          expect(walk(v, reps)).toEqual(expected);
        },
      ),
    );
  });

  const printer = new MibView(
    Array.from({ length: 20 }, (_, i) => int(`1.3.6.1.2.1.43.11.1.1.9.1.${i + 1}`, i)),
  );
  const at = walkFaultPosition(printer);

  it("'backwards' answers a GETNEXT with an OID lower than the one asked for", () => {
    const asked = printer.at(at - 1)?.oid as string;
    const a = answerQuery(
      printer,
      { kind: "getNext", version: "v2c", oids: [asked] },
      { walkFault: "backwards" },
    );
    expect(a?.varbinds[0]?.oid).toBe(printer.at(at - 2)?.oid);
  });

  it("'loop' answers a GETNEXT with the OID asked for, so a naive walk never ends", () => {
    const asked = printer.at(at - 1)?.oid as string;
    const a = answerQuery(printer, { kind: "getNext", version: "v2c", oids: [asked] }, { walkFault: "loop" });
    expect(a?.varbinds[0]?.oid).toBe(asked);
    expect(walk(printer, undefined, "loop").length).toBeGreaterThan(printer.size);
  });

  it("'truncate' ends the walk half-way through the printer tables", () => {
    expect(walk(printer, 5, "truncate")).toEqual(printer.varbinds.slice(0, at).map((v) => v.oid));
  });
});
