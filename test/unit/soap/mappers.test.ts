import { describe, expect, it } from "vitest";
import { buildEnvelope } from "../../../src/soap/communication-codec.js";
import {
  ackFromWire,
  fromWireDateTime,
  registerDevicesToWire,
  registerProxyResultFromWire,
  registerProxyToWire,
  reportSyncStatusToWire,
  submitBillingReadsToWire,
  submitSuppliesReportToWire,
  syncResultFromWire,
  syncToWire,
  toWireDateTime,
} from "../../../src/soap/mappers.js";
import type { BillingRead } from "../../../src/soap/models.js";

const at = new Date(Date.UTC(2026, 10, 25, 18, 0, 0));
const read: BillingRead = {
  key: "SN1-20261125-1",
  serial: "SN1",
  readAt: at,
  cycle: "2026-11",
  meters: [
    { name: "Black", value: 1200, unit: "impressions" },
    { name: "Color", value: 34 },
  ],
};

function thrown(fn: () => unknown): { code?: string; message?: string } {
  try {
    fn();
  } catch (err) {
    return err as { code: string; message: string };
  }
  return {};
}

describe("request mappers", () => {
  it("map a billing read to the wire shape in schema order", () => {
    const wire = submitBillingReadsToWire({ proxyId: "p1", reads: [read] });
    expect(JSON.stringify(wire)).toBe(
      JSON.stringify({
        ProxyId: "p1",
        Read: [
          {
            Key: "SN1-20261125-1",
            Serial: "SN1",
            ReadAt: "2026-11-25T18:00:00Z",
            Cycle: "2026-11",
            Meter: [
              { Name: "Black", Value: "1200", Unit: "impressions" },
              { Name: "Color", Value: "34" },
            ],
          },
        ],
      }),
    );
  });

  it("give the byte-exact golden SubmitBillingReads envelope", () => {
    expect(
      buildEnvelope("SubmitBillingReads", submitBillingReadsToWire({ proxyId: "p1", reads: [read] })),
    ).toBe(
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><e:SubmitBillingReads xmlns:e="urn:esolutions:communication:v1">' +
        "<ProxyId>p1</ProxyId><Read><Key>SN1-20261125-1</Key><Serial>SN1</Serial><ReadAt>2026-11-25T18:00:00Z</ReadAt><Cycle>2026-11</Cycle>" +
        "<Meter><Name>Black</Name><Value>1200</Value><Unit>impressions</Unit></Meter><Meter><Name>Color</Name><Value>34</Value></Meter>" +
        "</Read></e:SubmitBillingReads></s:Body></s:Envelope>",
    );
  });

  it("write dates as UTC Z strings, keeping milliseconds only when there are some", () => {
    expect(toWireDateTime(at, "t")).toBe("2026-11-25T18:00:00Z");
    expect(toWireDateTime(new Date(at.getTime() + 7), "t")).toBe("2026-11-25T18:00:00.007Z");
    expect(thrown(() => toWireDateTime(new Date("nope"), "reads[0].readAt"))).toMatchObject({
      code: "INVALID_VALUE",
      message: "reads[0].readAt is an invalid Date",
    });
  });

  it("leave optional members out rather than sending empty elements", () => {
    expect(registerProxyToWire({ key: "reg-00001", proxyId: "p1" })).toEqual({
      Key: "reg-00001",
      ProxyId: "p1",
    });
    expect(syncToWire({ proxyId: "p1", clientTime: at, statuses: [] })).toEqual({
      ProxyId: "p1",
      ClientTime: "2026-11-25T18:00:00Z",
    });
    expect(
      syncToWire({
        proxyId: "p1",
        clientTime: at,
        statuses: [{ serial: "S", state: "silent", lastReadAt: at }],
      }).Status,
    ).toEqual([{ Serial: "S", State: "silent", LastReadAt: "2026-11-25T18:00:00Z" }]);
  });

  it.each([
    [
      "a negative meter",
      () =>
        submitBillingReadsToWire({ proxyId: "p", reads: [{ ...read, meters: [{ name: "X", value: -1 }] }] }),
      "reads[0].meters[0].value must be a non-negative integer, got -1",
    ],
    [
      "a fractional meter",
      () =>
        submitBillingReadsToWire({ proxyId: "p", reads: [{ ...read, meters: [{ name: "X", value: 1.5 }] }] }),
      "reads[0].meters[0].value",
    ],
    [
      "a short key",
      () => registerProxyToWire({ key: "k", proxyId: "p" }),
      "key must have at least 8 characters",
    ],
    [
      "no reads",
      () => submitBillingReadsToWire({ proxyId: "p", reads: [] }),
      "reads must have at least 1 item",
    ],
    [
      "65 meters",
      () =>
        submitBillingReadsToWire({
          proxyId: "p",
          reads: [{ ...read, meters: Array.from({ length: 65 }, (_, i) => ({ name: `m${i}`, value: i })) }],
        }),
      "reads[0].meters must have at most 64 items",
    ],
    [
      "an empty serial",
      () => registerDevicesToWire({ key: "dev-00001", proxyId: "p", devices: [{ serial: "" }] }),
      "devices[0].serial must not be empty",
    ],
    [
      "an unknown service",
      () =>
        reportSyncStatusToWire({
          key: "sts-00001",
          proxyId: "p",
          statuses: [{ serial: "S", service: "fax" as "billing", enabled: true }],
        }),
      "statuses[0].service must be one of billing, supplies, got fax",
    ],
    [
      "a supply level beyond xsd:int",
      () =>
        submitSuppliesReportToWire({
          proxyId: "p",
          reports: [
            { key: "sup-00001", serial: "S", readAt: at, supplies: [{ index: "1", level: 2 ** 40 }] },
          ],
        }),
      "reports[0].supplies[0].level must be a 32-bit integer",
    ],
  ])("refuse %s with INVALID_VALUE naming the field", (_name, fn, message) => {
    const err = thrown(fn);
    expect(err.code).toBe("INVALID_VALUE");
    expect(err.message).toContain(message);
  });

  it("keep Printer-MIB negative supply levels (-3 = some remaining)", () => {
    const wire = submitSuppliesReportToWire({
      proxyId: "p",
      reports: [
        {
          key: "sup-00001",
          serial: "S",
          readAt: at,
          supplies: [{ index: "1", colorant: "black", max: -2, level: -3 }],
        },
      ],
    });
    expect(wire.Report?.[0]?.Supply).toEqual([{ Index: "1", Colorant: "black", Max: -2, Level: -3 }]);
  });
});

describe("response mappers", () => {
  it("parse RegisterProxyResponse with its date and boolean", () => {
    expect(
      registerProxyResultFromWire({
        ProxyId: "p1",
        ServerTime: "2026-11-25T18:00:00.5Z",
        Duplicate: "true",
      } as never),
    ).toEqual({ proxyId: "p1", serverTime: new Date("2026-11-25T18:00:00.500Z"), duplicate: true });
  });

  it("map Sync directives in wire order and seconds to milliseconds", () => {
    const result = syncResultFromWire({
      ServerTime: "2026-11-25T18:00:00Z",
      Configure: { PollIntervalSeconds: "7200", WindowEnd: "05:00" },
      EnableService: [{ Serial: "A", Service: "supplies" }],
      BillingRequest: [{ Serial: "A", Cycle: "2026-Q4", Due: "2026-12-31T00:00:00Z" }],
      SuppliesRequest: [{ Serial: "A", IntervalSeconds: "3600" }],
      Disable: [{ Serial: "B", Reason: "replaced" }],
    } as never);
    expect(result).toEqual({
      serverTime: new Date("2026-11-25T18:00:00Z"),
      configure: { pollIntervalMs: 7_200_000, windowEnd: "05:00" },
      directives: [
        { kind: "EnableService", serial: "A", service: "supplies" },
        {
          kind: "BillingRequest",
          serial: "A",
          cycle: "2026-Q4",
          meters: [],
          due: new Date("2026-12-31T00:00:00Z"),
        },
        { kind: "SuppliesRequest", serial: "A", intervalMs: 3_600_000 },
        { kind: "Disable", serial: "B", reason: "replaced" },
      ],
    });
  });

  it("read a zone-less dateTime as UTC and refuse garbage", () => {
    expect(fromWireDateTime("2026-11-25T18:00:00", "t").toISOString()).toBe("2026-11-25T18:00:00.000Z");
    expect(fromWireDateTime("2026-11-25T19:00:00+01:00", "t").toISOString()).toBe("2026-11-25T18:00:00.000Z");
    expect(thrown(() => fromWireDateTime("yesterday", "ServerTime"))).toMatchObject({ code: "BAD_RESPONSE" });
  });

  it("refuse an Ack without counts as BAD_RESPONSE", () => {
    expect(ackFromWire({ Ack: { Accepted: "3", Duplicates: "0" } } as never)).toEqual({
      accepted: 3,
      duplicates: 0,
    });
    expect(thrown(() => ackFromWire({}))).toMatchObject({
      code: "BAD_RESPONSE",
      message: expect.stringContaining("Ack"),
    });
    expect(thrown(() => ackFromWire({ Ack: { Accepted: "x", Duplicates: "0" } } as never))).toMatchObject({
      code: "BAD_RESPONSE",
      message: expect.stringContaining("Ack.Accepted is not an integer"),
    });
  });
});
