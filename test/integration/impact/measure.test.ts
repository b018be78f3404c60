import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { AbortError, ConfigError } from "../../../src/errors.js";
import { measureImpact, resolveImpactOptions } from "../../../src/impact/measure.js";
import { comparedBytes } from "../../../src/impact/model.js";
import { measureSnmpPoll } from "../../../src/impact/snmp.js";
import { judgeImpact } from "../../../src/impact/table.js";
import { VENDOR_ROWS } from "../../../src/impact/vendor.js";

// Every measurement takes its ports from the OS (the defaults).
describe("measureImpact against the real reference server", () => {
  it("measures every vendor row for 1 and 3 devices, signed over HTTPS, within the vendor's sizes", async () => {
    const progress: string[] = [];
    const report = await measureImpact({
      devices: [3, 1],
      onProgress: (e) => progress.push(`${e.devices}:${e.operation}`),
    });
    expect(report.options).toMatchObject({
      devices: [1, 3],
      signed: true,
      algorithm: "ecdsa-sha256",
      keyReference: "thumbprint-sha256",
      gzip: true,
    });
    expect(report.transactions.map((t) => t.vendorRow)).toEqual(VENDOR_ROWS.map((r) => r.row));
    for (const t of report.transactions) {
      expect(t.points.map((p) => p.devices)).toEqual([1, 3]);
      for (const p of t.points) {
        // Bytes come from the client's accounting; the TLS socket always carries more.
        expect(p.requestBytes).toBeGreaterThan(200);
        expect(p.responseBytes).toBeGreaterThan(100);
        expect(p.tls!.requestBytes).toBeGreaterThan(p.requestBytes);
        expect(p.tls!.responseBytes).toBeGreaterThan(p.responseBytes);
      }
    }
    // The server's real policy: EnableService per device and service, then a BillingRequest per device.
    const enable = report.transactions.find((t) => t.vendorRow === "Sync Request Response")!;
    expect(enable.points.map((p) => p.directives?.EnableService)).toEqual([2, 6]);
    const billing = report.transactions.find((t) => t.vendorRow === "Billing Transaction Request")!;
    expect(billing.points.map((p) => p.directives?.BillingRequest)).toEqual([1, 3]);
    // More devices, more bytes, for every per-device message.
    const reads = report.transactions.find((t) => t.operation === "SubmitBillingReads")!;
    expect(comparedBytes(reads, reads.points[1]!)).toBeGreaterThan(comparedBytes(reads, reads.points[0]!));
    expect(judgeImpact(report).filter((v) => v.overAt.length > 0)).toEqual([]);
    expect(progress).toContain("1:RegisterProxy");
    expect(progress).toContain("3:Sync (daily)");
  });

  it("shows that gzip and the thumbprint make requests smaller", async () => {
    const small = await measureImpact({ devices: [3] });
    const big = await measureImpact({
      devices: [3],
      gzip: false,
      keyReference: "bst",
    });
    const bytes = (r: typeof small, row: string) => {
      const t = r.transactions.find((x) => x.vendorRow === row)!;
      return comparedBytes(t, t.points[0]!);
    };
    expect(bytes(small, "Billing Transaction Response")).toBeLessThan(
      bytes(big, "Billing Transaction Response") / 2,
    );
    expect(bytes(small, "Sync Request")).toBeLessThan(bytes(big, "Sync Request"));
  });

  it("refuses bad options before starting anything", async () => {
    expect(() => resolveImpactOptions({ devices: [0] })).toThrow(ConfigError);
    expect(() => resolveImpactOptions({ devices: [] })).toThrow(/at least one/);
    expect(() => resolveImpactOptions({ algorithm: "dsa-sha1" as never })).toThrow(/algorithm/);
    await expect(measureImpact({ host: "192.0.2.1" })).rejects.toThrow(/loopback/);
  });

  it("stops with AbortError when aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(measureImpact({ devices: [1], abortSignal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    );
  });
});

describe("measureSnmpPoll", () => {
  it("counts the UDP payload of one full poll of a simulated Xerox both ways, and of the steady poll after it", async () => {
    const snmp = await measureSnmpPoll();
    expect(snmp.device).toBe("xerox");
    expect(snmp.datagrams).toBeGreaterThanOrEqual(4);
    expect(snmp.datagrams % 2).toBe(0); // every request answered
    expect(snmp.responseBytes).toBeGreaterThan(snmp.requestBytes);
    // One GET and its answer, a quarter of the full reading at most.
    expect(snmp.steady?.datagrams).toBe(2);
    const steady = (snmp.steady?.requestBytes ?? 0) + (snmp.steady?.responseBytes ?? 0);
    expect(steady).toBeGreaterThan(0);
    expect(steady).toBeLessThanOrEqual(0.25 * (snmp.requestBytes + snmp.responseBytes));
  });
});

describe("esol impact", () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "impact", ...args], {
      cwd: process.cwd(),
      encoding: "utf8",
      timeout: 120_000,
    });

  it("prints one JSON object with transactions, options, the SNMP polls and the site per day", () => {
    const r = run("--devices", "1,2", "--json");
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0]!);
    expect(Object.keys(json)).toEqual(["transactions", "options", "snmp", "site"]);
    expect(json.snmp.device).toBe("xerox");
    expect(json.snmp.steadyPollBytes).toBeLessThanOrEqual(0.25 * json.snmp.fullReadingBytes);
    expect(json.snmp).toMatchObject({ pollsPerDay: 12, fullReadingsPerDay: 1 });
    expect(json.snmp.bytesPerDevicePerDay).toBe(json.snmp.fullReadingBytes + 11 * json.snmp.steadyPollBytes);
    expect(json.site.rows.map((row: { devices: number }) => row.devices)).toEqual([1, 2]);
    for (const row of json.site.rows as {
      devices: number;
      snmpPerDay: number;
      soapPerDay: number;
      perDay: number;
    }[]) {
      expect(row.snmpPerDay).toBe(row.devices * json.snmp.bytesPerDevicePerDay);
      expect(row.perDay).toBe(row.soapPerDay + row.snmpPerDay);
    }
    const billing = json.transactions.find(
      (t: { vendorRow: string }) => t.vendorRow === "Billing Transaction Response",
    );
    expect(billing).toMatchObject({
      operation: "SubmitBillingReads",
      vendor: { perDevice: 1314, fixed: 1993 },
    });
    expect(billing.points.map((p: { devices: number }) => p.devices)).toEqual([1, 2]);
    expect(typeof billing.fit.perDevice).toBe("number");
    expect(json.options).toMatchObject({ devices: [1, 2], signed: true, gzip: true });
  });

  it("fails with one error line for a bad argument", () => {
    const r = run("--devices", "1,x");
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe('error ARG_INVALID: --devices: "x" is not a whole number');
  });
});
