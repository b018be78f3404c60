import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SoapFaultError } from "../../../src/errors.js";
import { CommunicationServer } from "../../../src/server/index.js";
import { type BillingRead, CommunicationClient, type ExchangeRecord } from "../../../src/soap/index.js";
import { createMessageSigner, createRequestVerifier } from "../../../src/wssec/index.js";
import { testIdentity } from "../../helpers/keys.js";

const dir = mkdtempSync(join(tmpdir(), "esol-soap-client-server-"));
let server: CommunicationServer;
let client: CommunicationClient;
const exchanges: ExchangeRecord[] = [];

beforeAll(async () => {
  server = new CommunicationServer({
    dbPath: join(dir, "server.db"),
    port: 0,
    signaturePolicy: "optional",
    billing: { cycle: "monthly" },
  });
  const { url, certificatePem } = await server.start();
  expect(url.startsWith("https://")).toBe(true);
  client = new CommunicationClient({
    endpoint: url,
    ca: certificatePem ?? "",
    env: {},
    retryDelayMs: 20,
    onExchange: (e) => exchanges.push(e),
  });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const serials = ["XRX-0001", "XRX-0002"];
const billingRead = (key: string, serial = "XRX-0001"): BillingRead => ({
  key,
  serial,
  readAt: new Date(),
  meters: [
    { name: "Black", value: 1200, unit: "impressions" },
    { name: "Color", value: 300, unit: "impressions" },
  ],
});

describe("CommunicationClient against the reference server over HTTPS", () => {
  it("registers the proxy once: a resend with the same key is a duplicate", async () => {
    const first = await client.registerProxy({
      key: "proxy-reg-1",
      proxyId: "proxy-1",
      site: "HQ",
      software: "esol 0.1",
    });
    expect(first).toMatchObject({ proxyId: "proxy-1", duplicate: false });
    expect(first.serverTime).toBeInstanceOf(Date);
    expect(first.$metadata).toMatchObject({ operation: "RegisterProxy", attempts: 1, httpStatus: 200 });
    const again = await client.registerProxy({
      key: "proxy-reg-1",
      proxyId: "proxy-1",
      site: "HQ",
      software: "esol 0.1",
    });
    expect(again.duplicate).toBe(true);
    expect(server.exportStore().proxies).toHaveLength(1);
  });

  it("registers devices, is told to enable billing, confirms, and is then asked for reads", async () => {
    const ack = await client.registerDevices({
      key: "devices-reg-1",
      proxyId: "proxy-1",
      devices: serials.map((serial) => ({ serial, vendor: "Xerox", model: "AltaLink C8045" })),
    });
    expect(ack.accepted).toBe(2);
    const first = await client.sync({ proxyId: "proxy-1", clientTime: new Date() });
    const enabled = first.directives.filter((d) => d.kind === "EnableService" && d.service === "billing");
    expect(enabled.map((d) => d.serial).sort()).toEqual(serials);
    const status = await client.reportSyncStatus({
      key: "sync-status-1",
      proxyId: "proxy-1",
      statuses: first.directives.flatMap((d) =>
        d.kind === "EnableService" ? [{ serial: d.serial, service: d.service, enabled: true }] : [],
      ),
    });
    expect(status.accepted).toBeGreaterThan(0);
    const second = await client.sync({
      proxyId: "proxy-1",
      clientTime: new Date(),
      statuses: serials.map((serial) => ({ serial, state: "ok" as const, lastReadAt: new Date() })),
    });
    const requests = second.directives.filter((d) => d.kind === "BillingRequest");
    expect(requests.map((d) => d.serial).sort()).toEqual(serials);
    for (const r of requests) if (r.kind === "BillingRequest") expect(r.due).toBeInstanceOf(Date);
  });

  it("stores a billing read once however often it is sent", async () => {
    const read = billingRead("XRX-0001-read-1");
    const first = await client.submitBillingReads({ proxyId: "proxy-1", reads: [read] });
    expect(first).toMatchObject({ accepted: 1, duplicates: 0 });
    const resend = await client.submitBillingReads({ proxyId: "proxy-1", reads: [read] });
    expect(resend).toMatchObject({ accepted: 0, duplicates: 1 });
    const stored = server.exportStore().billingReads.filter((r) => r.key === read.key);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.meters).toEqual([
      { name: "Black", value: 1200, unit: "impressions" },
      { name: "Color", value: 300, unit: "impressions" },
    ]);
  });

  it("resends after the server stored a batch and dropped the connection, and the read is stored once", async () => {
    server.injectFaults([{ operation: "SubmitBillingReads", kind: "drop-after-store", count: 1 }]);
    const read = billingRead("XRX-0002-read-1", "XRX-0002");
    const ack = await client.submitBillingReads({ proxyId: "proxy-1", reads: [read] });
    expect(ack.$metadata.attempts).toBe(2);
    expect(ack).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(server.exportStore().billingReads.filter((r) => r.key === read.key)).toHaveLength(1);
  });

  it("retries a 503 and a 429 from the server", async () => {
    server.injectFaults([
      { operation: "Sync", kind: "http-503", count: 1 },
      { operation: "Sync", kind: "http-429", retryAfterSeconds: 0, count: 1 },
    ]);
    const result = await client.sync({ proxyId: "proxy-1", clientTime: new Date() });
    expect(result.$metadata.attempts).toBe(3);
  });

  it("sends a supplies report", async () => {
    const ack = await client.submitSuppliesReport({
      proxyId: "proxy-1",
      reports: [
        {
          key: "XRX-0001-supplies-1",
          serial: "XRX-0001",
          readAt: new Date(),
          supplies: [
            {
              index: "1",
              description: "Black Toner",
              colorant: "black",
              type: "toner",
              unit: "percent",
              max: 100,
              level: 42,
              percent: 42,
              state: "ok",
            },
          ],
        },
      ],
    });
    expect(ack.accepted).toBe(1);
    expect(server.exportStore().suppliesReports).toHaveLength(1);
  });

  it("turns an unknown serial into a non-retryable SoapFaultError UNKNOWN_DEVICE, storing nothing", async () => {
    const before = exchanges.length;
    const err = await client
      .submitBillingReads({ proxyId: "proxy-1", reads: [billingRead("NOPE-read-1", "NOPE-9999")] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(SoapFaultError);
    expect(err).toMatchObject({ code: "UNKNOWN_DEVICE", retryable: false });
    expect(exchanges.length - before).toBe(1);
    expect(server.exportStore().billingReads.some((r) => r.key === "NOPE-read-1")).toBe(false);
  });
});

describe("CommunicationClient signing against the reference server with a verifier", () => {
  it("is accepted when signed with the pinned key and refused with a WSS_ fault, not retried, when signed with another", async () => {
    const pinned = await testIdentity("ec-p256", "client-server-pinned");
    const stranger = await testIdentity("ec-p256", "client-server-stranger");
    const signedServer = new CommunicationServer({
      dbPath: join(dir, "signed.db"),
      port: 0,
      verifier: createRequestVerifier({ trust: [pinned.certPem] }),
    });
    const { url, certificatePem } = await signedServer.start();
    const base = { endpoint: url, ca: certificatePem ?? "", env: {}, retryDelayMs: 20 };
    const good = new CommunicationClient({
      ...base,
      security: createMessageSigner({ key: pinned.keyPem, cert: pinned.certPem }),
    });
    const seen: ExchangeRecord[] = [];
    const bad = new CommunicationClient({
      ...base,
      security: createMessageSigner({ key: stranger.keyPem, cert: stranger.certPem }),
      onExchange: (e) => seen.push(e),
    });
    try {
      const ok = await good.registerProxy({ key: "signed-proxy-1", proxyId: "proxy-signed" });
      expect(ok.duplicate).toBe(false);
      const err = await bad
        .registerProxy({ key: "signed-proxy-2", proxyId: "proxy-stranger" })
        .catch((e) => e);
      expect(err).toBeInstanceOf(SoapFaultError);
      expect(err.code).toMatch(/^WSS_/);
      expect(err.retryable).toBe(false);
      expect(seen).toHaveLength(1);
      expect(signedServer.exportStore().proxies.map((p) => p.proxyId)).toEqual(["proxy-signed"]);
    } finally {
      await good.close();
      await bad.close();
      await signedServer.close();
    }
  });

  it("verifies signed responses: accepts the pinned server signature, refuses another without retrying", async () => {
    const clientId = await testIdentity("ec-p256", "client-server-pinned");
    const serverId = await testIdentity("ec-p256", "client-server-responder");
    const impostor = await testIdentity("ec-p256", "client-server-impostor");
    const results: Array<{ signer: string; outcome: string; attempts: number }> = [];
    for (const [name, signer] of [
      ["server", serverId],
      ["impostor", impostor],
    ] as const) {
      const signing = new CommunicationServer({
        dbPath: join(dir, `responses-${name}.db`),
        port: 0,
        responseSecurity: createMessageSigner({ key: signer.keyPem, cert: signer.certPem }),
      });
      const { url, certificatePem } = await signing.start();
      const seen: ExchangeRecord[] = [];
      const client = new CommunicationClient({
        endpoint: url,
        ca: certificatePem ?? "",
        env: {},
        retryDelayMs: 20,
        onExchange: (e) => seen.push(e),
        security: createMessageSigner({
          key: clientId.keyPem,
          cert: clientId.certPem,
          verifyResponsesWith: serverId.certPem,
        }),
      });
      try {
        const outcome = await client
          .registerProxy({ key: `responses-${name}-1`, proxyId: "proxy-1" })
          .then(() => "accepted")
          .catch((e: { code?: string }) => String(e.code));
        results.push({ signer: name, outcome, attempts: seen.length });
      } finally {
        await client.close();
        await signing.close();
      }
    }
    expect(results[0]).toEqual({ signer: "server", outcome: "accepted", attempts: 1 });
    expect(results[1]?.outcome).toMatch(/^WSS_/);
    expect(results[1]?.attempts).toBe(1);
  });
});
