import { readFileSync } from "node:fs";
import { DOMParser, type Element } from "@xmldom/xmldom";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildEnvelope,
  escapeText,
  parseResponse,
  REPEATED_ELEMENTS,
  serializeElement,
} from "../../../src/soap/envelope.js";

const NS = 'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"';

describe("buildEnvelope", () => {
  it("writes a compact envelope: one short prefix, unqualified children, no whitespace", () => {
    expect(
      buildEnvelope("Sync", { ProxyId: "p1", ClientTime: "2026-11-25T18:00:00Z", Status: undefined }),
    ).toBe(
      `<s:Envelope ${NS}><s:Body><e:Sync xmlns:e="urn:esolutions:communication:v1">` +
        "<ProxyId>p1</ProxyId><ClientTime>2026-11-25T18:00:00Z</ClientTime></e:Sync></s:Body></s:Envelope>",
    );
  });

  it("repeats array members and keeps key order", () => {
    expect(
      serializeElement("Read", [
        {
          Key: "k",
          Meter: [
            { Name: "A", Value: "1" },
            { Name: "B", Value: "2" },
          ],
        },
      ]),
    ).toBe(
      "<Read><Key>k</Key><Meter><Name>A</Name><Value>1</Value></Meter><Meter><Name>B</Name><Value>2</Value></Meter></Read>",
    );
    expect(serializeElement("Enabled", false)).toBe("<Enabled>false</Enabled>");
    expect(serializeElement("Detail", "")).toBe("<Detail/>");
  });

  it("escapes markup and carriage returns and refuses characters XML cannot carry", () => {
    expect(escapeText("a<b>&c\r\n")).toBe("a&lt;b&gt;&amp;c&#13;\n");
    expect(() => serializeElement("Detail", "bell\u0007", "statuses[0].detail")).toThrow(
      /statuses\[0\]\.detail/,
    );
    expect(() => serializeElement("ReadAt", new Date())).toThrow(/no XML form/);
    expect(() => serializeElement("Max", Number.NaN)).toThrow(/finite/);
  });

  it("round-trips any XML-legal text through serializer and parser", () => {
    const legal = fc
      .string({ unit: "grapheme", maxLength: 40 })
      // biome-ignore lint/suspicious/noControlCharactersInRegex: filtering out exactly the characters XML cannot carry
      .filter((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s));
    fc.assert(
      fc.property(legal, (text) => {
        const xml = buildEnvelope("RegisterProxyResponse", { ProxyId: text });
        const parsed = parseResponse(xml);
        expect(parsed.kind).toBe("response");
        if (parsed.kind === "response") expect(parsed.value.ProxyId ?? "").toBe(text);
      }),
      // NEL, LINE and PARAGRAPH SEPARATOR: parsers with XML 1.1 line-end rules (xmldom) turn them into "\n".
      { numRuns: 300, examples: [["\u2028"], ["\u2029"], ["a\u0085b"], ["x\r\ny"]] },
    );
  });
});

describe("parseResponse", () => {
  const envelope = (inner: string) =>
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${inner}</soap:Body></soap:Envelope>`;

  it("returns the Body's element as a plain object with repeated elements as arrays", () => {
    const parsed = parseResponse(
      envelope(
        '<t:SyncResponse xmlns:t="urn:esolutions:communication:v1"><ServerTime>2026-11-25T18:00:00Z</ServerTime>' +
          "<BillingRequest><Serial>S</Serial><Cycle>2026-11</Cycle><Meter>Total</Meter><Due>2026-12-01T00:00:00Z</Due></BillingRequest></t:SyncResponse>",
      ),
    );
    expect(parsed).toEqual({
      kind: "response",
      element: "SyncResponse",
      value: {
        ServerTime: "2026-11-25T18:00:00Z",
        BillingRequest: [{ Serial: "S", Cycle: "2026-11", Meter: ["Total"], Due: "2026-12-01T00:00:00Z" }],
      },
    });
  });

  it("reads a fault with its CommunicationFault detail and the fault code's namespace", () => {
    const parsed = parseResponse(
      envelope(
        '<soap:Fault xmlns:wsse="urn:x"><faultcode>wsse:FailedCheck</faultcode><faultstring>no</faultstring><detail>' +
          '<c:CommunicationFault xmlns:c="urn:esolutions:communication:v1"><Code>INVALID_VALUE</Code><Retryable>false</Retryable><Field>Read[0].Meter[0].Value</Field></c:CommunicationFault></detail></soap:Fault>',
      ),
      500,
    );
    expect(parsed).toEqual({
      kind: "fault",
      fault: {
        faultCode: "wsse:FailedCheck",
        faultCodeNamespace: "urn:x",
        faultString: "no",
        detail: { code: "INVALID_VALUE", retryable: false, field: "Read[0].Meter[0].Value" },
      },
    });
  });

  it.each([
    ["malformed XML", "<soap:Envelope", /malformed XML/],
    ["not an envelope", "<html><body>login</body></html>", /not a SOAP 1.1 Envelope/],
    [
      "SOAP 1.2",
      '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
      /not a SOAP 1.1/,
    ],
    ["an empty Body", envelope(""), /Body is empty/],
    ["a DOCTYPE", `<!DOCTYPE x [<!ENTITY a "b">]>${envelope("<x>&a;</x>")}`, /DOCTYPE/],
  ])("refuses %s as BAD_RESPONSE", (_name, text, reason) => {
    let caught: unknown;
    try {
      parseResponse(text, 200);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: "BAD_RESPONSE", retryable: false, status: 200 });
    expect((caught as Error).message).toMatch(reason);
  });

  it("knows exactly the elements the WSDL lets repeat", () => {
    const wsdl = readFileSync(new URL("../../../wsdl/communication.wsdl", import.meta.url), "utf8");
    const doc = new DOMParser().parseFromString(wsdl, "text/xml");
    const repeated = new Set<string>();
    const all = doc.getElementsByTagNameNS("http://www.w3.org/2001/XMLSchema", "element");
    for (let i = 0; i < all.length; i++) {
      const el = all.item(i) as Element;
      const max = el.getAttribute("maxOccurs");
      if (max && max !== "1") repeated.add(el.getAttribute("name") ?? "");
    }
    expect([...REPEATED_ELEMENTS].sort()).toEqual([...repeated].sort());
  });
});
