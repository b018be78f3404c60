/**
 * What a generated client does on the wire, against node-soap servers of the same WSDLs:
 * exact integers past 2^53, `Date` → `xsd:dateTime`, schema order and qualification, rpc/literal
 * wrappers, declared faults typed, schema checks before sending, WS-Security signing per attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeclaredFaultError, isSdkError, SoapFaultError, ValidationError } from "../../../src/errors.js";
import { createMessageSigner, createRequestVerifier } from "../../../src/wssec/index.js";
import { testIdentity } from "../../helpers/keys.js";
import {
  type FixtureServer,
  fixture,
  fixtureConnections,
  type GeneratedClient,
  generateFixture,
  importGenerated,
  SAMPLE_DATE,
  SAMPLE_LONG,
} from "./harness.js";

type Client = GeneratedClient;

const { connect, closeAll } = fixtureConnections();
afterAll(closeAll);

describe("xsd:long and xsd:dateTime (agresso-timesheet)", () => {
  let client: Client;
  let server: FixtureServer;
  beforeAll(async () => {
    ({ client, server } = await connect("agresso-timesheet", {
      TimesheetV201511Mobile: {
        TimesheetV201511MobileSoap: {
          DeleteTimesheetEntry: () => ({}),
          GetTimesheet: () => ({
            GetTimesheetResult: {
              ResourceId: "R1",
              PeriodList: {
                PeriodType: [
                  {
                    PeriodId: "3",
                    DateFrom: "2026-11-30T00:00:00+13:00",
                    DateTo: "2026-12-06T23:59:59Z",
                    EntryList: { Entry: [{ Identifier: "9007199254740993", InvValue: "0.1", Rate: "2" }] },
                  },
                ],
              },
            },
          }),
        },
      },
    }));
  });

  it("sends 9007199254740993 exactly, from a bigint and from a string; refuses a rounded number", async () => {
    await client.deleteTimesheetEntry?.({
      entries: { ResourceId: "R1", IdentifierList: { long: [SAMPLE_LONG, "9007199254740995"] } },
    });
    expect(server.received.at(-1)).toContain(
      "<n1:IdentifierList><n1:long>9007199254740993</n1:long><n1:long>9007199254740995</n1:long></n1:IdentifierList>",
    );
    const sent = server.received.length;
    const err = await client
      .deleteTimesheetEntry?.({ entries: { IdentifierList: { long: [2 ** 53 + 2] } } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe("INVALID_VALUE");
    expect((err as Error).message).toContain("entries.IdentifierList.long[0]");
    expect(server.received).toHaveLength(sent);
  });

  it("refuses an xsd:dateTime string that is not the lexical form, naming the field, before sending", async () => {
    const sent = server.received.length;
    for (const bad of [
      "yesterday",
      "2026-11-30",
      "2026-11-30 21:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-11-30T21:00:00+15:00",
    ]) {
      const err = await client
        .getTimesheet?.({
          input: { DateTimeFrom: bad, DateTimeTo: "2026-12-06T23:59:59Z", ResourceId: "R1" },
        })
        .catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe("INVALID_VALUE");
      expect((err as Error).message).toContain("input.DateTimeFrom");
      expect((err as Error).message).toContain(JSON.stringify(bad));
    }
    expect(server.received).toHaveLength(sent);
    await client.getTimesheet?.({
      input: {
        DateTimeFrom: "2026-11-30T21:00:00",
        DateTimeTo: "2026-12-06T24:00:00-14:00",
        ResourceId: "R1",
      },
    });
    expect(server.received).toHaveLength(sent + 1);
  });

  it("writes a Date as the lexical dateTime (UTC, milliseconds) and returns xsd:long as an exact bigint", async () => {
    const result = await client.getTimesheet?.({
      input: { DateTimeFrom: SAMPLE_DATE, DateTimeTo: "2026-12-06T23:59:59+13:00", ResourceId: "R1" },
    });
    expect(server.received.at(-1)).toContain(
      "<n1:input><n1:DateTimeFrom>2026-11-30T21:00:00.123Z</n1:DateTimeFrom><n1:DateTimeTo>2026-12-06T23:59:59+13:00</n1:DateTimeTo><n1:ResourceId>R1</n1:ResourceId></n1:input>",
    );
    type Timesheet = { PeriodList: { PeriodType: Array<Record<string, unknown>> } };
    const period = (result as { GetTimesheetResult: Timesheet }).GetTimesheetResult.PeriodList.PeriodType[0];
    expect(period).toMatchObject({ PeriodId: 3, DateFrom: "2026-11-30T00:00:00+13:00" });
    const entry = (period as { EntryList: { Entry: Array<Record<string, unknown>> } }).EntryList.Entry[0];
    expect(entry?.Identifier).toBe(9007199254740993n);
    expect(entry).toMatchObject({ InvValue: 0.1, Rate: 2 });
    expect(entry).not.toHaveProperty("WorkDayList");
  });
});

describe("element order and elementFormDefault (zeep-stockquote)", () => {
  it("writes children in schema order whatever the key order, qualified only where the schema says", async () => {
    const { client, server } = await connect("zeep-stockquote", {
      StockQuoteService: { StockQuotePort: { GetLastTradePrice: () => ({ price: "12.5" }) } },
    });
    const result = await client.getLastTradePrice?.({
      country: { code: "NZ", name: "New Zealand" },
      account: { user: "u", id: 7 },
      tickerSymbol: "ACME & Co",
    });
    expect(server.received.at(-1)).toBe(
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:n1="http://example.com/stockquote.xsd">' +
        "<s:Body><n1:TradePriceRequest><tickerSymbol>ACME &amp; Co</tickerSymbol><account><id>7</id><user>u</user></account>" +
        "<n1:country><name>New Zealand</name><code>NZ</code></n1:country></n1:TradePriceRequest></s:Body></s:Envelope>",
    );
    expect(server.calls.at(-1)?.args).toMatchObject({ tickerSymbol: "ACME & Co", account: { user: "u" } });
    expect(result?.price).toBe(12.5);
  });

  it("rejects a declared fault with a typed detail", async () => {
    const { client } = await connect("zeep-stockquote", {
      StockQuoteService: {
        StockQuotePort: {
          GetLastTradePrice: () => {
            throw {
              Fault: {
                faultcode: "soap:Server",
                faultstring: "unknown symbol",
                detail: {
                  "xsd1:Fault2": {
                    attributes: { "xmlns:xsd1": "http://example.com/stockquote.xsd" },
                    message: "no such ticker",
                  },
                },
              },
            };
          },
        },
      },
    });
    const err = await client.getLastTradePrice?.({ tickerSymbol: "NOPE" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeclaredFaultError);
    expect(err).toBeInstanceOf(SoapFaultError);
    expect(err).toMatchObject({
      code: "SOAP_DECLARED_FAULT",
      faultName: "fault2",
      detail: { message: "no such ticker" },
      faultCode: "soap:Server",
    });
    // The generated guard: true for this operation's declared faults only.
    const mod = await importGenerated<{ isGetLastTradePriceFault(e: unknown): boolean }>(
      (await generateFixture(fixture("zeep-stockquote"))).path,
    );
    expect(mod.isGetLastTradePriceFault(err)).toBe(true);
    const other = new DeclaredFaultError("fault3", {}, "x", { faultCode: "soap:Server" });
    expect(mod.isGetLastTradePriceFault(other)).toBe(false);
    expect(
      mod.isGetLastTradePriceFault(new SoapFaultError("SOAP_FAULT", "x", { faultCode: "soap:Server" })),
    ).toBe(false);
  });
});

describe("an unqualified fault detail (zeep-stockquote, a lenient server)", () => {
  it("is a plain SoapFaultError that keeps faultcode, status and faultstring but not the raw detail", async () => {
    const { client } = await connect("zeep-stockquote", {
      StockQuoteService: {
        StockQuotePort: {
          GetLastTradePrice: () => {
            throw {
              Fault: {
                faultcode: "soap:Server",
                faultstring: "unknown symbol",
                detail: { Fault2: { message: "no such ticker" } },
              },
            };
          },
        },
      },
    });
    const err = await client.getLastTradePrice?.({ tickerSymbol: "NOPE" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoapFaultError);
    expect(err).not.toBeInstanceOf(DeclaredFaultError);
    // status: the HTTP status the fault came with (this fixture server sends its faults with 200).
    expect(err).toMatchObject({ code: "SOAP_FAULT", faultCode: "soap:Server", status: 200 });
    expect((err as Error).message).toContain("unknown symbol");
    expect((err as Error).message).not.toContain("no such ticker");
    expect(err).not.toHaveProperty("detail");
  });
});

describe("faults (cxf-import-chain)", () => {
  it("a declared fault is a DeclaredFaultError with its detail decoded by type; another fault a SoapFaultError", async () => {
    let declared = true;
    const { client } = await connect("cxf-import-chain", {
      SOAPService: {
        SoapPort: {
          sayHi: () => ({ responseType: "hi" }),
          greetMe: () => ({ responseType: "hi" }),
          pingMe: () => {
            throw {
              Fault: {
                faultcode: "soap:Server",
                faultstring: declared ? "ping failed" : "plain failure",
                ...(declared
                  ? {
                      detail: {
                        "x1:faultDetail": {
                          attributes: { "xmlns:x1": "http://apache.org/hello_world/types" },
                          minor: 1,
                          major: 2,
                        },
                      },
                    }
                  : {}),
              },
            };
          },
        },
      },
    });
    const first = await client.pingMe?.({}).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DeclaredFaultError);
    expect(first).toMatchObject({
      code: "SOAP_DECLARED_FAULT",
      faultName: "pingMeFault",
      detail: { minor: 1, major: 2 },
    });
    declared = false;
    const second = await client.pingMe?.({}).catch((e: unknown) => e);
    expect(second).not.toBeInstanceOf(DeclaredFaultError);
    expect(isSdkError(second) && second.code).toBe("SOAP_FAULT");
  });
});

describe("rpc/literal (cxf-rpc-literal)", () => {
  it("wraps the parts in the operation element and unwraps <op>Response", async () => {
    const { client, server } = await connect("cxf-rpc-literal", {
      SOAPRPCService: {
        SoapRPCPort: {
          // The response part is the element x1:text: an answer without it is refused (minOccurs 1).
          sayHi: () => ({ text: "hi" }),
          sayHi2: () => ({ out: "two" }),
        },
      },
    });
    const hi = await client.sayHi?.({ text: "Ann" });
    expect(server.received.at(-1)).toContain("<s:Body><sayHi><n1:text>Ann</n1:text></sayHi></s:Body>");
    expect(hi).toMatchObject({ text: "hi", $metadata: { operation: "sayHi", attempts: 1 } });
    expect(server.calls.at(-1)).toMatchObject({ operation: "sayHi" });
  });
});

describe("schema checks before anything is sent (cxf-doc-lit-bare)", () => {
  it("names the field of a missing required element or a wrong type, and sends nothing", async () => {
    const { client, server } = await connect("cxf-doc-lit-bare", {
      SOAPService: { SoapPort: { SayHi: (a) => a } },
    });
    const missing = await client.sayHi?.({ tickerPrice: 1 }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: "INVALID_VALUE", message: "inout.tickerSymbol is required" });
    const wrong = await client.sayHi?.({ tickerSymbol: "A", tickerPrice: "1" }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: "INVALID_VALUE", message: "inout.tickerPrice must be a number" });
    expect(server.received).toHaveLength(0);
  });
});

describe("WS-Security (cxf-import-chain)", () => {
  it("signs each request with the SDK's signer; the SDK's verifier accepts what node-soap received", async () => {
    const id = await testIdentity("rsa");
    const { client, server } = await connect(
      "cxf-import-chain",
      {
        SOAPService: {
          SoapPort: {
            greetMe: (a) => ({ responseType: `hi ${(a as { requestType: string }).requestType}` }),
          },
        },
      },
      { security: createMessageSigner({ key: id.keyPem, cert: id.certPem }) },
    );
    const result = await client.greetMe?.({ requestType: "Zoe" });
    expect(result?.responseType).toBe("hi Zoe");
    const envelope = server.received.at(-1) ?? "";
    expect(envelope).toContain("<wsse:Security");
    const verifier = createRequestVerifier({ trust: [id.certPem] });
    expect(verifier.verifyRequest(envelope)).toMatchObject({ trusted: true });
    expect(() =>
      createRequestVerifier({ trust: [id.certPem] }).verifyRequest(envelope.replace(">Zoe<", ">Zed<")),
    ).toThrow();
  });
});
