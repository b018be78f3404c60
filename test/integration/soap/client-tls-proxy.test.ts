import http from "node:http";
import net from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CommunicationClient } from "../../../src/soap/index.js";
import { type LoopbackTls, loopbackTls } from "../../helpers/tls.js";
import { ackResponse, type CannedServer, startCannedServer } from "./canned-server.js";

let tls: LoopbackTls;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  tls = await loopbackTls();
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function httpsServer(requestCert = false): Promise<CannedServer> {
  const server = await startCannedServer({
    tls: { cert: tls.cert, key: tls.key, ca: tls.cert, requestCert },
    answer: () => ({ body: ackResponse("SubmitBillingReads", 1) }),
  });
  cleanups.push(() => server.close());
  return server;
}

/** A name only the test proxy resolves (to 127.0.0.1): an endpoint that is not loopback to the client. */
const REMOTE_NAME = "printers.esol.test";

/** A CONNECT-only forward proxy on loopback that records the tunnels it opened. */
async function connectProxy(): Promise<{ url: string; tunnels: string[]; authorizations: string[] }> {
  const tunnels: string[] = [];
  const authorizations: string[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on("connect", (req, clientSocket: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? "");
    authorizations.push(String(req.headers["proxy-authorization"] ?? ""));
    const [host, port] = (req.url ?? "").split(":");
    if (host !== "127.0.0.1" && host !== REMOTE_NAME) {
      clientSocket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = net.connect(Number(port), "127.0.0.1", () => {
      clientSocket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    for (const s of [upstream, clientSocket]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const proxyPort = (proxy.address() as net.AddressInfo).port;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        proxy.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${proxyPort}`, tunnels, authorizations };
}

const reads = [
  { key: "read-0001", serial: "SN1", readAt: new Date(), meters: [{ name: "Total", value: 1 }] },
];

function newClient(options: ConstructorParameters<typeof CommunicationClient>[0]): CommunicationClient {
  const client = new CommunicationClient({ env: {}, retryDelayMs: 10, ...options });
  cleanups.push(() => client.close());
  return client;
}

describe("CommunicationClient over HTTPS", () => {
  it("talks to a server whose certificate it trusts through ca", async () => {
    const server = await httpsServer();
    const client = newClient({ endpoint: server.url, ca: tls.cert });
    const ack = await client.submitBillingReads({ proxyId: "p1", reads });
    expect(ack.accepted).toBe(1);
    expect(ack.$metadata.httpStatus).toBe(200);
    expect(ack.$metadata.requestBytes).toBeGreaterThan(300);
  });

  it("refuses an untrusted server certificate with TLS_ERROR and does not retry", async () => {
    const server = await httpsServer();
    const client = newClient({ endpoint: server.url, maxRetries: 3 });
    const err = await client.submitBillingReads({ proxyId: "p1", reads }).catch((e) => e);
    expect(err).toMatchObject({ code: "TLS_ERROR", retryable: false });
    expect(server.requests).toHaveLength(0);
  });

  it("presents its client certificate for mutual TLS, and keeps the key out of error messages", async () => {
    const server = await httpsServer(true);
    const client = newClient({
      endpoint: server.url,
      ca: tls.cert,
      cert: tls.clientCert,
      key: tls.clientKey,
    });
    expect((await client.submitBillingReads({ proxyId: "p1", reads })).accepted).toBe(1);
    expect(server.peerNames).toContain("esol-test-client");

    const anonymous = newClient({ endpoint: server.url, ca: tls.cert, maxRetries: 0 });
    const err = await anonymous.submitBillingReads({ proxyId: "p1", reads }).catch((e) => e);
    expect(err.code).toMatch(/^(TLS_ERROR|CONNECTION_RESET)$/);

    const badKey = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n";
    let keyErr: { code?: string; message: string } = { message: "" };
    try {
      newClient({ endpoint: server.url, ca: tls.cert, cert: tls.clientCert, key: badKey });
    } catch (e) {
      keyErr = e as typeof keyErr;
    }
    expect(keyErr.code).toBe("CONFIG_TLS");
    expect(keyErr.message).toContain("cert/key");
    expect(keyErr.message).not.toContain("PRIVATE KEY");
    expect(keyErr.message).not.toContain("c2VjcmV0");
  });
});

describe("CommunicationClient through an HTTP proxy", () => {
  it("tunnels HTTPS through the proxy option with CONNECT, TLS end to end", async () => {
    const server = await httpsServer();
    const proxy = await connectProxy();
    const client = newClient({ endpoint: server.url, ca: tls.cert, proxy: proxy.url });
    expect(client.config.proxy).toBe(proxy.url);
    await client.submitBillingReads({ proxyId: "p1", reads });
    await client.submitBillingReads({ proxyId: "p1", reads });
    expect(proxy.tunnels).toEqual([`127.0.0.1:${server.port}`]); // one kept-alive tunnel for both calls
    expect(server.requests).toHaveLength(2);
  });

  it("uses the environment's proxy for a remote host unless NO_PROXY names it", async () => {
    const server = await startCannedServer({
      answer: () => ({ body: ackResponse("SubmitBillingReads", 1) }),
    });
    cleanups.push(() => server.close());
    const proxy = await connectProxy();
    const endpoint = `http://${REMOTE_NAME}:${server.port}/esolutions/v1`;
    const viaEnv = newClient({ endpoint, env: { HTTP_PROXY: proxy.url } });
    expect(viaEnv.config.proxy).toBe(proxy.url);
    await viaEnv.submitBillingReads({ proxyId: "p1", reads });
    expect(proxy.tunnels).toEqual([`${REMOTE_NAME}:${server.port}`]);
    expect(server.requests).toHaveLength(1);

    const excluded = newClient({ endpoint, env: { http_proxy: proxy.url, NO_PROXY: "esol.test" } });
    expect(excluded.config.proxy).toBeUndefined();
    const disabled = newClient({ endpoint, proxy: false, env: { HTTP_PROXY: proxy.url } });
    expect(disabled.config.proxy).toBeUndefined();
  });

  it("reaches loopback endpoints directly although HTTPS_PROXY is set", async () => {
    const server = await httpsServer();
    const proxy = await connectProxy();
    for (const endpoint of [server.url, server.url.replace("127.0.0.1", "localhost")]) {
      const client = newClient({ endpoint, ca: tls.cert, env: { HTTPS_PROXY: proxy.url } });
      expect(client.config.proxy).toBeUndefined();
      await client.submitBillingReads({ proxyId: "p1", reads });
    }
    expect(proxy.tunnels).toEqual([]);
    expect(server.requests).toHaveLength(2);
  });

  it("reports a proxy that refuses the tunnel as PROXY_ERROR, sending but never printing its credentials", async () => {
    const proxy = await connectProxy();
    const client = newClient({
      endpoint: "https://localhost:18199/esolutions/v1",
      proxy: proxy.url.replace("http://", "http://esol:s3cret@"),
      maxRetries: 0,
    });
    const err = await client.submitBillingReads({ proxyId: "p1", reads }).catch((e) => e);
    expect(err).toMatchObject({ code: "PROXY_ERROR", status: 403, retryable: false });
    expect(proxy.authorizations).toEqual([`Basic ${Buffer.from("esol:s3cret").toString("base64")}`]);
    expect(err.message).not.toContain("s3cret");
    expect(JSON.stringify(client.config)).not.toContain("s3cret");
  });
});
