import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommunicationServer } from "../../../src/server/index.js";
import {
  type BillingRead,
  CommunicationClient,
  type MessageSecurity,
  type ResponseMetadata,
} from "../../../src/soap/index.js";
import { createMessageSigner, createRequestVerifier } from "../../../src/wssec/index.js";
import { testIdentity } from "../../helpers/keys.js";

// The vendor FAQ's sizes (bytes, x = devices) for the transactions our operations carry.
const VENDOR = {
  RegisterProxy: () => 1526,
  RegisterDevices: (x: number) => 393 * x + 1503,
  Sync: () => 1425,
  SyncEnable: (x: number) => 1510 * x + 1425,
  ReportSyncStatus: (x: number) => 260 * x + 1247,
  SyncBilling: (x: number) => 1510 * x + 1425,
  SubmitBillingReads: (x: number) => 1314 * x + 1993,
};

const dir = mkdtempSync(join(tmpdir(), "esol-soap-wire-sizes-"));
const servers: CommunicationServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const serialOf = (i: number) => `XRX${String(3_100_000 + i)}`;
const readAt = new Date(Date.UTC(2026, 10, 25, 18, 0, 0));
const readOf = (serial: string): BillingRead => ({
  key: `${serial}-20261125T180000Z-1`,
  serial,
  readAt,
  cycle: "2026-11",
  meters: [
    { name: "BlackImpressions", value: 123_456, unit: "impressions" },
    { name: "ColorImpressions", value: 45_678, unit: "impressions" },
    { name: "TotalImpressions", value: 169_134, unit: "impressions" },
    { name: "ColorLargeImpressions", value: 1_234, unit: "impressions" },
  ],
});

interface Row {
  transaction: string;
  x: number;
  requestBytes: number;
  responseBytes: number;
  vendor: number;
  ours: number;
}

/** Runs the whole conversation for x devices on a fresh server; returns one row per transaction. */
async function conversation(
  x: number,
  port: number,
  security?: { client: MessageSecurity; trust: string },
): Promise<Row[]> {
  const server = new CommunicationServer({
    dbPath: join(dir, `x${x}-${security ? "signed" : "plain"}.db`),
    port,
    ...(security
      ? { verifier: createRequestVerifier({ trust: [security.trust] }) }
      : { signaturePolicy: "optional" as const }),
  });
  servers.push(server);
  const { url, certificatePem } = await server.start();
  const client = new CommunicationClient({
    endpoint: url,
    ca: certificatePem ?? "",
    env: {},
    ...(security ? { security: security.client } : {}),
  });
  const rows: Row[] = [];
  const add = (transaction: string, m: ResponseMetadata, vendor: number, side: "request" | "response") => {
    rows.push({
      transaction,
      x,
      requestBytes: m.requestBytes,
      responseBytes: m.responseBytes,
      vendor,
      ours: side === "request" ? m.requestBytes : m.responseBytes,
    });
  };
  const serials = Array.from({ length: x }, (_, i) => serialOf(i));
  try {
    add(
      "RegisterProxy",
      (
        await client.registerProxy({
          key: "proxy-registration-1",
          proxyId: "proxy-0001",
          site: "Head office",
          software: "esolutions-sdk/0.1.0",
          host: "collector-01",
        })
      ).$metadata,
      VENDOR.RegisterProxy(),
      "request",
    );
    const devices = serials.map((serial) => ({
      serial,
      vendor: "Xerox",
      model: "AltaLink C8045",
      mac: "9c:93:4e:12:34:56",
      address: "10.0.12.34",
    }));
    add(
      "RegisterDevices",
      (await client.registerDevices({ key: "device-registration-1", proxyId: "proxy-0001", devices }))
        .$metadata,
      VENDOR.RegisterDevices(x),
      "request",
    );
    const enable = await client.sync({ proxyId: "proxy-0001", clientTime: new Date() });
    add("Sync request", enable.$metadata, VENDOR.Sync(), "request");
    add("Sync response (EnableService)", enable.$metadata, VENDOR.SyncEnable(x), "response");
    const statuses = enable.directives.flatMap((d) =>
      d.kind === "EnableService" ? [{ serial: d.serial, service: d.service, enabled: true }] : [],
    );
    add(
      "ReportSyncStatus",
      (await client.reportSyncStatus({ key: "sync-status-1", proxyId: "proxy-0001", statuses })).$metadata,
      VENDOR.ReportSyncStatus(x),
      "request",
    );
    const billing = await client.sync({ proxyId: "proxy-0001", clientTime: new Date() });
    expect(billing.directives.filter((d) => d.kind === "BillingRequest")).toHaveLength(x);
    add("Sync response (BillingRequest)", billing.$metadata, VENDOR.SyncBilling(x), "response");
    add(
      "SubmitBillingReads",
      (await client.submitBillingReads({ proxyId: "proxy-0001", reads: serials.map(readOf) })).$metadata,
      VENDOR.SubmitBillingReads(x),
      "request",
    );
    const reports = serials.map((serial) => ({
      key: `${serial}-supplies-20261125T180000Z`,
      serial,
      readAt,
      supplies: ["black", "cyan", "magenta", "yellow"].map((colorant, i) => ({
        index: String(i + 1),
        colorant,
        type: "toner",
        unit: "percent",
        max: 100,
        level: 60,
        percent: 60,
      })),
    }));
    const supplies = await client.submitSuppliesReport({ proxyId: "proxy-0001", reports });
    rows.push({
      transaction: "SubmitSuppliesReport",
      x,
      requestBytes: supplies.$metadata.requestBytes,
      responseBytes: supplies.$metadata.responseBytes,
      vendor: Number.NaN,
      ours: supplies.$metadata.requestBytes,
    });
  } finally {
    await client.close();
  }
  return rows;
}

function print(title: string, rows: Row[]): void {
  const lines = rows.map(
    (r) =>
      `${r.transaction.padEnd(32)} x=${String(r.x).padStart(2)}  request ${String(r.requestBytes).padStart(6)}  response ${String(r.responseBytes).padStart(6)}  vendor ${Number.isNaN(r.vendor) ? "     -" : String(r.vendor).padStart(6)}  ours/vendor ${Number.isNaN(r.vendor) ? "   -" : (r.ours / r.vendor).toFixed(2)}`,
  );
  console.log(`\n${title}\n${lines.join("\n")}`);
}

describe("bytes on the wire per transaction, measured by the client against the reference server", () => {
  it("stays within the vendor's published sizes unsigned (x = 1 and 10)", async () => {
    const rows = [...(await conversation(1, 18410)), ...(await conversation(10, 18420))];
    print("unsigned, HTTPS", rows);
    for (const r of rows)
      if (!Number.isNaN(r.vendor)) expect(r.ours, `${r.transaction} x=${r.x}`).toBeLessThanOrEqual(r.vendor);
  });

  it("keeps a signed SubmitBillingReads within 1314·x + 1993 and its per-device slope under half the vendor's", async () => {
    // ECDSA P-256 with a thumbprint reference: the smallest profile the verifier accepts (the
    // server pins the certificate, so the message need not carry it).
    const id = await testIdentity("ec-p256", "wire-sizes");
    const signer = createMessageSigner({ key: id.keyPem, cert: id.certPem, keyReference: "thumbprint-sha1" });
    const security = { client: signer, trust: id.certPem };
    const rows = [...(await conversation(1, 18430, security)), ...(await conversation(10, 18440, security))];
    print("signed (ECDSA-SHA256, thumbprint key reference), HTTPS", rows);
    const billing = rows.filter((r) => r.transaction === "SubmitBillingReads");
    for (const r of billing) expect(r.requestBytes).toBeLessThanOrEqual(VENDOR.SubmitBillingReads(r.x));
    const [one, ten] = billing;
    expect(((ten?.requestBytes ?? 0) - (one?.requestBytes ?? 0)) / 9).toBeLessThanOrEqual(1314 / 2);
  });
});
