import { describe, expect, it } from "vitest";
import { elementDepth, inspectEnvelope } from "../../../src/server/envelope.js";
import { CommunicationFaultError, faultEnvelope, shorten } from "../../../src/server/faults.js";
import { billingCycleAt, billingDue } from "../../../src/server/policy.js";
import { withAddress } from "../../../src/server/wsdl.js";

const SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
const env = (body: string, header = "") =>
  `<s:Envelope xmlns:s="${SOAP}" xmlns:t="urn:esolutions:communication:v1">${header}<s:Body>${body}</s:Body></s:Envelope>`;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CommunicationFaultError) return err.code;
    throw err;
  }
  return "none";
}

describe("inspectEnvelope", () => {
  it("names the operation and rebuilds the envelope with the Body only", () => {
    const inspected = inspectEnvelope(
      env("<t:Sync><ProxyId>p1</ProxyId></t:Sync>", "<s:Header><x:Security xmlns:x='urn:x'/></s:Header>"),
    );
    expect(inspected.operation).toBe("Sync");
    expect(inspected.bodyOnlyEnvelope).not.toContain("Security");
    expect(inspected.bodyOnlyEnvelope).toContain(
      '<t:Sync xmlns:t="urn:esolutions:communication:v1"><ProxyId>p1</ProxyId></t:Sync>',
    );
  });

  it.each([
    ["a DOCTYPE", `<!DOCTYPE x>${env("<t:Sync/>")}`, "INVALID_XML"],
    ["malformed XML", "<a><b></a>", "INVALID_XML"],
    ["two roots", `${env("<t:Sync/>")}<x/>`, "INVALID_XML"],
    ["an undefined entity", env("<t:Sync><ProxyId>&foo;</ProxyId></t:Sync>"), "INVALID_XML"],
    ["a comment in the Body", env("<t:Sync><ProxyId>p<!-- -->1</ProxyId></t:Sync>"), "INVALID_XML"],
    ["a processing instruction in the Body", env("<t:Sync><?evil x?></t:Sync>"), "INVALID_XML"],
    ["an empty Body", env(""), "INVALID_XML"],
    [
      "SOAP 1.2",
      `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`,
      "SOAP_VERSION_MISMATCH",
    ],
    ["an unknown operation", env("<t:Drop/>"), "UNKNOWN_OPERATION"],
    ["an operation without namespace", env("<Sync/>"), "UNKNOWN_OPERATION"],
  ])("refuses %s", (_name, xml, code) => {
    expect(codeOf(() => inspectEnvelope(xml))).toBe(code);
  });

  it("allows a comment outside the Body (e.g. before the root)", () => {
    expect(inspectEnvelope(`<!-- hi -->${env("<t:Sync/>")}`).operation).toBe("Sync");
  });
});

describe("elementDepth", () => {
  it("counts element nesting, skipping comments, CDATA, PIs, self-closing tags and quoted '>'", () => {
    expect(elementDepth("<a><b><c/></b></a>")).toBe(2);
    expect(elementDepth('<a x="1>2"><!-- <b><c> --><![CDATA[<d><e>]]><?p <f>?><g/></a>')).toBe(1);
    expect(elementDepth(`${"<a>".repeat(100)}${"</a>".repeat(100)}`, 64)).toBe(65);
  });
});

describe("faultEnvelope", () => {
  it("writes a SOAP 1.1 fault with CommunicationFault detail, escaped and shortened", () => {
    const xml = faultEnvelope(
      new CommunicationFaultError("INVALID_VALUE", `Read[0].Serial <bad> ${"x".repeat(500)}`, {
        field: "Read[0].Serial",
      }),
    );
    expect(xml).toContain("<faultcode>soap:Client</faultcode>");
    expect(xml).toContain(
      "<Code>INVALID_VALUE</Code><Retryable>false</Retryable><Field>Read[0].Serial</Field>",
    );
    expect(xml).toContain("&lt;bad&gt;");
    expect(/<faultstring>([^<]*)<\/faultstring>/.exec(xml)?.[1]?.length).toBeLessThanOrEqual(240 + 30);
  });

  it("uses soap:Server for retryable faults", () => {
    expect(
      faultEnvelope(new CommunicationFaultError("STORAGE_UNAVAILABLE", "later", { retryable: true })),
    ).toContain("<faultcode>soap:Server</faultcode>");
  });

  it("shorten drops control characters", () => {
    expect(shorten("a\u0000b\nc", 10)).toBe("a b c");
  });
});

describe("billing cycles", () => {
  it.each([
    ["2026-01-01T00:00:00Z", "monthly", "2026-01", "2026-02-01T00:00:00.000Z"],
    ["2026-12-31T23:59:59Z", "monthly", "2026-12", "2027-01-01T00:00:00.000Z"],
    ["2026-03-31T12:00:00Z", "quarterly", "2026-Q1", "2026-04-01T00:00:00.000Z"],
    ["2026-11-25T12:00:00Z", "quarterly", "2026-Q4", "2027-01-01T00:00:00.000Z"],
    ["2026-06-30T23:59:59Z", "semiannual", "2026-H1", "2026-07-01T00:00:00.000Z"],
    ["2026-07-01T00:00:00Z", "semiannual", "2026-H2", "2027-01-01T00:00:00.000Z"],
  ] as const)("%s %s → %s ending %s", (at, kind, id, end) => {
    const cycle = billingCycleAt(new Date(at), kind);
    expect([cycle.id, cycle.end.toISOString()]).toEqual([id, end]);
    expect(cycle.start.getTime()).toBeLessThanOrEqual(new Date(at).getTime());
  });

  it("a request is due dueDays later, but inside its cycle", () => {
    const cycle = billingCycleAt(new Date("2026-11-10T00:00:00Z"), "monthly");
    expect(billingDue(new Date("2026-11-10T00:00:00Z"), cycle, 7).toISOString()).toBe(
      "2026-11-17T00:00:00.000Z",
    );
    expect(billingDue(new Date("2026-11-28T00:00:00Z"), cycle, 7).toISOString()).toBe(
      "2026-11-30T23:59:59.000Z",
    );
  });
});

describe("withAddress", () => {
  it("points soap:address at the running server", () => {
    expect(
      withAddress(
        '<soap:address location="https://localhost:8443/esolutions/v1"/>',
        "http://127.0.0.1:18500/x",
      ),
    ).toBe('<soap:address location="http://127.0.0.1:18500/x"/>');
  });
});
