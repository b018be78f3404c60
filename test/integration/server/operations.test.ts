import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENERATED_CERT_FILE, GENERATED_KEY_FILE } from "../../../src/server/index.js";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { faultCode, get, ops, post, textOf } from "./raw.js";

describe("CommunicationServer over HTTPS with a generated self-signed pair", () => {
  let srv: TestServer;
  const call = (body: string) => post(srv.url, body, { ca: srv.certificatePem as string });

  beforeAll(async () => {
    srv = await startTestServer({ signaturePolicy: "optional" });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it("serves HTTPS with a pair generated into the db's folder", () => {
    expect(srv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/esolutions\/v1$/);
    expect(srv.certificatePem).toContain("BEGIN CERTIFICATE");
    expect(existsSync(join(srv.dir, GENERATED_CERT_FILE))).toBe(true);
    expect(existsSync(join(srv.dir, GENERATED_KEY_FILE))).toBe(true);
  });

  it("serves the WSDL at ?wsdl with soap:address pointing at itself", async () => {
    const res = await get(`${srv.url}?wsdl`, { ca: srv.certificatePem as string });
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<soap:address location="${srv.url}"/>`);
    expect(res.body).toContain("SubmitBillingReads");
  });

  it("RegisterProxy stores the proxy once and answers a resend as a duplicate", async () => {
    const first = await call(ops.registerProxy("proxy-key-0001", "proxy-1"));
    expect(first.status).toBe(200);
    expect(textOf(first.body, "Duplicate")).toBe("false");
    expect(first.headers["accept-encoding"]).toBe("gzip");
    const again = await call(ops.registerProxy("proxy-key-0001", "proxy-1"));
    expect(textOf(again.body, "Duplicate")).toBe("true");
    expect(textOf(again.body, "ProxyId")).toBe("proxy-1");
    expect((await srv.server.exportStoreAsync()).proxies).toEqual([
      expect.objectContaining({ proxyId: "proxy-1", site: "HQ", software: null }),
    ]);
  });

  it("RegisterDevices stores each device and acknowledges a resend as duplicates", async () => {
    const first = await call(ops.registerDevices("devices-key-01", "proxy-1", ["SN-A", "SN-B"]));
    expect(textOf(first.body, "Accepted")).toBe("2");
    const again = await call(ops.registerDevices("devices-key-01", "proxy-1", ["SN-A", "SN-B"]));
    expect([textOf(again.body, "Accepted"), textOf(again.body, "Duplicates")]).toEqual(["0", "2"]);
    const devices = (await srv.server.exportStoreAsync()).devices;
    expect(devices.map((d) => [d.serial, d.proxyId, d.model, d.services])).toEqual([
      ["SN-A", "proxy-1", "AltaLink C8045", { billing: false, supplies: false }],
      ["SN-B", "proxy-1", "AltaLink C8045", { billing: false, supplies: false }],
    ]);
  });

  it("Sync asks to enable billing and supplies until ReportSyncStatus confirms them", async () => {
    const sync = await call(ops.sync("proxy-1"));
    expect(sync.status).toBe(200);
    expect(sync.body.match(/<EnableService>/g)).toHaveLength(4);
    const confirm = await call(
      ops.reportSyncStatus("status-key-01", "proxy-1", [
        ["SN-A", "billing", true],
        ["SN-A", "supplies", true],
        ["SN-B", "billing", true],
        ["SN-B", "supplies", true],
      ]),
    );
    expect(textOf(confirm.body, "Accepted")).toBe("4");
    const after = await call(ops.sync("proxy-1"));
    expect(after.body).not.toContain("<EnableService>");
    expect(after.body.match(/<BillingRequest>/g)).toHaveLength(2);
    expect(
      (await srv.server.exportStoreAsync()).devices.every((d) => d.services.billing && d.services.supplies),
    ).toBe(true);
  });

  it("Sync records the device states the client reports", async () => {
    await call(
      ops.sync(
        "proxy-1",
        "<Status><Serial>SN-B</Serial><State>silent</State><Detail>no answer for 3 polls</Detail></Status>",
      ),
    );
    const b = (await srv.server.exportStoreAsync()).devices.find((d) => d.serial === "SN-B");
    expect(b?.state).toBe("silent");
    expect(b?.lastStatusAt).not.toBeNull();
  });

  it("SubmitBillingReads stores a read once however often it is sent", async () => {
    const body = ops.submitBillingReads("proxy-1", [ops.read("read-SN-A-0001", "SN-A", 12345)]);
    const first = await call(body);
    expect([textOf(first.body, "Accepted"), textOf(first.body, "Duplicates")]).toEqual(["1", "0"]);
    for (let i = 0; i < 3; i++) {
      const again = await call(body);
      expect([textOf(again.body, "Accepted"), textOf(again.body, "Duplicates")]).toEqual(["0", "1"]);
    }
    const reads = (await srv.server.exportStoreAsync()).billingReads;
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      key: "read-SN-A-0001",
      serial: "SN-A",
      readAt: "2026-11-25T09:00:00.000Z",
      meters: [{ name: "Total", value: 12345, unit: "impressions" }],
    });
  });

  it("a batch mixing new and already stored reads stores only the new ones", async () => {
    const res = await call(
      ops.submitBillingReads("proxy-1", [
        ops.read("read-SN-A-0001", "SN-A", 12345),
        ops.read("read-SN-B-0001", "SN-B", 777),
      ]),
    );
    expect([textOf(res.body, "Accepted"), textOf(res.body, "Duplicates")]).toEqual(["1", "1"]);
    expect((await srv.server.exportStoreAsync()).billingReads.map((r) => r.key)).toEqual([
      "read-SN-A-0001",
      "read-SN-B-0001",
    ]);
  });

  it("twenty concurrent sends of the same reads store each read once", async () => {
    const body = ops.submitBillingReads("proxy-1", [
      ops.read("read-concurrent-A", "SN-A", 1),
      ops.read("read-concurrent-B", "SN-B", 2),
    ]);
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(body)));
    const accepted = answers.map((a) => Number(textOf(a.body, "Accepted")));
    const duplicates = answers.map((a) => Number(textOf(a.body, "Duplicates")));
    expect(accepted.reduce((x, y) => x + y, 0)).toBe(2);
    expect(duplicates.reduce((x, y) => x + y, 0)).toBe(38);
    expect(
      (await srv.server.exportStoreAsync()).billingReads.filter((r) => r.key.startsWith("read-concurrent")),
    ).toHaveLength(2);
  });

  it("SubmitSuppliesReport stores each report key once, keeping Printer-MIB sentinel levels", async () => {
    const body = ops.submitSuppliesReport("proxy-1", "supplies-SN-A-1", "SN-A");
    expect(textOf((await call(body)).body, "Accepted")).toBe("1");
    expect(textOf((await call(body)).body, "Duplicates")).toBe("1");
    const reports = (await srv.server.exportStoreAsync()).suppliesReports;
    expect(reports).toHaveLength(1);
    expect(reports[0]?.supplies).toEqual([
      { index: "1", description: "Black Toner", colorant: "black", max: 100, level: -3, state: "ok" },
    ]);
  });

  it("keeps everything across a restart on the same file, reusing the TLS pair", async () => {
    const before = await srv.server.exportStoreAsync();
    const pem = srv.certificatePem;
    await srv.server.close();
    const { url, certificatePem } = await srv.server.start();
    expect(url).toBe(srv.url);
    expect(certificatePem).toBe(pem);
    expect(await srv.server.exportStoreAsync()).toEqual(before);
    const dup = await call(ops.submitBillingReads("proxy-1", [ops.read("read-SN-A-0001", "SN-A", 12345)]));
    expect(textOf(dup.body, "Duplicates")).toBe("1");
    expect(faultCode(dup.body)).toBeUndefined();
  });
});
