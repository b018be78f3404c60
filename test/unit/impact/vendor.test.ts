import { describe, expect, it } from "vitest";
import { HALF_SLOPE_ROWS, VENDOR_ROWS, vendorBytes } from "../../../src/impact/vendor.js";

describe("vendor table", () => {
  it("has the FAQ's rows in order with the names outside tools read", () => {
    expect(VENDOR_ROWS.map((r) => r.row)).toEqual([
      "Registration of the client (proxy)",
      "Registration of devices",
      "Sync Request",
      "Sync Request Response",
      "Sync Status",
      "Billing Transaction Request",
      "Billing Transaction Response",
      "Supplies usage for replenishment",
    ]);
  });

  it("compares the Sync request for the daily row and the Sync response for both directive rows", () => {
    const sync = VENDOR_ROWS.filter((r) => r.operation === "Sync").map((r) => [r.row, r.message, r.scenario]);
    expect(sync).toEqual([
      ["Sync Request", "request", "daily"],
      ["Sync Request Response", "response", "EnableService"],
      ["Billing Transaction Request", "response", "BillingRequest"],
    ]);
  });

  it("evaluates the vendor's formulas (billing reads 1314x + 1993, supplies unpublished)", () => {
    const billing = VENDOR_ROWS.find((r) => r.row === "Billing Transaction Response")!;
    expect(vendorBytes(billing.vendor!, 100)).toBe(133_393);
    expect(VENDOR_ROWS.find((r) => r.operation === "SubmitSuppliesReport")!.vendor).toBeNull();
    expect(vendorBytes(VENDOR_ROWS[0]!.vendor!, 1000)).toBe(1526);
  });

  it("names only rows that exist as half-slope targets", () => {
    for (const name of HALF_SLOPE_ROWS)
      expect(VENDOR_ROWS.some((r) => r.row === name && r.vendor!.perDevice > 0)).toBe(true);
  });
});
