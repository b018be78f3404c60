import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/errors.js";
import { fitLinear } from "../../../src/impact/fit.js";

describe("fitLinear", () => {
  it("recovers an exact line through the vendor's device counts", () => {
    const samples = [1, 10, 100, 1000].map((x) => ({ devices: x, bytes: 1314 * x + 1993 }));
    expect(fitLinear(samples)).toEqual({ perDevice: 1314, fixed: 1993 });
  });

  it("minimises squared error when the points are not on a line", () => {
    // y = 2x + 1 with +1/-1 noise: least squares lands back on the line.
    const fit = fitLinear([
      { devices: 0, bytes: 2 },
      { devices: 1, bytes: 2 },
      { devices: 2, bytes: 6 },
      { devices: 3, bytes: 6 },
    ]);
    expect(fit.perDevice).toBeCloseTo(1.6, 5);
    expect(fit.fixed).toBeCloseTo(1.6, 5);
  });

  it("reports no slope when every sample has the same device count", () => {
    expect(
      fitLinear([
        { devices: 5, bytes: 100 },
        { devices: 5, bytes: 200 },
      ]),
    ).toEqual({ perDevice: 0, fixed: 150 });
  });

  it("refuses no samples and non-finite values with INVALID_SAMPLES", () => {
    expect(() => fitLinear([])).toThrow(ValidationError);
    expect(() => fitLinear([{ devices: 1, bytes: Number.NaN }])).toThrow(/not finite/);
  });
});
