import { describe, expect, it } from "vitest";
import { escapeHtml, renderImpactHtml, renderTransactionChart } from "../../../src/impact/html.js";
import { toImpactJson } from "../../../src/impact/model.js";
import { formatImpactTable, judgeImpact } from "../../../src/impact/table.js";
import { sampleReport } from "./sample-report.js";

describe("impact table", () => {
  it("prints ours, the vendor's and the ratio for every row and device count", () => {
    const text = formatImpactTable(sampleReport());
    const lines = text.split("\n");
    const billing = lines.findIndex((l) => l.startsWith("Billing Transaction Response"));
    expect(lines[billing]).toMatch(/ours\s+1190\s+2000\s+10100\s+91100\s+90\.0\s+1100/);
    expect(lines[billing + 1]).toMatch(/vendor\s+3307\s+15133\s+133393\s+1315993\s+1314\.0\s+1993/);
    expect(lines[billing + 2]).toMatch(/ratio\s+0\.36\s+0\.13\s+0\.08\s+0\.07\s+0\.07\s+0\.55/);
    expect(text).toMatch(/Supplies usage for replenishment[^\n]*\n\s+vendor\s+n\/a/);
  });

  it("judges sizes above the vendor's and the slope ratio", () => {
    const report = sampleReport();
    const reg = report.transactions.find((t) => t.vendorRow === "Registration of devices")!;
    reg.points[0]!.requestBytes = 5000;
    const v = judgeImpact(report);
    expect(v.find((x) => x.vendorRow === "Registration of devices")!.overAt).toEqual([1]);
    expect(v.find((x) => x.vendorRow === "Billing Transaction Response")!.slopeRatio).toBeCloseTo(
      90 / 1314,
      3,
    );
    expect(v.find((x) => x.vendorRow === "Sync Request")!.slopeRatio).toBeNull();
  });

  it("prints JSON with transactions, options, snmp (null when not measured) and the site per device count", () => {
    const json = JSON.parse(JSON.stringify(toImpactJson(sampleReport())));
    expect(Object.keys(json)).toEqual(["transactions", "options", "snmp", "site"]);
    expect(json.snmp).toBeNull();
    expect(json.site.rows.map((r: { devices: number }) => r.devices)).toEqual(sampleReport().options.devices);
    expect(json.transactions[6]).toMatchObject({
      operation: "SubmitBillingReads",
      vendorRow: "Billing Transaction Response",
      fit: { perDevice: 90, fixed: 1100 },
      vendor: { perDevice: 1314, fixed: 1993 },
    });
    expect(json.transactions[7].vendor).toBeNull();
  });
});

describe("impact HTML", () => {
  it("draws the vendor line, our fitted line and one circle per measured point", () => {
    const t = sampleReport().transactions.find((x) => x.vendorRow === "Billing Transaction Response")!;
    const svg = renderTransactionChart(t);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/class="vendor-line"/g)).toHaveLength(1);
    expect(svg.match(/class="ours-line"/g)).toHaveLength(1);
    expect(svg.match(/class="ours-point"/g)).toHaveLength(4);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it("omits the vendor line where the FAQ published no figure", () => {
    const t = sampleReport().transactions.find((x) => x.operation === "SubmitSuppliesReport")!;
    const svg = renderTransactionChart(t);
    expect(svg).not.toContain("vendor-line");
    expect(svg).toContain("no figure published");
  });

  it("is self-contained: inline style and SVG, no external reference", () => {
    const html = renderImpactHtml(sampleReport());
    expect(html.match(/<svg/g)).toHaveLength(8);
    expect(html).toContain("<style>");
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
  });

  it("says SNMP was not measured instead of inventing a figure, and shows it when it was", () => {
    const html = renderImpactHtml(sampleReport());
    expect(html).toContain("not measured");
    const measured = renderImpactHtml({
      ...sampleReport(),
      snmp: { requestBytes: 300, responseBytes: 1700, datagrams: 8, device: "xerox-altalink-c8045" },
    });
    expect(measured).toContain("2000 B of UDP payload");
    // 100 devices × 12 polls × 2000 B = 2.40 MB per day.
    expect(measured).toMatch(/<tr><td>100<\/td><td>[^<]+<\/td><td>2\.40 MB<\/td>/);
  });

  it("escapes text taken from the report", () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe("&#60;a href=&#34;x&#34;&#62;&#38;&#39;");
  });
});
