import { describe, expect, it } from "vitest";
import { resolveImpactOptions } from "../../../src/impact/measure.js";
import { formatSavingsTable, savingsVariants } from "../../../src/impact/savings.js";
import { sampleReport } from "./sample-report.js";

describe("savings variants", () => {
  it("undoes each size choice of the defaults one at a time, then all together", () => {
    const variants = savingsVariants(resolveImpactOptions());
    expect(variants.map((v) => [v.name, v.changed])).toEqual([
      ["gzip off", { gzip: false }],
      ["BST always", { keyReference: "bst" }],
      ["RSA-2048", { algorithm: "rsa-sha256" }],
      ["unsigned", { signed: false }],
      ["none of them", { gzip: false, keyReference: "bst", algorithm: "rsa-sha256" }],
    ]);
  });

  it("has nothing to undo for a plain unsigned run", () => {
    const plain = resolveImpactOptions({
      gzip: false,
      signed: false,
      keyReference: "bst",
      algorithm: "rsa-sha256",
    });
    expect(savingsVariants(plain)).toEqual([]);
  });

  it("prints bytes at the largest device count with the change against the baseline", () => {
    const base = sampleReport([1, 100]);
    const bigger = sampleReport([1, 100]);
    for (const t of bigger.transactions) for (const p of t.points) p.requestBytes *= 2;
    const text = formatSavingsTable({
      variants: [
        { name: "baseline", changed: {}, report: base },
        { name: "gzip off", changed: { gzip: false }, report: bigger },
      ],
    });
    const line = text.split("\n").find((l) => l.startsWith("Billing Transaction Response"))!;
    // 90·100 + 1100 = 10100 bytes, doubled without gzip.
    expect(line).toMatch(/10100\s+20200 \(\+100%\)$/);
    expect(text.split("\n")[0]).toContain("x = 100");
  });
});
