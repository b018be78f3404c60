import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessageSigner } from "../../../src/wssec/index.js";
import { testIdentity } from "../../helpers/keys.js";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { faultCode, get, ops, post, type RawResponse } from "./raw.js";

const serials = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, "0")}`);

/** The answer's text, inflated when it came gzipped. */
const textOf = (res: RawResponse): string =>
  (res.headers["content-encoding"] === "gzip" ? gunzipSync(res.bodyBytes) : res.bodyBytes).toString("utf8");

/** The envelope without the one part that changes from answer to answer. */
const withoutTime = (text: string) => text.replace(/<ServerTime>[^<]*<\/ServerTime>/, "<ServerTime/>");

describe("response compression of the reference server", () => {
  let srv: TestServer;
  const gzip = { "Accept-Encoding": "gzip, deflate" };

  beforeAll(async () => {
    srv = await startTestServer({ tls: false, signaturePolicy: "optional" });
    await post(srv.url, ops.registerProxy("compress-proxy-1", "proxy-z"));
    await post(srv.url, ops.registerDevices("compress-devices-1", "proxy-z", serials(40, "GZ")));
  });
  afterAll(async () => {
    await srv?.close();
  });

  it("gzips a large answer when asked, and it inflates to exactly the plain answer", async () => {
    const zipped = await post(srv.url, ops.sync("proxy-z"), { headers: gzip });
    const plain = await post(srv.url, ops.sync("proxy-z"));
    expect(zipped.status).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toBe("Accept-Encoding");
    expect(zipped.headers["accept-encoding"]).toBe("gzip");
    expect(Number(zipped.headers["content-length"])).toBe(zipped.bodyBytes.length);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers.vary).toBe("Accept-Encoding");
    expect(plain.bodyBytes.length).toBeGreaterThan(1024);
    expect(zipped.bodyBytes.length).toBeLessThan(plain.bodyBytes.length / 5);
    expect(withoutTime(textOf(zipped))).toBe(withoutTime(plain.body));
    expect(plain.body.match(/<EnableService>/g)).toHaveLength(80);
  });

  it("sends plain when gzip is refused with q=0", async () => {
    const res = await post(srv.url, ops.sync("proxy-z"), { headers: { "Accept-Encoding": "gzip;q=0, br" } });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.body).toContain("<EnableService>");
  });

  it("leaves answers under 1 KiB plain and without Vary, even when gzip is accepted", async () => {
    const res = await post(srv.url, ops.registerProxy("compress-proxy-1", "proxy-z"), { headers: gzip });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
    expect(res.body).toContain("<Duplicate>true</Duplicate>");
  });

  it("writes envelopes without an XML declaration or doubled spaces, answers and faults alike", async () => {
    const answer = await post(srv.url, ops.registerProxy("compress-proxy-1", "proxy-z"));
    const fault = await post(srv.url, ops.sync("no-such-proxy"), { headers: gzip });
    for (const res of [answer, fault]) {
      expect(res.body.startsWith("<soap:Envelope xmlns:soap=")).toBe(true);
      expect(res.body.slice(0, res.body.indexOf(">"))).not.toContain("  ");
    }
    expect(fault.status).toBe(500);
    expect(faultCode(fault.body)).toBe("UNKNOWN_PROXY");
    expect(fault.headers["accept-encoding"]).toBe("gzip");
  });

  it("answers a gzip request it cannot take with its fault, plain, still advertising gzip", async () => {
    const res = await post(srv.url, Buffer.from("not gzip at all"), {
      headers: { "Content-Encoding": "gzip", ...gzip },
    });
    expect(res.status).toBe(400);
    expect(faultCode(res.body)).toBe("INVALID_ENCODING");
    expect(res.headers["accept-encoding"]).toBe("gzip");
  });

  it("gzips the WSDL for clients that accept it", async () => {
    const res = await get(`${srv.url}?wsdl`, { headers: gzip });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(textOf(res)).toContain(`<soap:address location="${srv.url}"/>`);
  });
});

describe("signed responses with compression", () => {
  let srv: TestServer;
  let verifier: ReturnType<typeof createMessageSigner>;
  /** The client's check of a response signature (throws a WSS_ error when it fails). */
  const verify = async (text: string): Promise<void> => {
    await verifier.verifyResponse?.(text, { operation: "Sync", attempt: 1 });
  };

  beforeAll(async () => {
    const serverId = await testIdentity("ec-p256", "compression-responder");
    const clientId = await testIdentity("ec-p256", "compression-client");
    srv = await startTestServer({
      tls: false,
      signaturePolicy: "optional",
      responseSecurity: createMessageSigner({ key: serverId.keyPem, cert: serverId.certPem }),
    });
    verifier = createMessageSigner({
      key: clientId.keyPem,
      cert: clientId.certPem,
      verifyResponsesWith: serverId.certPem,
    });
    await post(srv.url, ops.registerProxy("signed-proxy-01", "proxy-s"));
    await post(srv.url, ops.registerDevices("signed-devices-1", "proxy-s", serials(30, "SG")));
  });
  afterAll(async () => {
    await srv?.close();
  });

  it("signs the compact text and gzips it after: the inflated bytes verify", async () => {
    const res = await post(srv.url, ops.sync("proxy-s"), { headers: { "Accept-Encoding": "gzip" } });
    expect(res.headers["content-encoding"]).toBe("gzip");
    const text = textOf(res);
    expect(text.startsWith("<soap:Envelope ")).toBe(true);
    expect(text).toContain("<ds:SignatureValue>");
    await expect(verify(text)).resolves.toBeUndefined();
    const tampered = text.replace("<Service>billing</Service>", "<Service>supplies</Service>");
    expect(tampered).not.toBe(text);
    await expect(verify(tampered)).rejects.toMatchObject({ code: expect.stringMatching(/^WSS_/) });
  });

  it("signs faults too, and they verify after inflating", async () => {
    const fault = await post(srv.url, ops.sync("no-such-proxy"), { headers: { "Accept-Encoding": "gzip" } });
    expect(fault.status).toBe(500);
    expect(faultCode(textOf(fault))).toBe("UNKNOWN_PROXY");
    await expect(verify(textOf(fault))).resolves.toBeUndefined();
  });
});
