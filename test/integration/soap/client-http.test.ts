import { afterEach, describe, expect, it } from "vitest";
import {
  AbortError,
  SecurityError,
  SoapFaultError,
  TimeoutError,
  TransportError,
} from "../../../src/errors.js";
import {
  CommunicationClient,
  type CommunicationClientOptions,
  type ExchangeRecord,
} from "../../../src/soap/index.js";
import {
  ackResponse,
  type CannedAnswer,
  type CannedRequest,
  type CannedServer,
  soapFault,
  soapResponse,
  startCannedServer,
} from "./canned-server.js";

let server: CannedServer | undefined;
let client: CommunicationClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function setup(
  answer: (req: CannedRequest) => CannedAnswer,
  options: Partial<CommunicationClientOptions> = {},
) {
  server = await startCannedServer({ answer });
  const exchanges: ExchangeRecord[] = [];
  client = new CommunicationClient({
    endpoint: server.url,
    retryDelayMs: 10,
    maxRetryDelayMs: 2_000,
    env: {},
    onExchange: (e) => exchanges.push(e),
    ...options,
  });
  return { server, client, exchanges };
}

const read = (key: string, serial = "SN1") => ({
  key,
  serial,
  readAt: new Date(Date.UTC(2026, 10, 25, 18, 0, 0)),
  meters: [{ name: "Total", value: 1234 }],
});

const ok = (body: string): CannedAnswer => ({ body });

describe("CommunicationClient over plain HTTP against a canned server", () => {
  it("maps every operation's answer to the public models", async () => {
    const answers: Record<string, string> = {
      RegisterProxy: soapResponse(
        "RegisterProxy",
        "<ProxyId>p1</ProxyId><ServerTime>2026-11-25T18:00:01Z</ServerTime><Duplicate>false</Duplicate>",
      ),
      RegisterDevices: ackResponse("RegisterDevices", 2),
      Sync: soapResponse(
        "Sync",
        "<ServerTime>2026-11-25T18:00:02Z</ServerTime><Configure><PollIntervalSeconds>7200</PollIntervalSeconds><WindowStart>01:00</WindowStart></Configure>" +
          "<EnableService><Serial>SN1</Serial><Service>billing</Service></EnableService>" +
          "<BillingRequest><Serial>SN1</Serial><Cycle>2026-11</Cycle><Meter>Total</Meter><Due>2026-12-05T00:00:00Z</Due></BillingRequest>" +
          "<SuppliesRequest><Serial>SN1</Serial><IntervalSeconds>86400</IntervalSeconds></SuppliesRequest>" +
          "<Disable><Serial>SN2</Serial></Disable>",
      ),
      ReportSyncStatus: ackResponse("ReportSyncStatus", 1),
      SubmitBillingReads: ackResponse("SubmitBillingReads", 1),
      SubmitSuppliesReport: ackResponse("SubmitSuppliesReport", 0, 1),
    };
    const { client } = await setup((req) => {
      const op = /#(\w+)"/.exec(String(req.headers.soapaction))?.[1] ?? "";
      return ok(answers[op] ?? "");
    });
    const reg = await client.registerProxy({ key: "reg-00001", proxyId: "p1", site: "HQ" });
    expect(reg).toMatchObject({
      proxyId: "p1",
      duplicate: false,
      $metadata: { operation: "RegisterProxy", attempts: 1 },
    });
    expect(reg.serverTime.toISOString()).toBe("2026-11-25T18:00:01.000Z");
    const devices = await client.registerDevices({
      key: "dev-00001",
      proxyId: "p1",
      devices: [{ serial: "SN1", vendor: "Xerox" }, { serial: "SN2" }],
    });
    expect(devices).toMatchObject({ accepted: 2, duplicates: 0 });
    const sync = await client.sync({
      proxyId: "p1",
      clientTime: new Date(),
      statuses: [{ serial: "SN1", state: "ok" }],
    });
    expect(sync.configure).toEqual({ pollIntervalMs: 7_200_000, windowStart: "01:00" });
    expect(sync.directives).toEqual([
      { kind: "EnableService", serial: "SN1", service: "billing" },
      {
        kind: "BillingRequest",
        serial: "SN1",
        cycle: "2026-11",
        meters: ["Total"],
        due: new Date("2026-12-05T00:00:00Z"),
      },
      { kind: "SuppliesRequest", serial: "SN1", intervalMs: 86_400_000 },
      { kind: "Disable", serial: "SN2" },
    ]);
    const status = await client.reportSyncStatus({
      key: "sts-00001",
      proxyId: "p1",
      statuses: [{ serial: "SN1", service: "billing", enabled: true }],
    });
    expect(status.accepted).toBe(1);
    expect((await client.submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] })).accepted).toBe(1);
    const supplies = await client.submitSuppliesReport({
      proxyId: "p1",
      reports: [
        { key: "sup-00001", serial: "SN1", readAt: new Date(), supplies: [{ index: "1", level: -3 }] },
      ],
    });
    expect(supplies).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it("reports exactly the bytes the server read and wrote on the socket", async () => {
    const { server, client, exchanges } = await setup(() => ok(ackResponse("SubmitBillingReads", 1)));
    const first = await client.submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] });
    const second = await client.submitBillingReads({
      proxyId: "p1",
      reads: [read("read-0002"), read("read-0003")],
    });
    expect(first.$metadata.requestBytes).toBe(server.requests[0]?.wireBytes);
    expect(second.$metadata.requestBytes).toBe(server.requests[1]?.wireBytes);
    expect(first.$metadata.responseBytes).toBe(server.responseWireBytes[0]);
    expect(second.$metadata.responseBytes).toBe(server.responseWireBytes[1]);
    expect(exchanges.map((e) => e.requestBytes)).toEqual([
      first.$metadata.requestBytes,
      second.$metadata.requestBytes,
    ]);
  });

  it("counts chunked framing in response bytes", async () => {
    const { server, client } = await setup(() => ({
      body: ackResponse("SubmitBillingReads", 1),
      chunked: true,
    }));
    const ack = await client.submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] });
    expect(ack.$metadata.responseBytes).toBe(server.responseWireBytes[0]);
  });

  it("sends a compact envelope with our short prefix, no whitespace and the SOAPAction of the operation", async () => {
    const { server, client } = await setup(() => ok(ackResponse("SubmitBillingReads", 1)));
    await client.submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] });
    const seen = server.requests[0];
    expect(seen?.headers.soapaction).toBe('"urn:esolutions:communication:v1#SubmitBillingReads"');
    expect(seen?.headers["content-type"]).toBe("text/xml; charset=utf-8");
    expect(seen?.body).toBe(
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><e:SubmitBillingReads xmlns:e="urn:esolutions:communication:v1">' +
        "<ProxyId>p1</ProxyId><Read><Key>read-0001</Key><Serial>SN1</Serial><ReadAt>2026-11-25T18:00:00Z</ReadAt>" +
        "<Meter><Name>Total</Name><Value>1234</Value></Meter></Read></e:SubmitBillingReads></s:Body></s:Envelope>",
    );
  });

  it("gzips the request body and counts the compressed bytes", async () => {
    const { server, client } = await setup(() => ok(ackResponse("SubmitBillingReads", 20)), { gzip: true });
    const reads = Array.from({ length: 20 }, (_, i) => read(`read-${String(i).padStart(4, "0")}`));
    const ack = await client.submitBillingReads({ proxyId: "p1", reads });
    const seen = server.requests[0];
    expect(seen?.headers["content-encoding"]).toBe("gzip");
    expect(seen?.body).toContain("<Key>read-0019</Key>");
    expect(ack.$metadata.requestBytes).toBe(seen?.wireBytes);
    expect(ack.$metadata.requestBytes).toBeLessThan(Buffer.byteLength(seen?.body ?? ""));
  });

  it("retries a 503 and succeeds on the second attempt", async () => {
    const { server, client, exchanges } = await setup((req) =>
      req.n === 1 ? { status: 503, body: "busy" } : ok(ackResponse("SubmitBillingReads", 1)),
    );
    const ack = await client.submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] });
    expect(ack.$metadata.attempts).toBe(2);
    expect(exchanges.map((e) => [e.attempt, e.status, e.error && (e.error as TransportError).code])).toEqual([
      [1, 503, "HTTP_503"],
      [2, 200, undefined],
    ]);
    expect(server.requests[1]?.body).toBe(server.requests[0]?.body);
  });

  it("honours a 429 Retry-After within maxRetryDelayMs and gives up on a longer one", async () => {
    const { client, server } = await setup((req) =>
      req.n === 1
        ? { status: 429, headers: { "Retry-After": "1" } }
        : req.n === 2
          ? ok(ackResponse("SubmitBillingReads", 1))
          : { status: 429, headers: { "Retry-After": "120" } },
    );
    const ack = await client.submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] });
    expect(ack.$metadata.attempts).toBe(2);
    const err = await client
      .submitBillingReads({ proxyId: "p1", reads: [read("read-0002")] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: "HTTP_429", retryable: true, retryAfterMs: 120_000, status: 429 });
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry a 4xx without a fault", async () => {
    const { server, client } = await setup(() => ({ status: 400, body: "bad" }));
    const err = await client
      .submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] })
      .catch((e) => e);
    expect(err).toMatchObject({ code: "HTTP_400", retryable: false, status: 400 });
    expect(server.requests).toHaveLength(1);
  });

  it("reports a SOAP 1.2 fault (VersionMismatch, HTTP 500) as an endpoint failure with its Code and Reason, and does not retry it", async () => {
    const soap12Fault =
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>' +
      "<env:Code><env:Value>env:VersionMismatch</env:Value></env:Code>" +
      '<env:Reason><env:Text xml:lang="en">Version Mismatch</env:Text></env:Reason>' +
      "</env:Fault></env:Body></env:Envelope>";
    const { server, client } = await setup(() => ({
      status: 500,
      headers: { "Content-Type": "application/soap+xml; charset=utf-8" },
      body: soap12Fault,
    }));
    const err = await client
      .submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] })
      .catch((e) => e);
    // Not a refusal of this message (no fault of the server's own, no status an agent would park on).
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: "BAD_RESPONSE", retryable: false, status: undefined });
    expect(err.message).toContain("answered in SOAP 1.2");
    expect(err.message).toContain('Code env:VersionMismatch, Reason "Version Mismatch"');
    expect(server.requests).toHaveLength(1);
    // A SOAP 1.2 envelope that is not a fault, even with 200: BAD_RESPONSE naming SOAP 1.2, not retried.
    await client.close();
    await server.close();
    const second = await setup(() => ({
      body: '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><x/></env:Body></env:Envelope>',
    }));
    const bad = await second.client
      .submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] })
      .catch((e) => e);
    expect(bad).toMatchObject({ code: "BAD_RESPONSE", retryable: false, status: undefined });
    expect(bad.message).toContain("answered in SOAP 1.2");
    expect(second.server.requests).toHaveLength(1);
  });

  it("turns a client fault into SoapFaultError with the detail code and never retries it", async () => {
    const { server, client } = await setup(() => ({
      status: 500,
      body: soapFault("soap:Client", "unknown device SN9", "UNKNOWN_DEVICE", false),
    }));
    const err = await client
      .submitBillingReads({ proxyId: "p1", reads: [read("read-0001", "SN9")] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(SoapFaultError);
    expect(err).toMatchObject({
      code: "UNKNOWN_DEVICE",
      faultCode: "soap:Client",
      retryable: false,
      status: 500,
    });
    expect(err.message).toContain("unknown device SN9");
    expect(server.requests).toHaveLength(1);
  });

  it("retries a server fault the server marks Retryable", async () => {
    const { client } = await setup((req) =>
      req.n === 1
        ? { status: 500, body: soapFault("soap:Server", "store busy", "STORAGE_BUSY", true) }
        : ok(ackResponse("SubmitBillingReads", 1)),
    );
    expect(
      (await client.submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] })).$metadata.attempts,
    ).toBe(2);
  });

  it("maps a wsse fault without detail to its WSS_ code", async () => {
    const wsse =
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">' +
      "<soap:Body><soap:Fault><faultcode>wsse:FailedCheck</faultcode><faultstring>the body digest does not match</faultstring></soap:Fault></soap:Body></soap:Envelope>";
    const { client } = await setup(() => ({ status: 500, body: wsse }));
    const err = await client.sync({ proxyId: "p1", clientTime: new Date() }).catch((e) => e);
    expect(err).toMatchObject({ code: "WSS_FAILED_CHECK", faultCode: "wsse:FailedCheck", retryable: false });
  });

  it("retries a dropped connection", async () => {
    const { server, client } = await setup((req) =>
      req.n === 1 ? "drop" : ok(ackResponse("SubmitBillingReads", 1)),
    );
    const ack = await client.submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] });
    expect(ack.$metadata.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it("fails with CONNECTION_RESET when the connection keeps dropping", async () => {
    const { client } = await setup(() => "drop", { maxRetries: 1 });
    const err = await client
      .submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.code).toBe("CONNECTION_RESET");
  });

  it("times out an attempt that gets no answer, then retries it", async () => {
    const { client, exchanges } = await setup(
      (req) => (req.n === 1 ? "hang" : ok(ackResponse("SubmitBillingReads", 1))),
      {
        timeoutMs: 300,
      },
    );
    const ack = await client.submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] });
    expect(ack.$metadata.attempts).toBe(2);
    expect(exchanges[0]?.error).toBeInstanceOf(TimeoutError);
  });

  it("fails with TIMEOUT when retries are off", async () => {
    const { client } = await setup(() => "hang", { timeoutMs: 200 });
    const err = await client
      .sync({ proxyId: "p1", clientTime: new Date() }, { maxRetries: 0 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.code).toBe("TIMEOUT");
  });

  it("aborts a request in flight", async () => {
    const controller = new AbortController();
    const { client } = await setup(() => {
      setImmediate(() => controller.abort());
      return "hang";
    });
    const err = await client
      .sync({ proxyId: "p1", clientTime: new Date() }, { abortSignal: controller.signal })
      .catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
  });

  it("aborts during the backoff sleep", async () => {
    const controller = new AbortController();
    const { server, client } = await setup(
      () => {
        setTimeout(() => controller.abort(), 50);
        return { status: 503 };
      },
      { retryDelayMs: 60_000, maxRetryDelayMs: 60_000 },
    );
    const err = await client
      .sync({ proxyId: "p1", clientTime: new Date() }, { abortSignal: controller.signal })
      .catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(1);
  });

  it("refuses a 200 answer that is not SOAP, and malformed XML, as BAD_RESPONSE", async () => {
    const { client } = await setup((req) =>
      req.n === 1 ? { body: "<html><body>proxy login</body></html>" } : { body: "<soap:Envelope" },
    );
    const first = await client.sync({ proxyId: "p1", clientTime: new Date() }).catch((e) => e);
    expect(first).toMatchObject({ code: "BAD_RESPONSE", retryable: false });
    const second = await client.sync({ proxyId: "p1", clientTime: new Date() }).catch((e) => e);
    expect(second).toMatchObject({ code: "BAD_RESPONSE", retryable: false });
  });

  it("refuses an answer for another operation", async () => {
    const { client } = await setup(() => ok(ackResponse("RegisterDevices", 1)));
    const err = await client
      .submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] })
      .catch((e) => e);
    expect(err).toMatchObject({ code: "BAD_RESPONSE" });
    expect(err.message).toContain("SubmitBillingReadsResponse");
  });

  it("calls secureRequest once per attempt and verifyResponse on the answer", async () => {
    const attempts: number[] = [];
    const verified: string[] = [];
    const { server, client } = await setup(
      (req) => (req.n === 1 ? { status: 503 } : ok(ackResponse("SubmitBillingReads", 1))),
      {
        security: {
          secureRequest: (envelope, ctx) => {
            attempts.push(ctx.attempt);
            return envelope.replace("<s:Body>", `<s:Header><t>${ctx.attempt}</t></s:Header><s:Body>`);
          },
          verifyResponse: (envelope, ctx) => {
            verified.push(`${ctx.operation}:${ctx.attempt}:${envelope.includes("Accepted")}`);
          },
        },
      },
    );
    await client.submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] });
    expect(attempts).toEqual([1, 2]);
    expect(server.requests.map((r) => /<t>(\d)<\/t>/.exec(r.body)?.[1])).toEqual(["1", "2"]);
    expect(verified).toEqual(["SubmitBillingReads:2:true"]);
  });

  it("fails, without retrying, when verifyResponse refuses the answer", async () => {
    const { server, client } = await setup(() => ok(ackResponse("SubmitBillingReads", 1)), {
      security: {
        secureRequest: (e) => e,
        verifyResponse: () => {
          throw new SecurityError("WSS_BAD_SIGNATURE", "response signature does not verify");
        },
      },
    });
    const err = await client
      .submitBillingReads({ proxyId: "p1", reads: [read("read-0001")] })
      .catch((e) => e);
    expect(err).toMatchObject({ code: "WSS_BAD_SIGNATURE" });
    expect(server.requests).toHaveLength(1);
  });

  it("refuses invalid input before sending anything", async () => {
    const { server, client } = await setup(() => ok(ackResponse("SubmitBillingReads", 1)));
    const bad = { ...read("read-0001"), meters: [{ name: "Total", value: -5 }] };
    const err = await client.submitBillingReads({ proxyId: "p1", reads: [bad] }).catch((e) => e);
    expect(err).toMatchObject({ code: "INVALID_VALUE" });
    expect(err.message).toContain("reads[0].meters[0].value");
    expect(server.requests).toHaveLength(0);
  });

  it("fails with CONNECTION_REFUSED when nothing listens", async () => {
    const { server, client } = await setup(() => "hang", { maxRetries: 1 });
    await server.close();
    const err = await client.sync({ proxyId: "p1", clientTime: new Date() }).catch((e) => e);
    expect(err).toMatchObject({ code: "CONNECTION_REFUSED", retryable: true });
  });
});
