import { describe, expect, it } from "vitest";
import { deliveryBatchLimit } from "../../../src/agent/delivery.js";
import { OCCURS } from "../../../src/soap/contract-limits.js";

describe("deliveryBatchLimit", () => {
  it("sends batchSize records per call, at most the contract's maxOccurs per message", () => {
    expect(deliveryBatchLimit("billing-read", 500)).toBe(500);
    expect(deliveryBatchLimit("billing-read", 50_000)).toBe(OCCURS["SubmitBillingReads.Read"].maxOccurs);
    expect(deliveryBatchLimit("supplies-report", 50_000)).toBe(
      OCCURS["SubmitSuppliesReport.Report"].maxOccurs,
    );
    expect(OCCURS["SubmitBillingReads.Read"].maxOccurs).toBe(5000);
  });

  it("sends one entry per call for kinds whose entry is already a batch", () => {
    expect(deliveryBatchLimit("register-devices", 500)).toBe(1);
    expect(deliveryBatchLimit("sync-status", 500)).toBe(1);
  });
});
