/**
 * `soap:header` parts in generated clients (WSDL 1.1 §3.7), against node-soap servers built
 * from the same WSDLs on loopback: client-wide and per-call header values arrive in the SOAP
 * Header as node-soap parses them, a required header missing is refused before sending, a
 * signed call with a header verifies, output headers come back in `$headers`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateClient } from "../../../src/codegen/index.js";
import { ValidationError } from "../../../src/errors.js";
import { decodeResponse, encodeRequest } from "../../../src/soap/service-client.js";
import { createMessageSigner, createRequestVerifier } from "../../../src/wssec/index.js";
import { testIdentity } from "../../helpers/keys.js";
import { fixture, fixtureConnections, generateFixture, type Services } from "./harness.js";

const { connect, closeAll } = fixtureConnections();
afterAll(closeAll);

const bank: Services = {
  Bank: {
    BankSoap: {
      GetBalance: (a) => ({ GetBalanceResult: `${(a as { accountId: string }).accountId.length}.50` }),
      Transfer: () => ({ TransferResult: true }),
      Ping: () => ({ PingResult: "pong" }),
    },
  },
};

const AUTH = { Username: "proxy-7", Password: "s3cret<&>" };

describe("ASMX AuthHeader (asmx-auth-header, ours)", () => {
  it("client-wide headers go on every call whose binding declares them, qualified, before the Body", async () => {
    const { client, server } = await connect("asmx-auth-header", bank, { headers: { AuthHeader: AUTH } });
    const balance = await client.getBalance?.({ accountId: "A1" });
    expect(balance?.GetBalanceResult).toBe("2.50");
    expect(server.calls.at(-1)?.headers).toEqual({ AuthHeader: AUTH });
    const envelope = server.received.at(-1) ?? "";
    expect(envelope).toMatch(
      /<s:Header><(n\d+):AuthHeader><\1:Username>proxy-7<\/\1:Username><\1:Password>s3cret&lt;&amp;&gt;<\/\1:Password><\/\1:AuthHeader><\/s:Header><s:Body>/,
    );
    expect(envelope).toMatch(/xmlns:n\d+="http:\/\/tempuri.org\/"/);
    // Ping declares no header: none is sent, though the client has one.
    expect((await client.ping?.({}))?.PingResult).toBe("pong");
    expect(server.received.at(-1)).not.toContain("Header");
    expect(server.calls.at(-1)?.headers).toBeUndefined();
  });

  it("a call's headers override the client's, per name", async () => {
    const { client, server } = await connect("asmx-auth-header", bank, { headers: { AuthHeader: AUTH } });
    const done = await client.transfer?.(
      { from: "A", to: "B", amount: "10.00" },
      { headers: { AuthHeader: { Username: "other" } } },
    );
    expect(done?.TransferResult).toBe(true);
    expect(server.calls.at(-1)?.headers).toEqual({ AuthHeader: { Username: "other" } });
    // An undefined per-call value keeps the client's.
    await client.transfer?.({ from: "A", to: "B", amount: "1" }, { headers: { AuthHeader: undefined } });
    expect(server.calls.at(-1)?.headers).toEqual({ AuthHeader: AUTH });
  });

  it("a required header missing: INVALID_VALUE naming it, nothing sent", async () => {
    const { client, server } = await connect("asmx-auth-header", bank);
    const error = await client.getBalance?.({ accountId: "A1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: "INVALID_VALUE" });
    expect((error as Error).message).toContain("header AuthHeader is required by operation GetBalance");
    expect(server.received).toHaveLength(0);
    // Given per call, it goes.
    await client.getBalance?.({ accountId: "A1" }, { headers: { AuthHeader: AUTH } });
    expect(server.calls.at(-1)?.headers).toEqual({ AuthHeader: AUTH });
  });

  it("signed: the AuthHeader and wsse:Security share one Header; the SDK's verifier accepts it", async () => {
    const id = await testIdentity("rsa");
    const { client, server } = await connect("asmx-auth-header", bank, {
      headers: { AuthHeader: AUTH },
      security: createMessageSigner({ key: id.keyPem, cert: id.certPem }),
    });
    expect((await client.getBalance?.({ accountId: "ACC9" }))?.GetBalanceResult).toBe("4.50");
    const envelope = server.received.at(-1) ?? "";
    expect(envelope.match(/<s:Header>/g)).toHaveLength(1);
    expect(envelope).toMatch(
      /<s:Header><wsse:Security[^>]*>.*<\/wsse:Security><n\d+:AuthHeader>.*<\/s:Header>/,
    );
    expect(createRequestVerifier({ trust: [id.certPem] }).verifyRequest(envelope)).toMatchObject({
      trusted: true,
    });
    expect(server.calls.at(-1)?.headers).toMatchObject({ AuthHeader: AUTH });
    // The signature covers the Body: changing it breaks verification.
    expect(() =>
      createRequestVerifier({ trust: [id.certPem] }).verifyRequest(envelope.replace(">ACC9<", ">ACC8<")),
    ).toThrow();
  });
});

describe("cxf-header-doc-lit", () => {
  it("inHeader: the header part goes into the Header, the body part into the Body", async () => {
    const { client, server } = await connect("cxf-header-doc-lit", {
      SOAPHeaderService: {
        SoapPort9000: {
          inHeader: (a) => ({ responseType: `got ${(a as { requestType: string }).requestType}` }),
        },
      },
    });
    const result = await client.inHeader?.(
      { requestType: "R" },
      { headers: { header: { originator: "sdk", message: "hello" } } },
    );
    expect(result?.responseType).toBe("got R");
    expect(server.calls.at(-1)?.headers).toEqual({ header: { originator: "sdk", message: "hello" } });
    expect(server.received.at(-1)).toMatch(
      /<s:Header><(n\d+):header><\1:originator>sdk<\/\1:originator><\1:message>hello<\/\1:message><\/\1:header><\/s:Header><s:Body><\1:inHeader>/,
    );
  });

  it("outHeader: an output header the answer carries is decoded into $headers; absent, no $headers", async () => {
    const { port } = await generateFixture(fixture("cxf-header-doc-lit"));
    const ns = "http://apache.org/headers/coloc/types";
    const body = `<s:Body><x:outHeaderResponse><x:responseType>ok</x:responseType></x:outHeaderResponse></s:Body>`;
    const head = `<s:Header><x:header><x:originator>srv</x:originator><x:message>m</x:message></x:header></s:Header>`;
    const env = (h: string) =>
      `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="${ns}">${h}${body}</s:Envelope>`;
    expect(decodeResponse(port.model, "outHeader", env(head), 200)).toEqual({
      kind: "response",
      body: { responseType: "ok", $headers: { header: { originator: "srv", message: "m" } } },
    });
    expect(decodeResponse(port.model, "outHeader", env(""), 200)).toEqual({
      kind: "response",
      body: { responseType: "ok" },
    });
    // A header the operation does not declare is ignored.
    const other = `<s:Header><y:Other xmlns:y="urn:other">1</y:Other></s:Header>`;
    expect(decodeResponse(port.model, "outHeader", env(other), 200)).toEqual({
      kind: "response",
      body: { responseType: "ok" },
    });
  });

  it("an operation without headers writes no Header (encodeRequest)", async () => {
    const { port } = await generateFixture(fixture("cxf-header-doc-lit"));
    const envelope = encodeRequest(port.model, "outHeader", { requestType: "q" }, { header: {} });
    expect(envelope).not.toContain("<s:Header");
    expect(envelope).toContain("<s:Body><n1:outHeader>");
  });
});

describe("header declarations the generator reads (inline WSDL)", () => {
  const dir = mkdtempSync(join(tmpdir(), "esol-codegen-headers-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const TNS = "urn:example:headers";
  const file = join(dir, "h.wsdl");
  writeFileSync(
    file,
    `<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${TNS}" targetNamespace="${TNS}">
  <wsdl:types>
    <xs:schema targetNamespace="${TNS}">
      <xs:element name="Op"><xs:complexType><xs:sequence><xs:element name="a" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
      <xs:element name="OpResponse"><xs:complexType><xs:sequence/></xs:complexType></xs:element>
      <xs:element name="Trace" type="xs:long"/>
      <xs:element name="Session"><xs:complexType><xs:sequence><xs:element name="id" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="OpIn"><wsdl:part name="parameters" element="tns:Op"/></wsdl:message>
  <wsdl:message name="OpOut"><wsdl:part name="parameters" element="tns:OpResponse"/></wsdl:message>
  <wsdl:message name="Headers">
    <wsdl:part name="Trace" element="tns:Trace"/><wsdl:part name="Session" element="tns:Session"/>
    <wsdl:part name="Legacy" type="xs:string"/>
  </wsdl:message>
  <wsdl:portType name="P"><wsdl:operation name="Op"><wsdl:input message="tns:OpIn"/><wsdl:output message="tns:OpOut"/></wsdl:operation></wsdl:portType>
  <wsdl:binding name="B" type="tns:P">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Op">
      <soap:operation soapAction="urn:op"/>
      <wsdl:input>
        <soap:body use="literal"/>
        <soap:header message="tns:Headers" part="Session" use="literal" wsdl:required="true"/>
        <soap:header message="tns:Headers" part="Trace" use="literal"/>
        <soap:header message="tns:Headers" part="Legacy" use="encoded" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/>
        <soap:header message="tns:Nowhere" part="X" use="literal"/>
      </wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="S"><wsdl:port name="Port" binding="tns:B"><soap:address location="http://localhost/s"/></wsdl:port></wsdl:service>
</wsdl:definitions>`,
  );

  it('a header is optional unless wsdl:required="true"; encoded and undefined-message headers stay warnings', async () => {
    const generated = await generateClient({ wsdl: file, source: "h.wsdl" });
    expect(generated.warnings).toEqual([
      'operation "Op" of binding "B": soap:header part "Legacy" of message "Headers" (input) is use="encoded" (SOAP encoding), not generated; the client sends no such header',
      'operation "Op" of binding "B": soap:header part "X" of message "Nowhere" (input) names a message the WSDL does not define, not generated; the client sends no such header',
    ]);
    const model = generated.port.model;
    expect(model.operations.Op?.inputHeaders?.map((h) => [h.prop, h.required])).toEqual([
      ["Session", true],
      ["Trace", false],
    ]);
    // Trace may be left out; Session may not.
    expect(encodeRequest(model, "Op", { a: "x" }, { Session: { id: "s1" } })).toBe(
      `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:n1="${TNS}"><s:Header><n1:Session><id>s1</id></n1:Session></s:Header><s:Body><n1:Op><a>x</a></n1:Op></s:Body></s:Envelope>`,
    );
    expect(() => encodeRequest(model, "Op", { a: "x" }, { Trace: { value: 1n } })).toThrow(
      "header Session is required by operation Op",
    );
    // A simple-typed header element takes { value }, exact past 2^53; in declaration order.
    expect(
      encodeRequest(model, "Op", { a: "x" }, { Trace: { value: 9007199254740993n }, Session: { id: "s" } }),
    ).toContain(
      "<s:Header><n1:Session><id>s</id></n1:Session><n1:Trace>9007199254740993</n1:Trace></s:Header>",
    );
    // The module: ClientHeaders typed from the header elements.
    expect(generated.files["index.ts"]).toMatch(
      / Trace\?: \{ value: number \| bigint \| string \} \| undefined;/,
    );
  });
});
