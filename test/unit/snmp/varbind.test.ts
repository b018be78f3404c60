import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareOids, isUnder } from "../../../src/snmp/varbind.js";

// The straightforward definition compareOids must agree with (numeric, arc by arc).
function reference(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++)
    if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return pa.length - pb.length;
}

describe("compareOids", () => {
  const oid = fc
    .array(fc.integer({ min: 0, max: 4294967295 }), { minLength: 1, maxLength: 14 })
    .map((a) => a.join("."));
  const arcs = fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 0, maxLength: 6 });

  it("orders OIDs numerically arc by arc, as the reference does", () => {
    fc.assert(fc.property(oid, oid, (a, b) => Math.sign(compareOids(a, b)) === Math.sign(reference(a, b))));
    fc.assert(
      fc.property(arcs, arcs, arcs, (p, x, y) => {
        const a = ["1", ...p, ...x].join(".");
        const b = ["1", ...p, ...y].join(".");
        return Math.sign(compareOids(a, b)) === Math.sign(reference(a, b));
      }),
    );
  });

  it("puts a prefix before its subtree and 2 before 10", () => {
    expect(compareOids("1.3.6", "1.3.6.1")).toBeLessThan(0);
    expect(compareOids("1.3.6.1", "1.3.6")).toBeGreaterThan(0);
    expect(compareOids("1.3.6.1.2", "1.3.6.1.10")).toBeLessThan(0);
    expect(compareOids("1.3.6.1", "1.3.6.1")).toBe(0);
  });

  it("isUnder needs a dot after the prefix", () => {
    expect(isUnder("1.3.6.1.2.1.43.11", "1.3.6.1.2.1.43")).toBe(true);
    expect(isUnder("1.3.6.1.2.1.430", "1.3.6.1.2.1.43")).toBe(false);
    expect(isUnder("1.3.6.1.2.1.43", "1.3.6.1.2.1.43")).toBe(false);
  });
});
