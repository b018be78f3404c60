import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { envelope, faultCode, ops, post, textOf } from "./raw.js";

/** Each bad request: the expected HTTP status, fault code and (optionally) a headers override. */
interface BadCase {
  name: string;
  body: string | Buffer;
  status: number;
  code: string;
  headers?: Record<string, string>;
  field?: string;
}

const read = (value: string, readAt = "2026-11-25T09:00:00Z", serial = "SN-1", key = "bad-read-0001") =>
  ops.submitBillingReads("proxy-1", [ops.read(key, serial, value, readAt)]);

const cases: BadCase[] = [
  {
    name: "a negative meter",
    body: read("-5"),
    status: 500,
    code: "INVALID_VALUE",
    field: "Read[0].Meter[0].Value",
  },
  {
    name: "a non-numeric meter",
    body: read("12abc"),
    status: 500,
    code: "INVALID_VALUE",
    field: "Read[0].Meter[0].Value",
  },
  { name: "a meter beyond 2^53", body: read("99999999999999999999"), status: 500, code: "INVALID_VALUE" },
  {
    name: "an impossible date",
    body: read("5", "2026-02-30T10:00:00Z"),
    status: 500,
    code: "INVALID_VALUE",
    field: "Read[0].ReadAt",
  },
  {
    name: "a date that is not a date",
    body: read("5", "yesterday"),
    status: 500,
    code: "INVALID_VALUE",
    field: "Read[0].ReadAt",
  },
  {
    name: "an empty serial",
    body: read("5", undefined, ""),
    status: 500,
    code: "INVALID_VALUE",
    field: "Read[0].Serial",
  },
  {
    name: "an unknown serial",
    body: read("5", undefined, "NOT-REGISTERED"),
    status: 500,
    code: "UNKNOWN_DEVICE",
    field: "Read[0].Serial",
  },
  {
    name: "a too-short idempotency key",
    body: read("5", undefined, "SN-1", "k1"),
    status: 500,
    code: "INVALID_VALUE",
    field: "Read[0].Key",
  },
  {
    name: "too many meters in a read",
    body: ops.submitBillingReads("proxy-1", [
      `<Read><Key>bad-read-many</Key><Serial>SN-1</Serial><ReadAt>2026-11-25T09:00:00Z</ReadAt>${"<Meter><Name>M</Name><Value>1</Value></Meter>".repeat(65)}</Read>`,
    ]),
    status: 500,
    code: "TOO_MANY_ITEMS",
  },
  {
    name: "an unknown proxy",
    body: ops.submitBillingReads("nobody", [ops.read("bad-read-0002", "SN-1", 1)]),
    status: 500,
    code: "UNKNOWN_PROXY",
  },
  {
    name: "an unknown operation",
    body: envelope("<t:DeleteEverything/>"),
    status: 500,
    code: "UNKNOWN_OPERATION",
  },
  {
    name: "an operation in a foreign namespace",
    body: envelope('<x:Sync xmlns:x="urn:other"/>'),
    status: 500,
    code: "UNKNOWN_OPERATION",
  },
  {
    name: "malformed XML",
    body: "<soap:Envelope><soap:Body></soap:Envelope>",
    status: 500,
    code: "INVALID_XML",
  },
  {
    name: "a document that is not a SOAP envelope",
    body: "<hello/>",
    status: 500,
    code: "SOAP_VERSION_MISMATCH",
  },
  {
    name: "a SOAP 1.2 envelope",
    body: `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><t:Sync xmlns:t="urn:esolutions:communication:v1"/></e:Body></e:Envelope>`,
    status: 500,
    code: "SOAP_VERSION_MISMATCH",
  },
  {
    name: "SOAP 1.2's content type",
    body: ops.sync("proxy-1"),
    headers: { "Content-Type": "application/soap+xml; charset=utf-8" },
    status: 500,
    code: "SOAP_VERSION_MISMATCH",
  },
  {
    name: "a content type that is not XML",
    body: ops.sync("proxy-1"),
    headers: { "Content-Type": "application/json" },
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "a DOCTYPE with entities (billion laughs)",
    body: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>${envelope("<t:Sync><ProxyId>&lol2;</ProxyId></t:Sync>").replace(/^<\?xml[^>]*>/, "")}`,
    status: 500,
    code: "INVALID_XML",
  },
  {
    name: "an external entity (XXE)",
    body: `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${envelope("<t:Sync><ProxyId>&xxe;</ProxyId></t:Sync>").replace(/^<\?xml[^>]*>/, "")}`,
    status: 500,
    code: "INVALID_XML",
  },
  {
    name: "elements nested 200 deep",
    body: envelope(`<t:Sync>${"<a>".repeat(200)}${"</a>".repeat(200)}</t:Sync>`),
    status: 500,
    code: "INVALID_XML",
  },
  {
    name: "a comment splitting a meter value",
    body: read("12<!---->34"),
    status: 500,
    code: "INVALID_XML",
  },
  {
    name: "CDATA holding markup as a serial",
    body: read("5", undefined, "<![CDATA[<Serial>SN-1</Serial>]]>"),
    status: 500,
    code: "UNKNOWN_DEVICE",
  },
  {
    name: "two operations in one Body",
    body: envelope("<t:Sync><ProxyId>proxy-1</ProxyId></t:Sync><t:Sync><ProxyId>proxy-1</ProxyId></t:Sync>"),
    status: 500,
    code: "INVALID_XML",
  },
  {
    name: "a SOAPAction naming another operation",
    body: read("5"),
    headers: { SOAPAction: '"urn:esolutions:communication:v1#RegisterProxy"' },
    status: 500,
    code: "INVALID_SOAP_ACTION",
  },
  {
    name: "a body that is not gzip but says so",
    body: "not gzip at all",
    headers: { "Content-Encoding": "gzip" },
    status: 400,
    code: "INVALID_ENCODING",
  },
  {
    name: "an unsupported content encoding",
    body: read("5"),
    headers: { "Content-Encoding": "br" },
    status: 415,
    code: "UNSUPPORTED_ENCODING",
  },
];

describe("CommunicationServer refuses bad requests with a SOAP fault and stores nothing", () => {
  let srv: TestServer;
  const MAX = 64 * 1024;

  beforeAll(async () => {
    srv = await startTestServer({
      tls: false,
      signaturePolicy: "optional",
      maxRequestBytes: MAX,
    });
    await post(srv.url, ops.registerProxy("proxy-key-0001", "proxy-1"));
    await post(srv.url, ops.registerDevices("devices-key-01", "proxy-1", ["SN-1"]));
  });
  afterAll(async () => {
    await srv?.close();
  });

  const expectNothingStoredAndStillServing = async () => {
    const store = await srv.server.exportStoreAsync();
    expect(store.billingReads).toEqual([]);
    expect(store.proxies).toHaveLength(1);
    const next = await post(srv.url, ops.sync("proxy-1"));
    expect(next.status).toBe(200);
  };

  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      const res = await post(srv.url, c.body, c.headers ? { headers: c.headers } : {});
      expect(res.status).toBe(c.status);
      expect(faultCode(res.body)).toBe(c.code);
      expect(res.body).toContain("<soap:Fault>");
      expect(res.body).not.toMatch(/at .+\.(ts|js):\d+/);
      expect((textOf(res.body, "faultstring") ?? "").length).toBeLessThanOrEqual(240);
      if (c.field) expect(textOf(res.body, "Field")).toBe(c.field);
      await expectNothingStoredAndStillServing();
    });
  }

  it("refuses a body over maxRequestBytes with 413", async () => {
    const big = read("5").replace("<Unit>", `<Unit>${"x".repeat(MAX)}`);
    const res = await post(srv.url, big);
    expect(res.status).toBe(413);
    expect(faultCode(res.body)).toBe("REQUEST_TOO_LARGE");
    await expectNothingStoredAndStillServing();
  });

  it("refuses a chunked body (no Content-Length) once it grows past maxRequestBytes", async () => {
    const huge = read("5").replace("<Unit>", `<Unit>${"x".repeat(8 * MAX)}`);
    const res = await post(srv.url, huge, { chunked: true }).catch((err: Error) => err);
    // The server answers 413 and closes; a client still writing may see the reset first.
    if (res instanceof Error) expect(res.message).toMatch(/ECONNRESET|EPIPE|socket hang up/);
    else expect([res.status, faultCode(res.body)]).toEqual([413, "REQUEST_TOO_LARGE"]);
    await expectNothingStoredAndStillServing();
  });

  it("refuses a gzip bomb once it inflates past maxRequestBytes", async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(MAX);
    const res = await post(srv.url, bomb, { headers: { "Content-Encoding": "gzip" } });
    expect(res.status).toBe(413);
    expect(textOf(res.body, "faultstring")).toContain("after gunzip");
    await expectNothingStoredAndStillServing();
  });

  it("accepts a gzip body within the limit", async () => {
    const res = await post(srv.url, gzipSync(ops.sync("proxy-1")), {
      headers: { "Content-Encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toContain("<tns:SyncResponse>");
  });

  it("answers 404 for another path and 405 for other methods", async () => {
    expect((await post(srv.url.replace("/esolutions/v1", "/other"), ops.sync("proxy-1"))).status).toBe(404);
    expect((await post(srv.url, "", { method: "PUT" })).status).toBe(405);
  });
});
