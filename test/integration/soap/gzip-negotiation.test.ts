import net from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { CommunicationClient, type ExchangeRecord } from "../../../src/soap/index.js";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { ackResponse, type CannedServer, soapFault, startCannedServer } from "./canned-server.js";

// Canned servers try 20 ports from here; the reference server takes an ephemeral port.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One HTTP message as it crossed the relay. */
interface WireMessage {
  startLine: string;
  headers: Record<string, string>;
  /** Body bytes as sent (compressed when compressed). */
  body: Buffer;
  /** Start line, headers and body: the bytes on the wire. */
  wireBytes: number;
}

function parseMessages(stream: Buffer): WireMessage[] {
  const out: WireMessage[] = [];
  let at = 0;
  while (at < stream.length) {
    const end = stream.indexOf("\r\n\r\n", at);
    if (end < 0) break;
    const [startLine = "", ...lines] = stream.subarray(at, end).toString("latin1").split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    // Both sides send Content-Length (the client always, the reference server always).
    const length = Number(headers["content-length"] ?? 0);
    out.push({
      startLine,
      headers,
      body: stream.subarray(end + 4, end + 4 + length),
      wireBytes: end + 4 + length - at,
    });
    at = end + 4 + length;
  }
  return out;
}

/** A TCP relay on loopback that keeps every byte each way, to read the HTTP exchanges off the wire. */
async function recordingRelay(targetPort: number) {
  const connections: Array<{ up: Buffer[]; down: Buffer[] }> = [];
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((inbound) => {
    const record = { up: [] as Buffer[], down: [] as Buffer[] };
    connections.push(record);
    const outbound = net.connect(targetPort, "127.0.0.1");
    inbound.on("data", (c: Buffer) => record.up.push(c));
    outbound.on("data", (c: Buffer) => record.down.push(c));
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => {
        sockets.delete(s);
        inbound.destroy();
        outbound.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        relay.close(() => resolve());
      }),
  );
  const messages = (side: "up" | "down") => connections.flatMap((c) => parseMessages(Buffer.concat(c[side])));
  return {
    port: (relay.address() as net.AddressInfo).port,
    requests: () => messages("up"),
    responses: () => messages("down"),
  };
}

async function referenceServer(): Promise<TestServer> {
  const srv = await startTestServer({ tls: false, signaturePolicy: "optional" });
  cleanups.push(() => srv.close());
  return srv;
}

function clientFor(
  endpoint: string,
  options: Partial<ConstructorParameters<typeof CommunicationClient>[0]> = {},
): CommunicationClient {
  const client = new CommunicationClient({ endpoint, env: {}, maxRetries: 0, ...options });
  cleanups.push(() => client.close());
  return client;
}

const devices = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({
    serial: `${prefix}${String(i).padStart(4, "0")}`,
    vendor: "Xerox",
    model: "AltaLink C8045",
  }));

describe("gzip negotiated with the reference server", () => {
  it('"auto" starts plain, gzips requests once the server advertised it, and gets large answers gzipped', async () => {
    const srv = await referenceServer();
    const relay = await recordingRelay(Number(new URL(srv.url).port));
    const client = clientFor(srv.url.replace(/:\d+\//, `:${relay.port}/`));
    expect(client.config.gzip).toBe("auto");

    await client.registerProxy({ key: "register-auto-1", proxyId: "proxy-auto" });
    await client.registerDevices({
      key: "devices-auto-1",
      proxyId: "proxy-auto",
      devices: devices(40, "AUT"),
    });
    const sync = await client.sync({ proxyId: "proxy-auto", clientTime: new Date() });

    const [register, registerDevices, syncRequest] = relay.requests();
    expect(register?.headers["accept-encoding"]).toBe("gzip");
    expect(register?.headers["content-encoding"]).toBeUndefined();
    expect(registerDevices?.headers["content-encoding"]).toBe("gzip");
    expect(syncRequest?.headers["content-encoding"]).toBe("gzip");
    // The server inflated what it was sent: every device is stored.
    expect(srv.server.exportStore().devices.filter((d) => d.proxyId === "proxy-auto")).toHaveLength(40);

    const [registered, , synced] = relay.responses();
    expect(registered?.headers["accept-encoding"]).toBe("gzip");
    expect(registered?.headers["content-encoding"]).toBeUndefined(); // under 1 KiB
    expect(registered?.headers.vary).toBeUndefined();
    expect(synced?.headers["content-encoding"]).toBe("gzip");
    expect(synced?.headers.vary).toBe("Accept-Encoding");
    const inflated = gunzipSync(synced?.body ?? Buffer.alloc(0));
    expect(inflated.length).toBeGreaterThan(4 * (synced?.body.length ?? 0));
    expect(inflated.toString("utf8")).toMatch(/^<soap:Envelope xmlns:soap="[^"]+" xmlns:tns=/);
    expect(sync.directives.filter((d) => d.kind === "EnableService")).toHaveLength(80);
    // The figures are the compressed bytes as they crossed the wire.
    expect(sync.$metadata.responseBytes).toBe(synced?.wireBytes);
    expect(sync.$metadata.requestBytes).toBe(syncRequest?.wireBytes);
  });

  it("gzip: false asks for nothing and gets large answers plain, with Vary", async () => {
    const srv = await referenceServer();
    const relay = await recordingRelay(Number(new URL(srv.url).port));
    const client = clientFor(srv.url.replace(/:\d+\//, `:${relay.port}/`), { gzip: false });
    await client.registerProxy({ key: "register-off-1", proxyId: "proxy-off" });
    await client.registerDevices({ key: "devices-off-1", proxyId: "proxy-off", devices: devices(40, "OFF") });
    const sync = await client.sync({ proxyId: "proxy-off", clientTime: new Date() });

    for (const request of relay.requests()) {
      expect(request.headers["accept-encoding"]).toBeUndefined();
      expect(request.headers["content-encoding"]).toBeUndefined();
    }
    const synced = relay.responses()[2];
    expect(synced?.headers["content-encoding"]).toBeUndefined();
    expect(synced?.headers.vary).toBe("Accept-Encoding");
    expect(synced?.body.toString("utf8")).toMatch(/^<soap:Envelope /);
    expect(sync.directives).toHaveLength(80);
  });

  it("gzip: true compresses the very first request", async () => {
    const srv = await referenceServer();
    const relay = await recordingRelay(Number(new URL(srv.url).port));
    const client = clientFor(srv.url.replace(/:\d+\//, `:${relay.port}/`), { gzip: true });
    const result = await client.registerProxy({ key: "register-forced-1", proxyId: "proxy-forced" });
    expect(result.duplicate).toBe(false);
    const [first] = relay.requests();
    expect(first?.headers["content-encoding"]).toBe("gzip");
    expect(first?.headers["accept-encoding"]).toBe("gzip");
  });
});

describe("gzip answers from a misbehaving server", () => {
  async function canned(answer: Parameters<typeof startCannedServer>[0]["answer"]): Promise<CannedServer> {
    const server = await startCannedServer({ answer });
    cleanups.push(() => server.close());
    return server;
  }

  it("refuses a gzip bomb with RESPONSE_TOO_LARGE once it inflates past maxResponseBytes, without retrying", async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    const server = await canned(() => ({ headers: { "Content-Encoding": "gzip" }, body: bomb }));
    const seen: ExchangeRecord[] = [];
    const client = clientFor(server.url, {
      maxResponseBytes: 1024 * 1024,
      maxRetries: 2,
      retryDelayMs: 1,
      onExchange: (e) => seen.push(e),
    });
    const err = await client
      .submitBillingReads({
        proxyId: "p1",
        reads: [
          { key: "read-0001", serial: "SN1", readAt: new Date(), meters: [{ name: "Total", value: 1 }] },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "RESPONSE_TOO_LARGE", retryable: false });
    expect(seen).toHaveLength(1);
    // Accounted as what crossed the wire: the small compressed body, not the 50 MiB.
    expect(seen[0]?.responseBytes).toBe(server.responseWireBytes[0]);
    expect(seen[0]?.responseBytes).toBeLessThan(bomb.length + 1024);
  });

  it("says BAD_RESPONSE for a body that claims gzip but is not", async () => {
    const server = await canned(() => ({ headers: { "Content-Encoding": "gzip" }, body: "plain text" }));
    const err = await clientFor(server.url)
      .sync({ proxyId: "p1", clientTime: new Date() })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_RESPONSE", retryable: false });
  });

  it('"auto" resends plain once when a server that advertised gzip answers 415, and stays plain', async () => {
    const server = await canned((req) =>
      req.headers["content-encoding"] === "gzip"
        ? {
            status: 415,
            headers: { "Accept-Encoding": "gzip" },
            body: soapFault("soap:Client", "no gzip here", "UNSUPPORTED_ENCODING"),
          }
        : { headers: { "Accept-Encoding": "gzip" }, body: ackResponse("SubmitBillingReads", 1) },
    );
    const seen: ExchangeRecord[] = [];
    const client = clientFor(server.url, { onExchange: (e) => seen.push(e) });
    const read = {
      key: "read-0001",
      serial: "SN1",
      readAt: new Date(),
      meters: [{ name: "Total", value: 1 }],
    };
    await client.submitBillingReads({ proxyId: "p1", reads: [read] }); // plain, learns
    const second = await client.submitBillingReads({ proxyId: "p1", reads: [read] }); // gzip, 415, plain
    await client.submitBillingReads({ proxyId: "p1", reads: [read] }); // plain from then on
    expect(server.requests.map((r) => r.headers["content-encoding"] ?? "identity")).toEqual([
      "identity",
      "gzip",
      "identity",
      "identity",
    ]);
    expect(second.$metadata.attempts).toBe(2);
    expect(seen.map((e) => e.status)).toEqual([200, 415, 200, 200]);
  });
});
