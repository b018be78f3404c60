/**
 * `httpProxy` is the client's outbound HTTP proxy option (issue 19, item 6); `proxy` stays
 * one minor version as a deprecated alias that warns once per process. The resolved proxy
 * (`client.config.proxy`) is what the client tunnels through (test/integration/soap/
 * client-tls-proxy.test.ts sends through it).
 */
import { afterAll, describe, expect, it } from "vitest";
import { CommunicationClient, type CommunicationClientOptions } from "../../../src/soap/index.js";

const warnings: Error[] = [];
const onWarning = (w: Error): void => {
  warnings.push(w);
};
process.on("warning", onWarning);
afterAll(() => {
  process.off("warning", onWarning);
});

const clients: CommunicationClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close();
});

/** A client for a remote (not loopback) endpoint, so a proxy applies; no environment proxy. */
function client(options: Partial<CommunicationClientOptions>): CommunicationClient {
  const c = new CommunicationClient({ endpoint: "https://cs.example/esolutions/v1", env: {}, ...options });
  clients.push(c);
  return c;
}

/** process.emitWarning delivers on the next tick. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("CommunicationClientOptions.httpProxy", () => {
  it("is the outbound proxy, and warns about nothing", async () => {
    expect(client({ httpProxy: "http://127.0.0.1:3128" }).config.proxy).toBe("http://127.0.0.1:3128");
    expect(client({ httpProxy: false, env: { HTTPS_PROXY: "http://127.0.0.1:3128" } }).config.proxy).toBe(
      undefined,
    );
    await tick();
    expect(warnings).toEqual([]);
  });

  it("keeps the deprecated proxy alias working, with one DeprecationWarning per process", async () => {
    expect(client({ proxy: "http://127.0.0.1:3129" }).config.proxy).toBe("http://127.0.0.1:3129");
    expect(client({ proxy: "http://127.0.0.1:3130" }).config.proxy).toBe("http://127.0.0.1:3130");
    await tick();
    expect(warnings.map((w) => [w.name, (w as Error & { code?: string }).code])).toEqual([
      ["DeprecationWarning", "ESOL_DEP_PROXY_OPTION"],
    ]);
    expect(warnings[0]!.message).toContain("use httpProxy");
  });

  it("prefers httpProxy when both are given", () => {
    expect(client({ httpProxy: "http://127.0.0.1:3131", proxy: "http://127.0.0.1:3132" }).config.proxy).toBe(
      "http://127.0.0.1:3131",
    );
    expect(client({ httpProxy: false, proxy: "http://127.0.0.1:3132" }).config.proxy).toBe(undefined);
  });
});
