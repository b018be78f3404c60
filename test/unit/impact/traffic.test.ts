import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/errors.js";
import {
  DEFAULT_SCHEDULE,
  exchangeBytes,
  formatBytes,
  siteTraffic,
  snmpPerDevicePerDay,
} from "../../../src/impact/traffic.js";
import { sampleReport } from "./sample-report.js";

describe("site traffic", () => {
  it("adds the daily sync, daily supplies and the billing cycle spread over the year", () => {
    const t = siteTraffic(sampleReport(), 10);
    const dailySync = 1000 + 550;
    const supplies = 150 * 10 + 1100 + 500;
    // The billing sync replaces one daily sync; then the reads are sent.
    const billing = 1000 + (60 * 10 + 570) - dailySync + (90 * 10 + 1100 + 500);
    expect(t.soapPerDay).toBe(Math.round(dailySync + supplies + (billing * 12) / 365));
    expect(t.snmpPerDay).toBeNull();
    expect(t.perDay).toBe(t.soapPerDay);
    expect(t.perYear).toBe(Math.round((dailySync + supplies + (billing * 12) / 365) * 365));
    expect(t.oneTime).toBe(1800 + (40 * 10 + 1600) + (1000 + 30 * 10 + 560) + (12 * 10 + 1550));
  });

  it("counts twelve 2-hourly SNMP polls per device per day when the poll was measured", () => {
    const report = {
      ...sampleReport(),
      snmp: { requestBytes: 300, responseBytes: 1700, datagrams: 8, device: "sim" },
    };
    const t = siteTraffic(report, 100, DEFAULT_SCHEDULE);
    expect(t.snmpPerDay).toBe(12 * 100 * 2000);
    expect(t.perDay).toBe(t.soapPerDay + 12 * 100 * 2000);
    // soapPerDay is rounded, so allow its rounding times 30 days.
    expect(Math.abs(t.perMonth - (t.soapPerDay + 2_400_000) * (365 / 12))).toBeLessThan(31);
  });

  it("counts one full reading a day and steady polls for the rest when the steady poll was measured", () => {
    const report = {
      ...sampleReport(),
      snmp: {
        requestBytes: 300,
        responseBytes: 1700,
        datagrams: 8,
        device: "sim",
        steady: { requestBytes: 100, responseBytes: 150, datagrams: 2 },
      },
    };
    expect(snmpPerDevicePerDay(report.snmp)).toEqual({
      pollsPerDay: 12,
      fullReadingsPerDay: 1,
      bytesPerDevicePerDay: 2000 + 11 * 250,
    });
    expect(siteTraffic(report, 100).snmpPerDay).toBe(100 * (2000 + 11 * 250));
    const hourlyFull = { ...DEFAULT_SCHEDULE, fullReadingEveryMs: 3_600_000 };
    expect(snmpPerDevicePerDay(report.snmp, hourlyFull).bytesPerDevicePerDay).toBe(12 * 2000);
  });

  it("interpolates a device count that was not measured from the fitted line", () => {
    const supplies = sampleReport().transactions.find((t) => t.operation === "SubmitSuppliesReport")!;
    expect(exchangeBytes(supplies, 50)).toBeCloseTo(150 * 50 + 1600, 6);
  });

  it("refuses a report without a needed row", () => {
    const report = sampleReport();
    report.transactions = report.transactions.filter((t) => t.vendorRow !== "Sync Request");
    expect(() => siteTraffic(report, 1)).toThrow(ValidationError);
  });

  it("formats volumes in powers of 1000", () => {
    expect(formatBytes(812)).toBe("812 B");
    expect(formatBytes(15_240)).toBe("15.2 kB");
    expect(formatBytes(3_410_000)).toBe("3.41 MB");
    expect(formatBytes(1_200_000_000)).toBe("1.20 GB");
  });
});
