import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CommunicationFaultError } from "../../../src/server/faults.js";
import {
  parseDateTime,
  parseMeterValue,
  READ_AT_SKEW_MS,
  refuseFutureReads,
  validateRegisterDevices,
  validateRegisterProxy,
  validateReportSyncStatus,
  validateSubmitBillingReads,
  validateSubmitSuppliesReport,
  validateSync,
} from "../../../src/server/validate.js";

/** The fault a validator throws, for asserting its code and field. */
function faultOf(fn: () => unknown): CommunicationFaultError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CommunicationFaultError) return err;
    throw err;
  }
  throw new Error("expected a CommunicationFaultError");
}

const read = (overrides: Record<string, unknown> = {}) => ({
  Key: "read-key-0001",
  Serial: "SN-1",
  ReadAt: "2026-11-25T09:00:00Z",
  Meter: [{ Name: "Total", Value: "123", Unit: "impressions" }],
  ...overrides,
});

describe("parseDateTime", () => {
  it("reads xsd:dateTime with Z, offsets, fractions, and no zone as UTC", () => {
    expect(parseDateTime("2026-11-25T09:00:00Z", "f").toISOString()).toBe("2026-11-25T09:00:00.000Z");
    expect(parseDateTime("2026-11-25T10:00:00+01:00", "f").toISOString()).toBe("2026-11-25T09:00:00.000Z");
    expect(parseDateTime("2026-11-25T09:00:00.123Z", "f").toISOString()).toBe("2026-11-25T09:00:00.123Z");
    expect(parseDateTime("2026-11-25T09:00:00", "f").toISOString()).toBe("2026-11-25T09:00:00.000Z");
  });

  it.each([
    "2026-02-30T10:00:00Z",
    "2026-13-01T10:00:00Z",
    "2026-11-25T24:00:00Z",
    "2026-11-25 09:00:00Z",
    "1969-12-31T23:59:59Z",
    "2026-11-25T09:00:00+15:00",
    "yesterday",
    "",
  ])("refuses %j with INVALID_VALUE naming the field", (text) => {
    const fault = faultOf(() => parseDateTime(text, "Read[0].ReadAt"));
    expect([fault.code, fault.field]).toEqual(["INVALID_VALUE", "Read[0].ReadAt"]);
  });

  it("accepts every calendar day (property)", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("1970-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (d) => {
          const text = d.toISOString().replace(/\.\d{3}Z$/, "Z");
          expect(parseDateTime(text, "f").getTime()).toBe(Math.floor(d.getTime() / 1000) * 1000);
        },
      ),
    );
  });
});

describe("parseMeterValue", () => {
  it("accepts whole numbers up to 2^53-1", () => {
    expect(parseMeterValue("0", "f")).toBe(0);
    expect(parseMeterValue("+17", "f")).toBe(17);
    expect(parseMeterValue(String(Number.MAX_SAFE_INTEGER), "f")).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each(["-1", "12abc", "1.5", "1e3", "", " ", "0x10", "9007199254740992"])("refuses %j", (text) => {
    expect(faultOf(() => parseMeterValue(text, "Read[0].Meter[0].Value")).code).toBe("INVALID_VALUE");
  });

  it("reads back every non-negative safe integer and refuses any text with a non-digit (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parseMeterValue(String(n), "f")).toBe(n);
      }),
    );
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }).filter((t) => /[^0-9]/.test(t.replace(/^\+/, ""))),
        (text) => {
          expect(faultOf(() => parseMeterValue(text, "f")).code).toBe("INVALID_VALUE");
        },
      ),
    );
  });

  it("says a negative value is negative", () => {
    expect(faultOf(() => parseMeterValue("-5", "m")).message).toBe("m must not be negative");
  });
});

describe("operation validators", () => {
  it("map node-soap's parsed arguments to typed input, single item or list", () => {
    expect(validateSubmitBillingReads({ ProxyId: "p1", Read: read() })).toEqual({
      proxyId: "p1",
      reads: [
        {
          key: "read-key-0001",
          serial: "SN-1",
          readAt: new Date("2026-11-25T09:00:00Z"),
          meters: [{ name: "Total", value: 123, unit: "impressions" }],
        },
      ],
    });
    expect(validateRegisterProxy({ Key: "proxy-key-1", ProxyId: "p1", Site: "HQ" })).toEqual({
      key: "proxy-key-1",
      proxyId: "p1",
      site: "HQ",
    });
    expect(
      validateReportSyncStatus({
        Key: "status-key-1",
        ProxyId: "p1",
        Status: { Serial: "S", Service: "billing", Enabled: "1" },
      }).statuses,
    ).toEqual([{ serial: "S", service: "billing", enabled: true }]);
    expect(validateSync({ ProxyId: "p1", ClientTime: "2026-11-25T09:00:00Z" }).statuses).toEqual([]);
  });

  it.each<[string, () => unknown, string, string]>([
    [
      "an empty serial",
      () => validateSubmitBillingReads({ ProxyId: "p1", Read: read({ Serial: {} }) }),
      "INVALID_VALUE",
      "Read[0].Serial",
    ],
    ["a missing ProxyId", () => validateSubmitBillingReads({ Read: read() }), "INVALID_VALUE", "ProxyId"],
    [
      "a read without meters",
      () => validateSubmitBillingReads({ ProxyId: "p1", Read: read({ Meter: undefined }) }),
      "INVALID_VALUE",
      "Read[0].Meter",
    ],
    [
      "65 meters",
      () =>
        validateSubmitBillingReads({
          ProxyId: "p1",
          Read: read({ Meter: Array.from({ length: 65 }, () => ({ Name: "M", Value: "1" })) }),
        }),
      "TOO_MANY_ITEMS",
      "Read[0].Meter",
    ],
    [
      "5001 reads",
      () => validateSubmitBillingReads({ ProxyId: "p1", Read: Array.from({ length: 5001 }, () => read()) }),
      "TOO_MANY_ITEMS",
      "Read",
    ],
    [
      "a serial of 65 characters",
      () =>
        validateRegisterDevices({ Key: "devices-key", ProxyId: "p1", Device: { Serial: "x".repeat(65) } }),
      "INVALID_VALUE",
      "Device[0].Serial",
    ],
    [
      "the same serial twice in one registration",
      () =>
        validateRegisterDevices({
          Key: "devices-key",
          ProxyId: "p1",
          Device: [{ Serial: "A" }, { Serial: "A" }],
        }),
      "INVALID_VALUE",
      "Device[1].Serial",
    ],
    [
      "an unknown device state",
      () =>
        validateSync({
          ProxyId: "p1",
          ClientTime: "2026-11-25T09:00:00Z",
          Status: { Serial: "A", State: "exploded" },
        }),
      "INVALID_VALUE",
      "Status[0].State",
    ],
    [
      "a boolean that is not one",
      () =>
        validateReportSyncStatus({
          Key: "status-key",
          ProxyId: "p1",
          Status: { Serial: "A", Service: "billing", Enabled: "yes" },
        }),
      "INVALID_VALUE",
      "Status[0].Enabled",
    ],
    [
      "an unknown service",
      () =>
        validateReportSyncStatus({
          Key: "status-key",
          ProxyId: "p1",
          Status: { Serial: "A", Service: "coffee", Enabled: "true" },
        }),
      "INVALID_VALUE",
      "Status[0].Service",
    ],
    [
      "a supply level outside xsd:int",
      () =>
        validateSubmitSuppliesReport({
          ProxyId: "p1",
          Report: {
            Key: "supplies-key",
            Serial: "A",
            ReadAt: "2026-11-25T09:00:00Z",
            Supply: { Index: "1", Level: "99999999999" },
          },
        }),
      "INVALID_VALUE",
      "Report[0].Supply[0].Level",
    ],
    [
      "a nested element where text belongs",
      () => validateRegisterProxy({ Key: "proxy-key-1", ProxyId: { a: "b" } }),
      "INVALID_VALUE",
      "ProxyId",
    ],
  ])("refuse %s", (_name, run, code, field) => {
    const fault = faultOf(run);
    expect([fault.code, fault.field]).toEqual([code, field]);
  });

  it("keep Printer-MIB sentinel supply levels (-1, -2, -3) as values", () => {
    const report = validateSubmitSuppliesReport({
      ProxyId: "p1",
      Report: {
        Key: "supplies-key",
        Serial: "A",
        ReadAt: "2026-11-25T09:00:00Z",
        Supply: [{ Index: "1", Level: "-3", Max: "-2" }],
      },
    });
    expect(report.reports[0]?.supplies).toEqual([{ index: "1", level: -3, max: -2 }]);
  });
});

describe("refuseFutureReads", () => {
  const received = new Date("2026-11-30T17:59:00Z");
  it("accepts reads up to the clock skew ahead of the server's time", () => {
    expect(() =>
      refuseFutureReads(
        [
          { readAt: new Date("2026-11-30T17:00:00Z") },
          { readAt: new Date(received.getTime() + READ_AT_SKEW_MS) },
        ],
        "Read",
        received,
      ),
    ).not.toThrow();
  });

  it("refuses a read from the future (the scaled-clock case of issue 19), naming the field", () => {
    let err: unknown;
    try {
      refuseFutureReads(
        [{ readAt: new Date("2026-11-30T17:00:00Z") }, { readAt: new Date("2026-12-01T01:15:00Z") }],
        "Report",
        received,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CommunicationFaultError);
    expect(err).toMatchObject({ code: "INVALID_VALUE", field: "Report[1].ReadAt" });
    expect((err as Error).message).toMatch(
      /later than the server's time 2026-11-30T17:59:00.000Z by more than the allowed clock skew \(60 s\)/,
    );
  });
});
