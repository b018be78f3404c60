import { describe, expect, it } from "vitest";
import {
  AbortError,
  SoapFaultError,
  TimeoutError,
  TransportError,
  ValidationError,
} from "../../../src/errors.js";
import { CommunicationClient } from "../../../src/soap/client.js";
import { faultToError, wssCodeOf } from "../../../src/soap/faults.js";
import { noProxyMatches, resolveProxy } from "../../../src/soap/proxy.js";
import { backoffDelayMs, isRetryable, parseRetryAfter, sleep } from "../../../src/soap/retry.js";
import { describeTrust, socketErrorToSdkError } from "../../../src/soap/transport.js";
import { testIdentity } from "../../helpers/keys.js";

describe("retry policy", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-11-25T18:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 25 Nov 2026 18:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Wed, 25 Nov 2026 17:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-1", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("backs off exponentially with jitter, never beyond maxRetryDelayMs", () => {
    expect(backoffDelayMs(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelayMs(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelayMs(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelayMs(20, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffDelayMs(20, 100, 10_000, () => 0)).toBe(5_000);
  });

  it("retries transport failures and busy servers, never client faults, 4xx, validation or aborts", () => {
    expect(isRetryable(new TransportError("HTTP_503", "x", { status: 503 }))).toBe(true);
    expect(isRetryable(new TransportError("CONNECTION_RESET", "x"))).toBe(true);
    expect(isRetryable(new TimeoutError("x"))).toBe(true);
    expect(isRetryable(new TransportError("HTTP_400", "x", { status: 400, retryable: false }))).toBe(false);
    expect(
      isRetryable(new SoapFaultError("SOAP_FAULT", "x", { faultCode: "soap:Client", retryable: true })),
    ).toBe(false);
    expect(
      isRetryable(new SoapFaultError("SOAP_FAULT", "x", { faultCode: "soap:Server", retryable: true })),
    ).toBe(true);
    expect(isRetryable(new ValidationError("INVALID_VALUE", "x"))).toBe(false);
    expect(isRetryable(new AbortError())).toBe(false);
    expect(isRetryable(new Error("x"))).toBe(false);
  });

  it("sleeps until aborted", async () => {
    const c = new AbortController();
    const pending = sleep(60_000, c.signal);
    c.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });
});

describe("fault mapping", () => {
  it("turns wsse fault codes into WSS_ codes", () => {
    expect(wssCodeOf("wsse:MessageExpired")).toBe("WSS_MESSAGE_EXPIRED");
    expect(
      wssCodeOf(
        "x:FailedCheck",
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
      ),
    ).toBe("WSS_FAILED_CHECK");
    expect(wssCodeOf("soap:Client")).toBeUndefined();
  });

  it("prefers the detail code, then a WSS_ prefix of the fault string, then the wsse fault code", () => {
    expect(
      faultToError({ faultCode: "soap:Client", faultString: "x", detail: { code: "UNKNOWN_DEVICE" } }, 500)
        .code,
    ).toBe("UNKNOWN_DEVICE");
    const expired = faultToError(
      { faultCode: "wsse:MessageExpired", faultString: "WSS_EXPIRED: too old" },
      500,
    );
    expect(expired).toMatchObject({
      code: "WSS_EXPIRED",
      faultCode: "wsse:MessageExpired",
      retryable: false,
      status: 500,
    });
    expect(faultToError({ faultCode: "wsse:InvalidSecurity", faultString: "no" }, 500).code).toBe(
      "WSS_INVALID_SECURITY",
    );
    expect(faultToError({ faultCode: "soap:Server", faultString: "WSS_BUSY: later" }, 503).retryable).toBe(
      true,
    );
    expect(faultToError({ faultCode: "soap:Server", faultString: "boom" }, 500).code).toBe("SOAP_FAULT");
    // A detail code outside docs/error-codes.md is not passed off as an SdkErrorCode.
    const foreign = faultToError(
      { faultCode: "soap:Server", faultString: "busy", detail: { code: "STORE_BUSY" } },
      500,
    );
    expect(foreign.code).toBe("SOAP_FAULT");
    expect(foreign.message).toContain("server code STORE_BUSY");
    expect(wssCodeOf("wsse:MadeUpFault")).toBeUndefined();
  });

  it("reads a security fault's code and retryability from the detail, not from the fault string", () => {
    const busy = faultToError(
      {
        faultCode: "soap:Server",
        faultString: "the replay cache is full",
        detail: { code: "WSS_BUSY", retryable: true },
      },
      503,
    );
    expect(busy).toMatchObject({ code: "WSS_BUSY", retryable: true, status: 503 });
    const replay = faultToError(
      {
        faultCode: "wsse:InvalidSecurity",
        faultString: "WSS_MALFORMED: a string that disagrees",
        detail: { code: "WSS_REPLAY", retryable: false },
      },
      500,
    );
    expect(replay.code).toBe("WSS_REPLAY");
  });
});

describe("proxy resolution", () => {
  const endpoint = new URL("https://server.example.com:8443/esolutions/v1");

  it("matches NO_PROXY hosts, domain suffixes, ports and *", () => {
    expect(noProxyMatches("server.example.com", "8443", "example.com")).toBe(true);
    expect(noProxyMatches("server.example.com", "8443", ".example.com")).toBe(true);
    expect(noProxyMatches("server.example.com", "8443", "*.example.com")).toBe(true);
    expect(noProxyMatches("server.example.com", "8443", "example.com:443")).toBe(false);
    expect(noProxyMatches("server.example.com", "8443", "other.com, *")).toBe(true);
    expect(noProxyMatches("notexample.com", "443", "example.com")).toBe(false);
    expect(noProxyMatches("[::1]", "443", "::1")).toBe(true);
    expect(noProxyMatches("127.0.0.1", "443", undefined)).toBe(false);
  });

  it("takes the proxy option over the environment, and the environment unless NO_PROXY excludes the host", () => {
    expect(resolveProxy(endpoint, "http://p:3128", { NO_PROXY: "*" })?.host).toBe("p:3128");
    expect(resolveProxy(endpoint, undefined, { https_proxy: "http://q:8080" })?.host).toBe("q:8080");
    expect(
      resolveProxy(endpoint, undefined, { HTTPS_PROXY: "q:8080", no_proxy: "example.com" }),
    ).toBeUndefined();
    expect(resolveProxy(new URL("http://h/x"), undefined, { HTTPS_PROXY: "http://q:1" })).toBeUndefined();
    expect(() => resolveProxy(endpoint, "socks5://u:secret@p:1080", {})).toThrow(
      /http:\/\/ URL \(got socks5:\/\/p:1080\)/,
    );
  });
});

describe("client options", () => {
  it("are resolved once, with defaults, and the proxy's credentials are not kept in config", () => {
    const client = new CommunicationClient({
      endpoint: "https://127.0.0.1:18499/esolutions/v1",
      proxy: "http://user:secret@127.0.0.1:3128",
      env: {},
    });
    expect(client.config).toMatchObject({
      timeoutMs: 30_000,
      maxRetries: 3,
      retryDelayMs: 500,
      maxRetryDelayMs: 30_000,
      gzip: "auto",
      proxy: "http://127.0.0.1:3128",
    });
    expect(JSON.stringify(client.config)).not.toContain("secret");
  });

  it.each([
    [{ endpoint: "ftp://x/y" }, "CONFIG_ENDPOINT"],
    [{ endpoint: "not a url" }, "CONFIG_ENDPOINT"],
    [{ endpoint: "https://u:p@h/x" }, "CONFIG_ENDPOINT"],
    [{ endpoint: "https://h/x", timeoutMs: 0 }, "CONFIG_INVALID_OPTION"],
    [{ endpoint: "https://h/x", maxRetries: -1 }, "CONFIG_INVALID_OPTION"],
    [{ endpoint: "https://h/x", cert: "not a pem", key: "not a pem" }, "CONFIG_TLS"],
  ])("refuse %j with %s", (options, code) => {
    expect(() => new CommunicationClient({ env: {}, ...options })).toThrow(expect.objectContaining({ code }));
  });
});

describe("error messages carry the facts and the remedy", () => {
  it("prints WSS_UNTRUSTED_KEY once, with the signing certificate's subject and SHA-256 thumbprint", async () => {
    const id = await testIdentity("ec-p256", "untrusted-message");
    const err = faultToError(
      {
        faultCode: "wsse:FailedCheck",
        faultString: "WSS_UNTRUSTED_KEY: the embedded certificate is not trusted",
        detail: { code: "WSS_UNTRUSTED_KEY", retryable: false },
      },
      500,
      { signingCertificatePem: id.certPem },
    );
    const { X509Certificate } = await import("node:crypto");
    const cert = new X509Certificate(id.certPem);
    expect(err.code).toBe("WSS_UNTRUSTED_KEY");
    expect(err.toLine().match(/WSS_UNTRUSTED_KEY/g)).toHaveLength(1);
    expect(err.message).toContain("CN=esol-test-ec-p256-untrusted-message");
    expect(err.message).toContain(`SHA-256 ${cert.fingerprint256}`);
    expect(err.message).toContain("esol server --trust");
  });

  it("says which TLS trust was used and how to pass the server's certificate", async () => {
    const id = await testIdentity("ec-p256", "tls-message");
    const selfSigned = Object.assign(new Error("self-signed certificate"), {
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    const missing = socketErrorToSdkError(selfSigned, "127.0.0.1:8443", describeTrust(undefined));
    const wrong = socketErrorToSdkError(selfSigned, "127.0.0.1:8443", describeTrust(id.certPem));
    expect(missing.code).toBe("TLS_ERROR");
    expect(missing.retryable).toBe(false);
    expect(missing.message).toContain("Node's default CA store (no `ca` given)");
    expect(wrong.message).toContain("only the `ca` given (1 certificate: CN=esol-test-ec-p256-tls-message)");
    for (const e of [missing, wrong]) {
      expect(e.message).toContain("the server's certificate is self-signed and not trusted");
      expect(e.message).toContain("server.ca");
    }
    expect(missing.message).not.toBe(wrong.message);
  });
});
