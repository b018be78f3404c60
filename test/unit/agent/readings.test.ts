import { describe, expect, it } from "vitest";
import {
  polledReadingOf,
  selectMeters,
  toBillingRead,
  toPolledReading,
  toSuppliesReport,
} from "../../../src/agent/readings.js";
import type { DeviceReading } from "../../../src/snmp/mib/reading.js";
import { decodeReading } from "../../../src/snmp/mib/reading.js";

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
      {
        serial: "S1",
        address: "h:1",
        readAt: new Date("2026-11-02T03:04:05Z"),
        readAtMs: Date.parse("2026-11-02T03:04:05Z"),
        meters,
        supplies: [],
      },
      "2026-11",
      ["Total Impressions"],
    );
    expect(r).toEqual({
      serial: "S1",
      readAt: new Date("2026-11-02T03:04:05.000Z"),
      cycle: "2026-11",
      meters: [{ name: "Total Impressions", value: 1000 }],
    });
  });

  it("drops negative and duplicate meters, skips devices without a serial", () => {
    const base = {
      target: "127.0.0.1:161",
      readAt: new Date("2026-11-01T00:00:00Z"),
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
    const p = toPolledReading(base, new Date(42));
    expect(p).toMatchObject({
      serial: "S1",
      vendor: "Xerox",
      readAt: new Date(42),
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

import { isPermanent, stuckRemedy } from "../../../src/agent/agent.js";
import {
  ConfigError,
  SecurityError,
  SoapFaultError,
  TimeoutError,
  TransportError,
  UnsignedFaultError,
} from "../../../src/errors.js";
import { soap12AnswerError } from "../../../src/soap/faults.js";

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

describe("stuck classification (failures no resend can fix, met by every call)", () => {
  const fault = (
    code: "WSS_UNTRUSTED_KEY" | "WSS_UNSIGNED" | "WSS_EXPIRED" | "INVALID_VALUE" | "WSS_REPLAY",
  ) => new SoapFaultError(code, "x", { faultCode: "wsse:FailedCheck", retryable: false });

  it("names the remedy for trust, signature, clock and endpoint failures", () => {
    expect(stuckRemedy(new TransportError("TLS_ERROR", "self-signed", { retryable: false }))).toMatch(
      /server\.ca/,
    );
    expect(
      stuckRemedy(new TransportError("TLS_ERROR", "the certificate does not name x", { retryable: false })),
    ).toMatch(/server\.url/);
    expect(stuckRemedy(fault("WSS_UNTRUSTED_KEY"))).toMatch(/esol server --trust/);
    expect(stuckRemedy(fault("WSS_UNSIGNED"))).toMatch(/security\.key/);
    expect(stuckRemedy(fault("WSS_EXPIRED"))).toMatch(/clock/);
    expect(stuckRemedy(new SecurityError("WSS_BAD_SIGNATURE", "response"))).toMatch(/serverCert/);
    // The agent's own check of a response, not the server refusing the agent's key.
    expect(
      stuckRemedy(new SecurityError("WSS_UNTRUSTED_KEY", "the embedded certificate is not trusted")),
    ).toMatch(/serverCert/);
    expect(stuckRemedy(new TransportError("HTTP_404", "x", { status: 404, retryable: false }))).toMatch(
      /server\.url/,
    );
    expect(stuckRemedy(new ConfigError("CONFIG_TLS", "x"))).toBeDefined();
    // An endpoint that answers in SOAP 1.2: stuck with the remedy, never a per-message refusal.
    const soap12 = soap12AnswerError(
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:VersionMismatch</env:Value></env:Code></env:Fault></env:Body></env:Envelope>',
      500,
    );
    expect(stuckRemedy(soap12)).toMatch(/SOAP 1\.1 address/);
    expect(isPermanent(soap12)).toBe(false);
  });

  it("judges a fault that did not verify by what the server said, not as a response-signature problem", () => {
    const unsigned = (inner: ReturnType<typeof fault>) =>
      new UnsignedFaultError(inner, new Error("no signature"));
    expect(stuckRemedy(unsigned(fault("WSS_UNTRUSTED_KEY")))).toMatch(/esol server --trust/);
    // A per-entry refusal that arrived unsigned: not stuck, and not parked on an unauthenticated word.
    expect(stuckRemedy(unsigned(fault("INVALID_VALUE")))).toBeUndefined();
    expect(isPermanent(unsigned(fault("INVALID_VALUE")))).toBe(false);
  });

  it("leaves retryable failures and per-entry refusals to the retry and park paths", () => {
    expect(stuckRemedy(new TransportError("CONNECTION_REFUSED", "x"))).toBeUndefined();
    expect(stuckRemedy(new TransportError("HTTP_503", "x", { status: 503 }))).toBeUndefined();
    expect(stuckRemedy(new TimeoutError("x"))).toBeUndefined();
    expect(stuckRemedy(fault("INVALID_VALUE"))).toBeUndefined();
    expect(stuckRemedy(fault("WSS_REPLAY"))).toBeUndefined();
    expect(
      stuckRemedy(new TransportError("HTTP_400", "x", { status: 400, retryable: false })),
    ).toBeUndefined();
    expect(stuckRemedy(new ConfigError("CLIENT_CLOSED", "x"))).toBeUndefined();
  });
});

describe("one time along a reading (issue 19 item 4)", () => {
  const SERIAL = "1.3.6.1.2.1.43.5.1.1.17.1";
  const at = new Date("2026-11-30T10:11:12.345Z");
  const reading = decodeReading([{ oid: SERIAL, type: "OctetString", value: Buffer.from("S-TIME") }], {
    target: "192.0.2.1:161",
    readAt: at,
  });

  it("stamps the polled reading, the billing read and the supplies report with the reading's own time", () => {
    expect(reading.readAt).toEqual(at);
    expect(reading.readAt).not.toBe(at); // a copy: the caller's Date stays the caller's
    const polled = toPolledReading(reading);
    expect(polled?.readAt).toEqual(at);
    expect(polled?.readAtMs).toBe(at.getTime());
    expect(toBillingRead(polled!, "2026-11", []).readAt).toEqual(at);
    expect(toSuppliesReport(polled!).readAt).toEqual(at);
    // Mutating the billing read's Date does not move the polled reading's.
    toBillingRead(polled!, "2026-11", []).readAt.setTime(0);
    expect(polled?.readAt).toEqual(at);
  });

  it("keeps the reading's time in the JSON form as the ISO string `esol read --json` always printed", () => {
    expect(JSON.parse(JSON.stringify(reading)).readAt).toBe("2026-11-30T10:11:12.345Z");
  });

  it("takes an explicit Date, and epoch ms as before (deprecated)", () => {
    const later = new Date(at.getTime() + 1000);
    expect(toPolledReading(reading, later)?.readAt).toEqual(later);
    expect(toPolledReading(reading, later.getTime())?.readAt).toEqual(later);
  });

  it("revives a stored reading's time from the outbox's epoch ms, also for a payload written before 0.2", () => {
    const polled = toPolledReading(reading)!;
    const stored = { readAtMs: at.getTime(), reading: JSON.parse(JSON.stringify(polled)) as unknown };
    const revived = polledReadingOf(stored);
    expect(revived.readAt).toBeInstanceOf(Date);
    expect(revived).toEqual(polled);
    const { readAt: _dropped, ...old } = polled;
    expect(
      polledReadingOf({ readAtMs: at.getTime(), reading: JSON.parse(JSON.stringify(old)) }).readAt,
    ).toEqual(at);
  });
});
