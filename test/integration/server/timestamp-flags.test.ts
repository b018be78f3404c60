/**
 * `esol server --clock-skew --max-age --timestamp-fraction-digits` (issue 14 item 3): the
 * flags parse in the CLI's duration form and reach the server's verifier, which then accepts
 * what its defaults refuse — a Timestamp 90 s in the future, a Created-only Timestamp 7 min
 * old, seven fractional digits. The server runs on an injected clock (trust on first use's own
 * verifier, `--http`), so only the flags differ between the two servers of each case.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { durationFlag, serverOptionsFromFlags } from "../../../src/cli/commands/server.js";
import { ManualClock } from "../../../src/clock.js";
import { ConfigError } from "../../../src/errors.js";
import { WsSecuritySigner } from "../../../src/wssec/index.js";
import { createTestIdentity, type TestIdentity } from "../../helpers/keys.js";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { resign } from "../../unit/wssec/support.js";
import { faultCode, post } from "./raw.js";

const T0 = Date.parse("2026-11-25T10:00:00Z");
let proxy: TestIdentity;
let sequence = 0;
const servers: TestServer[] = [];

beforeAll(async () => {
  const validity = { notBefore: new Date(T0 - 86_400_000), notAfter: new Date(T0 + 30 * 86_400_000) };
  proxy = await createTestIdentity("ec-p256", { commonName: "proxy-ts", ...validity });
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const BASE = {
  port: "0",
  db: "unused.db",
  host: "127.0.0.1",
  http: true,
  cycle: "monthly",
  suppliesInterval: "off",
  maxRequestBytes: String(4 * 1024 * 1024),
};

/** A server built from CLI flags, on a `ManualClock` at T0 (the server takes a `Clock`). */
async function serverWith(flags: Record<string, string>): Promise<TestServer> {
  const options = serverOptionsFromFlags({ ...BASE, ...flags }, () => {});
  const { db: _ignored, ...rest } = options;
  const s = await startTestServer({ ...rest, clock: new ManualClock(T0) });
  servers.push(s);
  return s;
}

/** A signed RegisterProxy made at `createdMs`, then reshaped by `edit` and signed again. */
function registration(createdMs: number, edit: (xml: string) => string = (x) => x): string {
  const proxyId = `proxy-ts-${++sequence}`;
  const envelope =
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="urn:esolutions:communication:v1">` +
    `<soap:Body><t:RegisterProxy><Key>key-${proxyId}</Key><ProxyId>${proxyId}</ProxyId></t:RegisterProxy></soap:Body></soap:Envelope>`;
  const signed = new WsSecuritySigner({
    key: proxy.keyPem,
    cert: proxy.certPem,
    clock: () => createdMs,
  }).secureRequest(envelope, { operation: "RegisterProxy", attempt: 1 });
  const edited = edit(signed);
  return edited === signed ? signed : resign(edited, proxy.keyPem);
}

const createdOnly = (xml: string) => xml.replace(/<wsu:Expires>[^<]*<\/wsu:Expires>/, "");
const sevenDigits = (xml: string) => xml.replace(/(<wsu:Created>[^<]*?)\.(\d{3})Z/, "$1.$21234Z");

async function outcome(s: TestServer, body: string): Promise<string> {
  const answer = await post(s.url, body);
  return answer.status === 200 ? "accepted" : (faultCode(answer.body) ?? `HTTP ${answer.status}`);
}

describe("esol server timestamp flags", () => {
  it("--clock-skew 2m accepts a Timestamp created 90 s ahead, which the default 60 s refuses", async () => {
    const ahead = () => registration(T0 + 90_000);
    expect(await outcome(await serverWith({}), ahead())).toBe("WSS_NOT_YET_VALID");
    expect(await outcome(await serverWith({ clockSkew: "2m" }), ahead())).toBe("accepted");
  });

  it("--max-age 10m accepts a Created-only Timestamp 7 min old, which the default 5 min (+ 60 s skew) refuses", async () => {
    const old = () => registration(T0 - 7 * 60_000, createdOnly);
    expect(await outcome(await serverWith({}), old())).toBe("WSS_EXPIRED");
    expect(await outcome(await serverWith({ maxAge: "10m" }), old())).toBe("accepted");
  });

  it("--timestamp-fraction-digits 7 accepts seven fractional digits, which the default 3 refuses", async () => {
    const fine = () => registration(T0, sevenDigits);
    expect(fine()).toMatch(/<wsu:Created>[^<]*\.\d{7}Z</);
    expect(await outcome(await serverWith({}), fine())).toBe("WSS_MALFORMED");
    expect(await outcome(await serverWith({ timestampFractionDigits: "7" }), fine())).toBe("accepted");
  });

  it("parses the duration form the agent configuration uses (unit required) and refuses bad values naming the flag", () => {
    expect(durationFlag("90s", "--clock-skew", 1, 86_400_000)).toBe(90_000);
    expect(durationFlag("1m30s", "--clock-skew", 1, 86_400_000)).toBe(90_000);
    expect(durationFlag("500ms", "--clock-skew", 1, 86_400_000)).toBe(500);
    for (const [flags, name] of [
      [{ clockSkew: "90" }, "--clock-skew"],
      [{ clockSkew: "soon" }, "--clock-skew"],
      [{ maxAge: "2d" }, "--max-age"],
      [{ maxAge: "0s" }, "--max-age"],
      [{ timestampFractionDigits: "10" }, "--timestamp-fraction-digits"],
    ] as const) {
      let err: unknown;
      try {
        serverOptionsFromFlags({ ...BASE, ...flags }, () => {});
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(flags)).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe("ARG_INVALID");
      expect((err as ConfigError).message).toContain(name);
    }
    expect(serverOptionsFromFlags({ ...BASE, clockSkew: "2m" }, () => {}).timestamps).toEqual({
      clockSkewMs: 120_000,
    });
  });
});
