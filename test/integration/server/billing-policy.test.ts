import { afterEach, describe, expect, it } from "vitest";
import type { BillingCycleKind } from "../../../src/server/index.js";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { ops, post } from "./raw.js";

/** A settable clock: tests move the server through months in milliseconds. */
function settableClock(start: string) {
  let now = new Date(start);
  return {
    clock: () => new Date(now),
    set(iso: string) {
      now = new Date(iso);
    },
  };
}

const billingRequests = (body: string) =>
  [
    ...body.matchAll(
      /<BillingRequest><Serial>([^<]*)<\/Serial><Cycle>([^<]*)<\/Cycle>(.*?)<Due>([^<]*)<\/Due>/g,
    ),
  ].map((m) => ({
    serial: m[1],
    cycle: m[2],
    meters: [...(m[3] ?? "").matchAll(/<Meter>([^<]*)<\/Meter>/g)].map((x) => x[1]),
    due: m[4],
  }));

describe("billing cycle policy with an injected clock", () => {
  let srv: TestServer | undefined;
  afterEach(async () => {
    await srv?.close();
    srv = undefined;
  });

  async function enrolled(cycle: BillingCycleKind, start: string, meters?: string[]) {
    const time = settableClock(start);
    srv = await startTestServer({
      tls: false,
      signaturePolicy: "optional",
      clock: time.clock,
      billing: meters ? { cycle, meters, dueDays: 5 } : { cycle, dueDays: 5 },
      supplies: false,
    });
    const url = srv.url;
    await post(url, ops.registerProxy("proxy-key-0001", "p1"));
    await post(url, ops.registerDevices("devices-key-01", "p1", ["SN-1", "SN-2"]));
    return { time, url };
  }

  it("monthly: asks once enabled, repeats until the read arrives, asks again next month", async () => {
    const { time, url } = await enrolled("monthly", "2026-11-03T08:00:00Z", ["Total", "Color"]);
    const before = await post(url, ops.sync("p1"));
    expect(billingRequests(before.body)).toEqual([]);
    expect(before.body.match(/<EnableService>/g)).toHaveLength(2);
    await post(
      url,
      ops.reportSyncStatus("status-key-01", "p1", [
        ["SN-1", "billing", true],
        ["SN-2", "billing", true],
      ]),
    );

    const first = billingRequests((await post(url, ops.sync("p1"))).body);
    expect(first).toEqual([
      { serial: "SN-1", cycle: "2026-11", meters: ["Total", "Color"], due: "2026-11-08T08:00:00.000Z" },
      { serial: "SN-2", cycle: "2026-11", meters: ["Total", "Color"], due: "2026-11-08T08:00:00.000Z" },
    ]);

    time.set("2026-11-04T08:00:00Z");
    await post(
      url,
      ops.submitBillingReads("p1", [
        ops.read("read-SN-1-nov", "SN-1", 100, "2026-11-04T07:00:00Z", "2026-11"),
      ]),
    );
    const repeated = billingRequests((await post(url, ops.sync("p1"))).body);
    expect(repeated.map((r) => [r.serial, r.cycle, r.due])).toEqual([
      ["SN-2", "2026-11", "2026-11-08T08:00:00.000Z"],
    ]);

    // A read without a Cycle counts for the cycle its ReadAt falls in.
    await post(
      url,
      ops.submitBillingReads("p1", [ops.read("read-SN-2-nov", "SN-2", 200, "2026-11-05T07:00:00Z")]),
    );
    time.set("2026-11-20T08:00:00Z");
    expect(billingRequests((await post(url, ops.sync("p1"))).body)).toEqual([]);

    time.set("2026-12-01T00:00:01Z");
    expect(billingRequests((await post(url, ops.sync("p1"))).body).map((r) => [r.serial, r.cycle])).toEqual([
      ["SN-1", "2026-12"],
      ["SN-2", "2026-12"],
    ]);
    const requests = (await srv?.server.exportStoreAsync())?.billingRequests ?? [];
    expect(requests.map((r) => [r.serial, r.cycle, r.fulfilledAt !== null])).toEqual([
      ["SN-1", "2026-11", true],
      ["SN-2", "2026-11", true],
      ["SN-1", "2026-12", false],
      ["SN-2", "2026-12", false],
    ]);
  });

  it("quarterly: one request per quarter, none in the quarter's other months once read", async () => {
    const { time, url } = await enrolled("quarterly", "2026-10-02T08:00:00Z");
    await post(
      url,
      ops.reportSyncStatus("status-key-01", "p1", [
        ["SN-1", "billing", true],
        ["SN-2", "billing", true],
      ]),
    );
    const q4 = billingRequests((await post(url, ops.sync("p1"))).body);
    expect(q4.map((r) => [r.serial, r.cycle, r.meters])).toEqual([
      ["SN-1", "2026-Q4", []],
      ["SN-2", "2026-Q4", []],
    ]);
    await post(
      url,
      ops.submitBillingReads("p1", [
        ops.read("read-SN-1-q4", "SN-1", 1, "2026-10-02T09:00:00Z", "2026-Q4"),
        ops.read("read-SN-2-q4", "SN-2", 2, "2026-10-02T09:00:00Z", "2026-Q4"),
      ]),
    );
    for (const day of ["2026-10-15", "2026-11-01", "2026-12-31"]) {
      time.set(`${day}T12:00:00Z`);
      expect(billingRequests((await post(url, ops.sync("p1"))).body)).toEqual([]);
    }
    time.set("2027-01-01T00:00:00Z");
    expect(billingRequests((await post(url, ops.sync("p1"))).body).map((r) => r.cycle)).toEqual([
      "2027-Q1",
      "2027-Q1",
    ]);
  });

  it("semiannual: cycles are H1 and H2", async () => {
    const { time, url } = await enrolled("semiannual", "2026-06-30T23:00:00Z");
    await post(url, ops.reportSyncStatus("status-key-01", "p1", [["SN-1", "billing", true]]));
    const h1 = billingRequests((await post(url, ops.sync("p1"))).body);
    expect(h1).toEqual([{ serial: "SN-1", cycle: "2026-H1", meters: [], due: "2026-06-30T23:59:59.000Z" }]);
    time.set("2026-07-01T00:00:00Z");
    expect(billingRequests((await post(url, ops.sync("p1"))).body).map((r) => r.cycle)).toEqual(["2026-H2"]);
  });

  it("asks for supplies reports when supplies are on and a Configure when set", async () => {
    const time = settableClock("2026-11-03T08:00:00Z");
    srv = await startTestServer({
      tls: false,
      signaturePolicy: "optional",
      clock: time.clock,
      supplies: { intervalMs: 3_600_000 },
      configure: { pollIntervalMs: 7_200_000, windowStart: "01:00", windowEnd: "05:00" },
    });
    await post(srv.url, ops.registerProxy("proxy-key-0001", "p1"));
    await post(srv.url, ops.registerDevices("devices-key-01", "p1", ["SN-1"]));
    const first = await post(srv.url, ops.sync("p1"));
    expect(first.body).toContain(
      "<Configure><PollIntervalSeconds>7200</PollIntervalSeconds><WindowStart>01:00</WindowStart><WindowEnd>05:00</WindowEnd></Configure>",
    );
    expect(first.body).toContain(
      "<EnableService><Serial>SN-1</Serial><Service>supplies</Service></EnableService>",
    );
    await post(
      srv.url,
      ops.reportSyncStatus("status-key-01", "p1", [
        ["SN-1", "billing", true],
        ["SN-1", "supplies", true],
      ]),
    );
    const asked = await post(srv.url, ops.sync("p1"));
    expect(asked.body).toContain(
      "<SuppliesRequest><Serial>SN-1</Serial><IntervalSeconds>3600</IntervalSeconds></SuppliesRequest>",
    );
    await post(srv.url, ops.submitSuppliesReport("p1", "supplies-key-1", "SN-1"));
    expect((await post(srv.url, ops.sync("p1"))).body).not.toContain("<SuppliesRequest>");
    time.set("2026-11-03T11:00:00Z"); // reports stopped for more than two intervals
    expect((await post(srv.url, ops.sync("p1"))).body).toContain("<SuppliesRequest>");
  });

  it("sends Disable for a device the server disabled until the client reports it disabled", async () => {
    const { url } = await enrolled("monthly", "2026-11-03T08:00:00Z");
    srv?.server.disableDevice("SN-2", "contract ended");
    const body = (await post(url, ops.sync("p1"))).body;
    expect(body).toContain("<Disable><Serial>SN-2</Serial><Reason>contract ended</Reason></Disable>");
    await post(url, ops.sync("p1", "<Status><Serial>SN-2</Serial><State>disabled</State></Status>"));
    expect((await post(url, ops.sync("p1"))).body).not.toContain("<Disable>");
  });
});
