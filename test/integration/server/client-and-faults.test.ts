import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SoapFaultError, TransportError } from "../../../src/errors.js";
import { CommunicationClient } from "../../../src/soap/index.js";
import { createMessageSigner, createRequestVerifier } from "../../../src/wssec/index.js";
import { createTestIdentity, testIdentity } from "../../helpers/keys.js";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { faultCode, ops, post } from "./raw.js";

const read = (key: string, serial: string, total: number) => ({
  key,
  serial,
  readAt: new Date("2026-11-25T09:00:00Z"),
  cycle: "2026-11",
  meters: [{ name: "Total", value: total, unit: "impressions" }],
});

describe("the real CommunicationClient against the real server over HTTPS", () => {
  let srv: TestServer;
  let client: CommunicationClient;

  beforeAll(async () => {
    srv = await startTestServer({
      signaturePolicy: "optional",
      clock: () => new Date("2026-11-25T10:00:00Z"),
    });
    client = new CommunicationClient({
      endpoint: srv.url,
      ca: srv.certificatePem as string,
      retryDelayMs: 1,
      maxRetryDelayMs: 5,
      maxRetries: 3,
    });
  });
  afterAll(async () => {
    await client?.close();
    await srv?.close();
  });

  it("runs the whole conversation and maps every answer", async () => {
    const reg = await client.registerProxy({
      key: "proxy-key-0001",
      proxyId: "p1",
      site: "HQ",
      software: "esol 0.1",
    });
    expect(reg).toMatchObject({ proxyId: "p1", duplicate: false });
    expect(reg.serverTime.toISOString()).toBe("2026-11-25T10:00:00.000Z");
    const devices = await client.registerDevices({
      key: "devices-key-01",
      proxyId: "p1",
      devices: [{ serial: "SN-1", vendor: "Xerox" }, { serial: "SN-2" }],
    });
    expect(devices).toMatchObject({ accepted: 2, duplicates: 0 });
    const sync = await client.sync({ proxyId: "p1", clientTime: new Date() });
    expect(sync.directives).toContainEqual({ kind: "EnableService", serial: "SN-1", service: "billing" });
    await client.reportSyncStatus({
      key: "status-key-01",
      proxyId: "p1",
      statuses: sync.directives.flatMap((d) =>
        d.kind === "EnableService" ? [{ serial: d.serial, service: d.service, enabled: true }] : [],
      ),
    });
    const billing = await client.sync({ proxyId: "p1", clientTime: new Date() });
    expect(billing.directives.filter((d) => d.kind === "BillingRequest")).toEqual([
      {
        kind: "BillingRequest",
        serial: "SN-1",
        cycle: "2026-11",
        meters: [],
        due: new Date("2026-11-30T23:59:59Z"),
      },
      {
        kind: "BillingRequest",
        serial: "SN-2",
        cycle: "2026-11",
        meters: [],
        due: new Date("2026-11-30T23:59:59Z"),
      },
    ]);
    const ack = await client.submitBillingReads({
      proxyId: "p1",
      reads: [read("read-SN-1-0001", "SN-1", 10)],
    });
    expect(ack).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(ack.$metadata.requestBytes).toBeGreaterThan(0);
    const supplies = await client.submitSuppliesReport({
      proxyId: "p1",
      reports: [
        { key: "supplies-key-1", serial: "SN-1", readAt: new Date(), supplies: [{ index: "1", level: -2 }] },
      ],
    });
    expect(supplies).toMatchObject({ accepted: 1 });
  });

  it("a fault reaches the client as SoapFaultError with the server's code", async () => {
    const err = await client
      .submitBillingReads({ proxyId: "p1", reads: [read("read-unknown-1", "NOPE", 1)] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoapFaultError);
    expect(err).toMatchObject({ code: "UNKNOWN_DEVICE", retryable: false });
  });

  it("refuses reads and statuses for a device registered by another proxy, and stores nothing", async () => {
    await client.registerProxy({ key: "proxy-key-0002", proxyId: "p2" });
    const before = (await srv.server.exportStoreAsync()).billingReads.length;
    const err = await client
      .submitBillingReads({ proxyId: "p2", reads: [read("read-stolen-1", "SN-1", 999)] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "UNKNOWN_DEVICE", retryable: false });
    expect((err as Error).message).toContain("not registered to this proxy");
    const statusErr = await client
      .sync({ proxyId: "p2", clientTime: new Date(), statuses: [{ serial: "SN-1", state: "silent" }] })
      .catch((e: unknown) => e);
    expect(statusErr).toMatchObject({ code: "UNKNOWN_DEVICE" });
    expect((await srv.server.exportStoreAsync()).billingReads).toHaveLength(before);
    expect((await srv.server.exportStoreAsync()).devices.find((d) => d.serial === "SN-1")?.state).not.toBe(
      "silent",
    );
  });

  it("a connection dropped after the batch was stored: the resend is acknowledged as a duplicate", async () => {
    srv.server.injectFaults([{ operation: "SubmitBillingReads", kind: "drop-after-store", count: 1 }]);
    const ack = await client.submitBillingReads({
      proxyId: "p1",
      reads: [read("read-SN-2-0001", "SN-2", 20)],
    });
    // duplicates: 1 is the proof that the first, dropped attempt had been stored.
    expect(ack).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(
      (await srv.server.exportStoreAsync()).billingReads.filter((r) => r.key === "read-SN-2-0001"),
    ).toHaveLength(1);
  });

  it("a connection dropped before storing: nothing is stored, the resend is stored", async () => {
    srv.server.injectFaults([{ operation: "SubmitBillingReads", kind: "drop-before-store", count: 1 }]);
    const body = ops.submitBillingReads("p1", [ops.read("read-SN-2-0002", "SN-2", 21)]);
    await expect(post(srv.url, body, { ca: srv.certificatePem as string })).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
    expect((await srv.server.exportStoreAsync()).billingReads.some((r) => r.key === "read-SN-2-0002")).toBe(
      false,
    );
    srv.server.injectFaults([{ operation: "SubmitBillingReads", kind: "drop-before-store", count: 1 }]);
    const ack = await client.submitBillingReads({
      proxyId: "p1",
      reads: [read("read-SN-2-0002", "SN-2", 21)],
    });
    expect(ack).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it("503 then 429 with Retry-After are retried, and the store holds the read once", async () => {
    srv.server.injectFaults([
      { kind: "http-503", count: 1 },
      { kind: "http-429", retryAfterSeconds: 0, count: 1 },
    ]);
    const ack = await client.submitBillingReads({
      proxyId: "p1",
      reads: [read("read-SN-1-0002", "SN-1", 11)],
    });
    expect(ack).toMatchObject({ accepted: 1 });
    expect(ack.$metadata.attempts).toBe(3);
  });

  it("429 carries Retry-After and 400 is a non-retryable transport error; injected faults are used up", async () => {
    srv.server.injectFaults([{ operation: "Sync", kind: "http-429", retryAfterSeconds: 7, count: 1 }]);
    const raw = await post(srv.url, ops.sync("p1"), { ca: srv.certificatePem as string });
    expect([raw.status, raw.headers["retry-after"]]).toEqual([429, "7"]);
    expect((await post(srv.url, ops.sync("p1"), { ca: srv.certificatePem as string })).status).toBe(200);

    srv.server.injectFaults([{ kind: "http-400", count: 1 }]);
    const err = await client.sync({ proxyId: "p1", clientTime: new Date() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ status: 400, retryable: false });
    await expect(client.sync({ proxyId: "p1", clientTime: new Date() })).resolves.toBeDefined();
  });
});

describe("the server with a WS-Security verifier and a response signer", () => {
  let srv: TestServer;

  beforeAll(async () => {
    const clientId = await testIdentity("rsa", "server-suite-client");
    const serverId = await testIdentity("ec-p256", "server-suite-server");
    srv = await startTestServer({
      tls: false,
      verifier: createRequestVerifier({ trust: [clientId.certPem] }),
      responseSecurity: createMessageSigner({ key: serverId.keyPem, cert: serverId.certPem }),
    });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it("accepts a signed client, records the signer, and signs its answers", async () => {
    const clientId = await testIdentity("rsa", "server-suite-client");
    const serverId = await testIdentity("ec-p256", "server-suite-server");
    const client = new CommunicationClient({
      endpoint: srv.url,
      maxRetries: 0,
      security: createMessageSigner({
        key: clientId.keyPem,
        cert: clientId.certPem,
        verifyResponsesWith: serverId.certPem,
      }),
    });
    try {
      await client.registerProxy({ key: "proxy-key-0001", proxyId: "signed-1" });
      expect((await srv.server.exportStoreAsync()).proxies[0]?.signer?.thumbprintSha256).toMatch(
        /^[0-9a-f]{64}$/,
      );
    } finally {
      await client.close();
    }
  });

  it("refuses an unsigned request with a wsse fault and stores nothing, then serves the next one", async () => {
    const res = await post(srv.url, ops.registerProxy("proxy-key-0002", "unsigned-1"));
    expect(res.status).toBe(500);
    expect(res.body).toMatch(/<faultcode>wsse:\w+<\/faultcode>/);
    expect(res.body).toContain("WSS_UNSIGNED");
    // The same CommunicationFault detail as every other fault: clients read the code there.
    expect(faultCode(res.body)).toBe("WSS_UNSIGNED");
    expect(res.body).toContain("<Retryable>false</Retryable>");
    const unsignedClient = new CommunicationClient({ endpoint: srv.url, maxRetries: 0 });
    try {
      await expect(
        unsignedClient.registerProxy({ key: "proxy-key-0002", proxyId: "unsigned-1" }),
      ).rejects.toMatchObject({ code: "WSS_UNSIGNED", retryable: false, status: 500 });
    } finally {
      await unsignedClient.close();
    }
    expect((await srv.server.exportStoreAsync()).proxies.map((p) => p.proxyId)).toEqual(["signed-1"]);
  });

  it("refuses a body altered after signing", async () => {
    const clientId = await testIdentity("rsa", "server-suite-client");
    const signer = createMessageSigner({ key: clientId.keyPem, cert: clientId.certPem });
    const signed = await signer.secureRequest(ops.registerProxy("proxy-key-0003", "signed-2"), {
      operation: "RegisterProxy",
      attempt: 1,
    });
    const res = await post(srv.url, signed.replace("signed-2", "evil-22"));
    expect(res.body).toContain("<faultcode>wsse:FailedCheck</faultcode>");
    expect((await srv.server.exportStoreAsync()).proxies.map((p) => p.proxyId)).toEqual(["signed-1"]);
  });
});

describe("registration binds a CA-issued proxy certificate for thumbprint references", () => {
  let srv: TestServer | undefined;
  let firstDir = "";
  afterAll(async () => {
    await srv?.close();
    if (firstDir) rmSync(firstDir, { recursive: true, force: true });
  });

  it("accepts thumbprint-referenced messages after a BST registration, also after a restart", async () => {
    const ca = await createTestIdentity("ec-p256", { commonName: "esol-test-dealer-ca", isCa: true });
    const proxyId = await createTestIdentity("ec-p256", { commonName: "proxy-0042", ca });
    const verifier = () => createRequestVerifier({ trustCa: [ca.certPem], subject: "CN=proxy-\\d+" });
    srv = await startTestServer({ tls: false, verifier: verifier() });
    const bst = new CommunicationClient({
      endpoint: srv.url,
      maxRetries: 0,
      security: createMessageSigner({ key: proxyId.keyPem, cert: proxyId.certPem }),
    });
    const thumb = new CommunicationClient({
      endpoint: srv.url,
      maxRetries: 0,
      security: createMessageSigner({
        key: proxyId.keyPem,
        cert: proxyId.certPem,
        keyReference: "thumbprint-sha256",
      }),
    });
    try {
      const before = await thumb
        .sync({ proxyId: "ca-proxy", clientTime: new Date() })
        .catch((e: unknown) => e);
      expect(before).toMatchObject({ code: expect.stringMatching(/^WSS_/) });
      await bst.registerProxy({ key: "proxy-key-0042", proxyId: "ca-proxy" });
      await expect(thumb.sync({ proxyId: "ca-proxy", clientTime: new Date() })).resolves.toMatchObject({
        directives: [],
      });
    } finally {
      await bst.close();
      await thumb.close();
    }

    // A new verifier knows nothing; the server pins the stored certificate again at start.
    const dbPath = srv.dbPath;
    firstDir = srv.dir;
    await srv.close({ keepFiles: true });
    srv = await startTestServer({ tls: false, verifier: verifier(), dbPath });
    const again = new CommunicationClient({
      endpoint: srv.url,
      maxRetries: 0,
      security: createMessageSigner({
        key: proxyId.keyPem,
        cert: proxyId.certPem,
        keyReference: "thumbprint-sha256",
      }),
    });
    try {
      await expect(again.sync({ proxyId: "ca-proxy", clientTime: new Date() })).resolves.toBeDefined();
    } finally {
      await again.close();
    }
  });
});
