import { describe, expect, it } from "vitest";
import { parseFaultSpec } from "../../../src/sim/faults.js";

describe("parseFaultSpec", () => {
  it("parses single devices, ranges, wildcards and arguments, merging faults of one device", () => {
    const f = parseFaultSpec("2:timeout,5:slow=800,7:loop,3-4:wrap,*:reboot=3600,5:community=secret", 8);
    expect(f.get(2)).toEqual({ timeout: true, rebootEveryMs: 3_600_000 });
    expect(f.get(5)).toEqual({ slowMs: 800, rebootEveryMs: 3_600_000, community: "secret" });
    expect(f.get(7)).toMatchObject({ walk: "loop" });
    expect(f.get(3)).toMatchObject({ counterWrap: true });
    expect(f.get(4)).toMatchObject({ counterWrap: true });
    expect(f.get(0)).toEqual({ rebootEveryMs: 3_600_000 });
  });

  it("applies defaults for faults given without a value", () => {
    const f = parseFaultSpec("0:slow,1:serial,2:community,3:nobulk,4:badber,5:truncate,6:backwards", 7);
    expect(f.get(0)).toEqual({ slowMs: 1000 });
    expect(f.get(1)).toEqual({ serialChangeAfterMs: 86_400_000 });
    expect(f.get(2)).toEqual({ community: "wrong" });
    expect(f.get(3)).toEqual({ noBulk: true });
    expect(f.get(4)).toEqual({ badBer: true });
    expect(f.get(5)).toEqual({ walk: "truncate" });
    expect(f.get(6)).toEqual({ walk: "backwards" });
  });

  it.each([
    ["2:explode", /unknown fault "explode"/],
    ["2", /is not DEVICES:FAULT/],
    ["12:timeout", /device 12 is outside the fleet \(0\.\.9\)/],
    ["2:slow=fast", /"fast" is not a positive number/],
    ["2:timeout=3", /timeout takes no value/],
    ["5-3:wrap", /range 5-3 is reversed/],
  ])("refuses %s with SIM_FAULT_SPEC naming the item", (spec, message) => {
    expect(() => parseFaultSpec(spec, 10)).toThrow(message);
    expect(() => parseFaultSpec(spec, 10)).toThrow(expect.objectContaining({ code: "SIM_FAULT_SPEC" }));
  });
});
