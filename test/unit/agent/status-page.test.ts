import { describe, expect, it } from "vitest";
import { parseListenAddress } from "../../../src/agent/http.js";
import { renderStatusPage } from "../../../src/agent/status-page.js";
import type { AgentStatusReport } from "../../../src/agent/status-report.js";

const report = (serial: string): AgentStatusReport => ({
  proxyId: "proxy-<1>",
  running: true,
  now: "2026-11-30T12:00:00.000Z",
  nextSyncAt: "2026-12-01T02:00:00.000Z",
  outbox: "/var/lib/esol/outbox.db",
  registered: true,
  lastSyncAt: "2026-11-30T02:00:00.000Z",
  counts: { pending: 2, sent: 5, parked: 1, quarantined: 0, readings: 9 },
  parked: [{ key: "k", kind: "billing-read", serial, reason: "INVALID_VALUE: x" }],
  quarantined: [],
  devices: [
    {
      serial,
      address: "127.0.0.1:16100",
      vendor: "Xerox",
      model: "AltaLink C8055",
      state: "silent",
      lastReadAt: "2026-11-30T06:00:00.000Z",
      lastReadAgeSeconds: 21_600,
      failedPolls: 3,
      billing: true,
      supplies: true,
      detail: null,
      meters: [{ name: "Total Impressions", value: 1_234_567 }],
      supplyLevels: [
        { description: "Black Toner", percent: 7 },
        { description: "Waste Toner Box", state: "someRemaining" },
      ],
    },
  ],
});

describe("status page", () => {
  it("escapes every value a device or the config supplies", () => {
    const html = renderStatusPage(report('<img src=x onerror="alert(1)">'), { status: 200, reason: "ok" });
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).toContain("proxy-&lt;1&gt;");
    expect(html).not.toMatch(/<script|<link/i);
  });

  it("puts alarms first: failing health, parked entries, silent devices, supplies at 10 % or less", () => {
    const html = renderStatusPage(report("SN1"), { status: 503, reason: "no successful sync yet" });
    const alarms = html.slice(html.indexOf('id="alarms"'), html.indexOf('id="summary"'));
    expect(alarms).toContain("Health check failing: no successful sync yet");
    expect(alarms).toContain("1 outbox entry refused by the server (parked)");
    expect(alarms).toContain("SN1 (AltaLink C8055 at 127.0.0.1:16100) is not answering");
    expect(alarms).toContain("SN1: Black Toner at 7%");
    expect(html).toContain('<meter min="0" max="100" low="11" optimum="100" value="7"');
    expect(html).toContain('<span class="pct">some left</span>');
    expect(html).toContain("1,234,567");
    expect(html).toContain('<meta http-equiv="refresh" content="60">');
    expect(html).toContain("@media print");
  });
});

describe("status page supply alarms", () => {
  it("follow the reader's supply states: empty or full without a percent, a waste box nearly full, not a healthy one", () => {
    const r = report("SN2");
    const device = r.devices[0];
    if (!device) throw new Error("no device");
    device.state = "ok";
    device.supplyLevels = [
      { description: "Cyan Toner", state: "empty" },
      { description: "Waste Toner Box", percent: 6, state: "nearlyFull" },
      { description: "Black Toner", percent: 55, state: "ok" },
      { description: "Drum", state: "full" },
    ];
    const html = renderStatusPage(r, { status: 200, reason: "ok" });
    const alarms = html.slice(html.indexOf('id="alarms"'), html.indexOf('id="summary"'));
    expect(alarms).toContain("SN2: Cyan Toner empty");
    expect(alarms).toContain("SN2: Waste Toner Box at 6% (nearly full)");
    expect(alarms).toContain("SN2: Drum full");
    expect(alarms).not.toContain("Black Toner");
  });
});

describe("parseListenAddress", () => {
  it("lists the agent's alarms on top, with what to do, escaped, without repeating a silent device", () => {
    const r: AgentStatusReport = {
      ...report("SN1"),
      alarms: [
        {
          kind: "communication-lost",
          id: "communication-lost",
          raisedAt: new Date("2026-11-30T04:00:00Z"),
          raisedAtMs: Date.parse("2026-11-30T04:00:00Z"),
          message: "no successful sync for 27h <b>",
          remedy: "check the network path",
        },
        {
          kind: "device-silent",
          id: "device-silent:SN1",
          raisedAt: new Date("2026-11-30T04:00:00Z"),
          raisedAtMs: Date.parse("2026-11-30T04:00:00Z"),
          serial: "SN1",
          message: "SN1 (AltaLink C8055 at 127.0.0.1:16100) has not answered 3 poll(s)",
          remedy: "check that the device is on",
        },
      ],
    };
    const html = renderStatusPage(r, { status: 200, reason: "ok" });
    const alarms = html.slice(html.indexOf('id="alarms"'), html.indexOf('id="summary"'));
    const items = [...alarms.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1]);
    expect(items[0]).toBe(
      "communication-lost: no successful sync for 27h &lt;b&gt;. What to do: check the network path",
    );
    expect(items[1]).toMatch(
      /^device-silent: SN1 .* has not answered 3 poll\(s\)\. What to do: check that the device is on$/,
    );
    expect(alarms).not.toContain("is not answering");
    expect(html).toContain("<title>esol agent proxy-&lt;1&gt;: 4 alarm(s)</title>");
  });

  it("reads HOST:PORT, [IPv6]:PORT and a bare port (loopback)", () => {
    expect(parseListenAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListenAddress("[::1]:9464")).toEqual({ host: "::1", port: 9464 });
    expect(parseListenAddress("9464")).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(() => parseListenAddress("127.0.0.1:99999")).toThrow(/is not HOST:PORT/);
    expect(() => parseListenAddress("nope")).toThrow(expect.objectContaining({ code: "HTTP_LISTEN" }));
  });
});
