import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compactEnvelope, encodeResponseBody } from "../../../src/server/compress.js";
import { acceptsGzip, decodeBody } from "../../../src/soap/encoding.js";
import { isLoopbackHost, resolveProxy } from "../../../src/soap/proxy.js";

describe("acceptsGzip", () => {
  it.each([
    ["gzip", true],
    ["gzip, deflate, br", true],
    ["GZIP", true],
    ["x-gzip", true],
    ["deflate, *", true],
    ["br;q=1.0, gzip;q=0.5", true],
    [["deflate", "gzip"], true],
    ["gzip;q=0", false],
    ["gzip; q=0.000", false],
    ["gzip;q=0, *", false],
    ["*;q=0", false],
    ["identity", false],
    ["deflate, br", false],
    ["", false],
    [undefined, false],
  ] as const)("%j → %s", (header, expected) => {
    expect(acceptsGzip(header as string | string[] | undefined)).toBe(expected);
  });
});

describe("decodeBody", () => {
  it("inflates gzip within the bound and refuses past it, without inflating further", () => {
    const text = Buffer.from("<x>".repeat(1000));
    const zipped = gzipSync(text);
    expect(decodeBody(zipped, "gzip", text.length)).toEqual({ ok: true, body: text });
    expect(decodeBody(zipped, "gzip", text.length - 1)).toEqual({ ok: false, reason: "too-large" });
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(decodeBody(bomb, "x-gzip", 1024 * 1024)).toEqual({ ok: false, reason: "too-large" });
  });

  it("reports corrupt gzip and leaves identity or unknown codings alone", () => {
    expect(decodeBody(Buffer.from("not gzip"), "gzip", 1000)).toEqual({ ok: false, reason: "corrupt" });
    const raw = Buffer.from("<a/>");
    expect(decodeBody(raw, undefined, 1)).toEqual({ ok: true, body: raw });
    expect(decodeBody(raw, "identity", 1)).toEqual({ ok: true, body: raw });
  });
});

describe("loopback endpoints and the environment's proxy", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.12.0.9", true],
    ["[::1]", true],
    ["localhost", true],
    ["LocalHost.", true],
    ["printers.localhost", true],
    ["[::ffff:7f00:1]", true],
    ["128.0.0.1", false],
    ["10.0.0.1", false],
    ["[::2]", false],
    ["[::ffff:a00:1]", false],
    ["localhost.example.com", false],
  ])("isLoopbackHost(%s) is %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it("skips HTTPS_PROXY for loopback, uses an explicit proxy anyway, and honours proxy: false", () => {
    const env = { HTTPS_PROXY: "http://corp-proxy:3128" };
    expect(resolveProxy(new URL("https://127.0.0.1:8443/x"), undefined, env)).toBeUndefined();
    expect(resolveProxy(new URL("https://[::1]:8443/x"), undefined, env)).toBeUndefined();
    expect(resolveProxy(new URL("https://localhost:8443/x"), undefined, env)).toBeUndefined();
    expect(resolveProxy(new URL("https://cs.example.com/x"), undefined, env)?.host).toBe("corp-proxy:3128");
    expect(resolveProxy(new URL("https://cs.example.com/x"), false, env)).toBeUndefined();
    expect(resolveProxy(new URL("https://127.0.0.1/x"), "http://p:1", env)?.host).toBe("p:1");
  });
});

describe("compactEnvelope", () => {
  it("drops the UTF-8 declaration and node-soap's double space, and nothing in the content", () => {
    const soap =
      '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="urn:s"  xmlns:tns="urn:t">' +
      "<soap:Body><tns:R><Reason>two  spaces  stay</Reason></tns:R></soap:Body></soap:Envelope>";
    expect(compactEnvelope(soap)).toBe(
      '<soap:Envelope xmlns:soap="urn:s" xmlns:tns="urn:t">' +
        "<soap:Body><tns:R><Reason>two  spaces  stay</Reason></tns:R></soap:Body></soap:Envelope>",
    );
  });

  it("keeps whitespace inside attribute values, a non-UTF-8 declaration, and text without a start tag", () => {
    expect(compactEnvelope("<e a='x  y'\n\t b=\"1\" ></e>")).toBe("<e a='x  y' b=\"1\"></e>");
    const latin = '<?xml version="1.0" encoding="ISO-8859-1"?><e/>';
    expect(compactEnvelope(latin)).toBe(latin);
    expect(compactEnvelope('<?xml version="1.0"?>\n<e  a="1"/>')).toBe('<e a="1"/>');
    expect(compactEnvelope("<e a='unterminated")).toBe("<e a='unterminated");
  });
});

describe("encodeResponseBody", () => {
  const big = Buffer.from("<Directive/>".repeat(200));

  it("gzips bodies of 1 KiB and more when gzip is accepted, with Vary", () => {
    const out = encodeResponseBody(big, "gzip, deflate");
    expect(out.headers).toEqual({ "Content-Encoding": "gzip", Vary: "Accept-Encoding" });
    expect(out.body.length).toBeLessThan(big.length / 4);
  });

  it("sends large bodies plain when gzip is not accepted (still Vary) and small bodies plain always", () => {
    expect(encodeResponseBody(big, "gzip;q=0")).toEqual({ body: big, headers: { Vary: "Accept-Encoding" } });
    expect(encodeResponseBody(big, undefined).headers).toEqual({ Vary: "Accept-Encoding" });
    const small = Buffer.alloc(1023, 0x61);
    expect(encodeResponseBody(small, "gzip")).toEqual({ body: small, headers: {} });
  });
});
