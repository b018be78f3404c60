import { readFileSync } from "node:fs";
import { DOMParser, type Element } from "@xmldom/xmldom";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildEnvelope, COMMUNICATION_MODEL, parseAnswer } from "../../../src/soap/communication-codec.js";
import { escapeText } from "../../../src/soap/envelope.js";

const NS = 'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"';

function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

describe("buildEnvelope (the generated model's codec in the public client's wire style)", () => {
  it("writes a compact envelope: one short prefix, unqualified children, no whitespace", () => {
    expect(
      buildEnvelope("Sync", { ProxyId: "p1", ClientTime: "2026-11-25T18:00:00Z", Status: undefined }),
    ).toBe(
      `<s:Envelope ${NS}><s:Body><e:Sync xmlns:e="urn:esolutions:communication:v1">` +
        "<ProxyId>p1</ProxyId><ClientTime>2026-11-25T18:00:00Z</ClientTime></e:Sync></s:Body></s:Envelope>",
    );
  });

  it("repeats array members and writes the schema's order", () => {
    const text = buildEnvelope("SubmitBillingReads", {
      ProxyId: "p",
      Read: [
        {
          Meter: [
            { Name: "A", Value: "1" },
            { Name: "B", Value: "2" },
          ],
          ReadAt: "2026-11-25T18:00:00Z",
          Serial: "S",
          Key: "k",
        },
      ],
    });
    expect(text).toContain(
      "<Read><Key>k</Key><Serial>S</Serial><ReadAt>2026-11-25T18:00:00Z</ReadAt><Meter><Name>A</Name><Value>1</Value></Meter><Meter><Name>B</Name><Value>2</Value></Meter></Read>",
    );
    const status = buildEnvelope("ReportSyncStatus", {
      Key: "k",
      ProxyId: "p",
      Status: [{ Serial: "S", Service: "billing", Enabled: false, Detail: "" }],
    });
    expect(status).toContain("<Enabled>false</Enabled>");
    expect(status).toContain("<Detail/>");
  });

  it("escapes markup and carriage returns and refuses characters XML cannot carry", () => {
    expect(escapeText("a<b>&c\r\n")).toBe("a&lt;b&gt;&amp;c&#13;\n");
    const status = (detail: unknown) => ({
      Key: "k",
      ProxyId: "p",
      Status: [{ Serial: "S", Service: "billing", Enabled: true, Detail: detail }],
    });
    expect(thrown(() => buildEnvelope("ReportSyncStatus", status("bell\u0007")))?.message).toMatch(
      /Status\[0\]\.Detail/,
    );
    expect(thrown(() => buildEnvelope("ReportSyncStatus", status(new Date())))?.message).toMatch(
      /no XML form/,
    );
    const supply = (max: unknown) => ({
      ProxyId: "p",
      Report: [{ Key: "k", Serial: "S", ReadAt: "2026-11-25T18:00:00Z", Supply: [{ Index: "1", Max: max }] }],
    });
    expect(thrown(() => buildEnvelope("SubmitSuppliesReport", supply(Number.NaN)))?.message).toMatch(
      /must be a number/,
    );
  });

  it("round-trips any XML-legal text through the encoder and the decoder", () => {
    const legal = fc
      .string({ unit: "grapheme", maxLength: 40 })
      // biome-ignore lint/suspicious/noControlCharactersInRegex: filtering out exactly the characters XML cannot carry
      .filter((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s));
    fc.assert(
      fc.property(legal, (text) => {
        const request = buildEnvelope("RegisterProxy", { Key: "k", ProxyId: text });
        // The same element text, read back as the answer's ProxyId.
        // (plus the response's other required elements, which a decoded answer must hold).
        const answer = request
          .replace(/e:RegisterProxy\b/g, "e:RegisterProxyResponse")
          .replace(
            "</e:RegisterProxyResponse>",
            "<ServerTime>2026-11-25T18:00:00Z</ServerTime><Duplicate>false</Duplicate></e:RegisterProxyResponse>",
          );
        const parsed = parseAnswer("RegisterProxy", answer, 200);
        expect(parsed.kind).toBe("response");
        if (parsed.kind === "response")
          expect((parsed.body as { ProxyId?: string }).ProxyId ?? "").toBe(text);
      }),
      // NEL, LINE and PARAGRAPH SEPARATOR: parsers with XML 1.1 line-end rules (xmldom) turn them into "\n".
      { numRuns: 300, examples: [["\u2028"], ["\u2029"], ["a\u0085b"], ["x\r\ny"]] },
    );
  });
});

describe("parseAnswer", () => {
  const envelope = (inner: string) =>
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${inner}</soap:Body></soap:Envelope>`;

  it("returns the Body's element typed by the schema, repeated elements as arrays", () => {
    const parsed = parseAnswer(
      "Sync",
      envelope(
        '<t:SyncResponse xmlns:t="urn:esolutions:communication:v1"><ServerTime>2026-11-25T18:00:00Z</ServerTime>' +
          "<Configure><PollIntervalSeconds>900</PollIntervalSeconds></Configure>" +
          "<BillingRequest><Serial>S</Serial><Cycle>2026-11</Cycle><Meter>Total</Meter><Due>2026-12-01T00:00:00Z</Due></BillingRequest></t:SyncResponse>",
      ),
      200,
    );
    expect(parsed).toEqual({
      kind: "response",
      body: {
        ServerTime: "2026-11-25T18:00:00Z",
        Configure: { PollIntervalSeconds: 900 },
        EnableService: [],
        BillingRequest: [{ Serial: "S", Cycle: "2026-11", Meter: ["Total"], Due: "2026-12-01T00:00:00Z" }],
        SuppliesRequest: [],
        Disable: [],
      },
    });
  });

  it("reads a fault through the SDK's fault table, with its CommunicationFault detail", () => {
    const parsed = parseAnswer(
      "SubmitBillingReads",
      envelope(
        '<soap:Fault xmlns:wsse="urn:x"><faultcode>wsse:FailedCheck</faultcode><faultstring>no</faultstring><detail>' +
          '<c:CommunicationFault xmlns:c="urn:esolutions:communication:v1"><Code>INVALID_VALUE</Code><Retryable>false</Retryable><Field>Read[0].Meter[0].Value</Field></c:CommunicationFault></detail></soap:Fault>',
      ),
      500,
    );
    expect(parsed.kind).toBe("fault");
    if (parsed.kind === "fault")
      expect(parsed.fault).toMatchObject({
        name: "SoapFaultError",
        code: "INVALID_VALUE",
        faultCode: "wsse:FailedCheck",
        retryable: false,
        message: "the server refused the request: no (field Read[0].Meter[0].Value)",
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
    const caught = thrown(() => parseAnswer("Sync", text, 200));
    expect(caught).toMatchObject({ code: "BAD_RESPONSE", retryable: false, status: 200 });
    expect(caught?.message).toMatch(reason);
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
    const modelled = new Set<string>();
    for (const type of Object.values(COMMUNICATION_MODEL.types))
      if (type.kind === "complex") for (const f of type.fields) if (f.max !== 1) modelled.add(f.local);
    expect([...modelled].sort()).toEqual([...repeated].sort());
  });
});
