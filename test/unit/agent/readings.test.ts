import { describe, expect, it } from "vitest";
import { selectMeters, toBillingRead, toPolledReading } from "../../../src/agent/readings.js";
import type { DeviceReading } from "../../../src/snmp/mib/reading.js";

const meters = [
  { name: "Total Impressions", value: 1000 },
  { name: "Black Impressions", value: 800 },
  { name: "Color Impressions", value: 200 },
];

describe("reading mappers", () => {
  it("selects requested meters ignoring case and punctuation, all when none requested or none match", () => {
    expect(selectMeters(meters, ["TotalImpressions", "color-impressions"]).map((m) => m.name)).toEqual([
      "Total Impressions",
      "Color Impressions",
    ]);
    expect(selectMeters(meters, [])).toHaveLength(3);
    expect(selectMeters(meters, ["Nope"])).toHaveLength(3);
  });

  it("builds a billing read for a cycle from a polled reading", () => {
    const r = toBillingRead(
      { serial: "S1", address: "h:1", readAtMs: Date.parse("2026-11-02T03:04:05Z"), meters, supplies: [] },
      "2026-11",
      ["Total Impressions"],
    );
    expect(r).toEqual({
      serial: "S1",
      readAt: "2026-11-02T03:04:05.000Z",
      cycle: "2026-11",
      meters: [{ name: "Total Impressions", value: 1000 }],
    });
  });

  it("drops negative and duplicate meters, skips devices without a serial", () => {
    const base = {
      target: "127.0.0.1:161",
      readAt: "2026-11-01T00:00:00Z",
      identity: { serial: " S1 ", vendor: "Xerox", model: "C8045", mac: "aa:bb:cc:dd:ee:ff" },
      meters: [
        { name: "Total", value: 5, unit: "impressions" },
        { name: "Total", value: 6, unit: null },
        { name: "Bad", value: -1, unit: null },
      ],
      supplies: [
        {
          index: "1.1",
          description: "Black",
          colorant: "black",
          typeName: "toner",
          unitName: "percent",
          max: 100,
          level: -3,
          percent: null,
          state: "someRemaining",
        },
      ],
    } as unknown as DeviceReading;
    const p = toPolledReading(base, 42);
    expect(p).toMatchObject({
      serial: "S1",
      vendor: "Xerox",
      readAtMs: 42,
      meters: [{ name: "Total", value: 5, unit: "impressions" }],
    });
    expect(p?.supplies[0]).toEqual({
      index: "1.1",
      description: "Black",
      colorant: "black",
      type: "toner",
      unit: "percent",
      max: 100,
      level: -3,
      state: "someRemaining",
    });
    expect(
      toPolledReading({ ...base, identity: { ...base.identity, serial: null } } as DeviceReading, 1),
    ).toBeUndefined();
  });
});

import { isPermanent } from "../../../src/agent/agent.js";
import { SecurityError, SoapFaultError, TimeoutError, TransportError } from "../../../src/errors.js";

describe("delivery failure classification", () => {
  it("parks only what no resend can fix", () => {
    expect(
      isPermanent(new SoapFaultError("UNKNOWN_DEVICE", "x", { faultCode: "soap:Client", retryable: false })),
    ).toBe(true);
    expect(
      isPermanent(
        new SoapFaultError("STORAGE_UNAVAILABLE", "x", { faultCode: "soap:Server", retryable: true }),
      ),
    ).toBe(false);
    expect(isPermanent(new TransportError("HTTP_400", "x", { status: 400, retryable: false }))).toBe(true);
    expect(isPermanent(new TransportError("HTTP_429", "x", { status: 429, retryAfterMs: 1000 }))).toBe(false);
    expect(isPermanent(new TransportError("HTTP_503", "x", { status: 503 }))).toBe(false);
    expect(isPermanent(new TransportError("CONNECTION_RESET", "x"))).toBe(false);
    expect(isPermanent(new TimeoutError("x"))).toBe(false);
    expect(isPermanent(new SecurityError("WSS_BAD_SIGNATURE", "response signature"))).toBe(false);
  });
});
