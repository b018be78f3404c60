/**
 * The XML Schema constructs `esol codegen` reads beyond plain sequences, on one small WSDL
 * written here for the purpose (the public fixtures exercise them in real descriptions):
 * `xsd:list`, `xsd:union`, `xsd:choice` (at most one alternative, checked before sending),
 * `xsd:any` (XML text in, XML text out), names that are not TypeScript identifiers or clash,
 * and the one-line refusals of abstract elements/types — only when an operation uses them.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateClient } from "../../../src/codegen/index.js";
import { ConfigError, ValidationError } from "../../../src/errors.js";
import { decodeResponse, encodeRequest } from "../../../src/soap/service-client.js";
import { ROOT } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "esol-codegen-constructs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TNS = "urn:example:constructs";

/** A WSDL whose one operation takes `Order` and answers `Order`; `extra` holds more schema. */
function wsdl(extra = "", input = "tns:Order", output = "tns:Order"): string {
  return `<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${TNS}" targetNamespace="${TNS}">
  <wsdl:types>
    <xs:schema targetNamespace="${TNS}" elementFormDefault="qualified">
      <xs:simpleType name="Colour"><xs:restriction base="xs:string">
        <xs:enumeration value="red"/><xs:enumeration value="green"/></xs:restriction></xs:simpleType>
      <xs:simpleType name="Colours"><xs:list itemType="tns:Colour"/></xs:simpleType>
      <xs:simpleType name="Sizes"><xs:list><xs:simpleType><xs:restriction base="xs:int"/></xs:simpleType></xs:list></xs:simpleType>
      <xs:simpleType name="SizeOrWord"><xs:union memberTypes="xs:int xs:string"/></xs:simpleType>
      <xs:complexType name="Promise"><xs:sequence><xs:element name="by" type="xs:date"/></xs:sequence></xs:complexType>
      <xs:element name="Promise" type="tns:Promise"/>
      <xs:complexType name="Order">
        <xs:sequence>
          <xs:element name="class" type="xs:string"/>
          <xs:element name="a-b.c" type="xs:int"/>
          <xs:element name="colours" type="tns:Colours"/>
          <xs:element name="sizes" type="tns:Sizes" minOccurs="0"/>
          <xs:element name="size" type="tns:SizeOrWord" minOccurs="0"/>
          <xs:choice>
            <xs:element name="email" type="xs:string"/>
            <xs:sequence><xs:element name="street" type="xs:string"/><xs:element name="city" type="xs:string"/></xs:sequence>
          </xs:choice>
          <xs:element ref="tns:Promise" minOccurs="0"/>
          <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence>
        <xs:attribute name="class" type="xs:string"/>
      </xs:complexType>
      <xs:element name="Order" type="tns:Order"/>
      ${extra}
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="In"><wsdl:part name="body" element="${input}"/></wsdl:message>
  <wsdl:message name="Out"><wsdl:part name="body" element="${output}"/></wsdl:message>
  <wsdl:portType name="Shop"><wsdl:operation name="place-order.v2"><wsdl:input message="tns:In"/><wsdl:output message="tns:Out"/></wsdl:operation></wsdl:portType>
  <wsdl:binding name="ShopSoap" type="tns:Shop"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="place-order.v2"><soap:operation soapAction="urn:place"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="Shop"><wsdl:port name="ShopSoap" binding="tns:ShopSoap"><soap:address location="http://127.0.0.1:1/shop"/></wsdl:port></wsdl:service>
</wsdl:definitions>`;
}

async function generate(name: string, text: string) {
  const file = join(dir, `${name}.wsdl`);
  writeFileSync(file, text);
  return generateClient({ wsdl: file });
}

const OP = "place-order.v2";

describe("esol codegen: constructs", () => {
  it("writes a client that type-checks strictly: list, union, choice, any, reserved and illegal names", async () => {
    const { files, port } = await generate("ok", wsdl());
    const out = join(ROOT, ".tmp", "codegen-constructs");
    mkdirSync(out, { recursive: true });
    const importFrom = relative(out, join(ROOT, "src", "index.js"));
    const text = (files["index.ts"] ?? "").replace(
      'from "esolutions-sdk"',
      `from ${JSON.stringify(importFrom)}`,
    );
    writeFileSync(join(out, "index.ts"), text);
    writeFileSync(
      join(out, "use.ts"),
      [
        'import { createClient, type OrderInput } from "./index.js";',
        "const order: OrderInput = {",
        '  class: "gold", "a-b.c": 1, colours: ["red", "green"], sizes: [1, 2], size: "large",',
        '  email: "x@example.org", classAttribute: "a", any: ["<x xmlns=\\"urn:x\\"/>"],',
        "};",
        "export async function use(): Promise<string[]> {",
        "  const client = createClient();",
        "  const answer = await client.place_order_v2(order);",
        "  return [...answer.colours, ...(answer.any ?? [])];",
        "}",
      ].join("\n"),
    );
    writeFileSync(
      join(out, "tsconfig.json"),
      JSON.stringify({
        extends: "../../tsconfig.json",
        compilerOptions: { noEmit: true, rootDir: "../.." },
        include: ["./*.ts", "../../src/snmp/net-snmp.d.ts"],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(out, "tsconfig.json")],
      { encoding: "utf8" },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
    expect(text).toContain("export interface Promise2 {");
    expect(text).toContain('"a-b.c": number;');
    expect(text).toContain("colours: ReadonlyArray<Colour>;");
    expect(text).toContain("any?: ReadonlyArray<string> | undefined;");
    expect(port.warnings).toEqual([]);
  });

  it("on the wire: a list is space-separated, a union its lexical form, an xsd:any its XML text", async () => {
    const { port } = await generate("wire", wsdl());
    const envelope = encodeRequest(port.model, OP, {
      class: "gold",
      "a-b.c": 1,
      colours: ["red", "green"],
      sizes: [1, 2],
      size: "large",
      street: "1 Main St",
      city: "Springfield",
      any: ['<x:note xmlns:x="urn:x" x:lang="en">hi &amp; bye</x:note>'],
    });
    expect(envelope).toContain(
      '<n1:Order><n1:class>gold</n1:class><n1:a-b.c>1</n1:a-b.c><n1:colours>red green</n1:colours><n1:sizes>1 2</n1:sizes><n1:size>large</n1:size><n1:street>1 Main St</n1:street><n1:city>Springfield</n1:city><x:note xmlns:x="urn:x" x:lang="en">hi &amp; bye</x:note></n1:Order>',
    );
    const answer = envelope.replace("<s:Body><n1:Order>", '<s:Body><n1:Order class="a">');
    const parsed = decodeResponse(port.model, OP, answer, 200);
    expect(parsed).toEqual({
      kind: "response",
      body: {
        class: "gold",
        classAttribute: "a",
        "a-b.c": 1,
        colours: ["red", "green"],
        sizes: [1, 2],
        size: "large",
        street: "1 Main St",
        city: "Springfield",
        any: ['<note xmlns="urn:x" xmlns:a0="urn:x" a0:lang="en">hi &amp; bye</note>'],
      },
    });
  });

  it("refuses before sending: two alternatives of one xsd:choice, an xsd:any that is not one element, a bad list item", async () => {
    const { port } = await generate("refuse", wsdl());
    const base = { class: "c", "a-b.c": 1, colours: ["red"] };
    const refused = (input: object) => {
      try {
        encodeRequest(port.model, OP, input);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return (err as ValidationError).message;
      }
      throw new Error("not refused");
    };
    expect(refused({ ...base, email: "e", city: "c" })).toBe(
      "Order.city is an alternative of Order.email (xsd:choice): set only one",
    );
    expect(refused({ ...base, any: ["<a/><b/>"] })).toBe(
      "Order.any is not the well-formed XML text of one element (xsd:any)",
    );
    expect(refused({ ...base, any: ["<p:a/>"] })).toBe(
      "Order.any is not the well-formed XML text of one element (xsd:any)",
    );
    expect(refused({ ...base, colours: ["blue"] })).toBe('Order.colours[0] must be one of "red", "green"');
    expect(refused({ ...base, colours: "red" })).toBe("Order.colours must be an array (xsd:list)");
    // The street/city branch together is one alternative.
    expect(encodeRequest(port.model, OP, { ...base, street: "s", city: "c" })).toContain(
      "<n1:city>c</n1:city>",
    );
  });

  it("a .NET DataSet (s:schema then s:any): the inline schema and the diffgram each as XML text", async () => {
    const dataSet =
      '<xs:element name="GetDataResponse"><xs:complexType><xs:sequence><xs:element name="GetDataResult" minOccurs="0">' +
      '<xs:complexType><xs:sequence><xs:element ref="xs:schema"/><xs:any/></xs:sequence></xs:complexType>' +
      "</xs:element></xs:sequence></xs:complexType></xs:element>";
    const { port, files } = await generate("dataset", wsdl(dataSet, "tns:Order", "tns:GetDataResponse"));
    expect(files["index.ts"]).toContain("schema: string;");
    const answer =
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDataResponse xmlns="urn:example:constructs"><GetDataResult>' +
      '<xs:schema id="NewDataSet" xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="T"/></xs:schema>' +
      '<diffgr:diffgram xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"><NewDataSet xmlns=""><T>1</T></NewDataSet></diffgr:diffgram>' +
      "</GetDataResult></GetDataResponse></s:Body></s:Envelope>";
    expect(decodeResponse(port.model, OP, answer, 200)).toEqual({
      kind: "response",
      body: {
        GetDataResult: {
          schema:
            '<schema xmlns="http://www.w3.org/2001/XMLSchema" id="NewDataSet"><element name="T"/></schema>',
          any: '<diffgram xmlns="urn:schemas-microsoft-com:xml-diffgram-v1"><NewDataSet xmlns=""><T>1</T></NewDataSet></diffgram>',
        },
      },
    });
  });

  it("xsi:type: a derived type in place of its (abstract) base, chosen by $type, read back by xsi:type", async () => {
    const shapes =
      '<xs:complexType name="Shape" abstract="true"><xs:sequence><xs:element name="id" type="xs:int"/></xs:sequence></xs:complexType>' +
      '<xs:complexType name="Circle"><xs:complexContent><xs:extension base="tns:Shape"><xs:sequence><xs:element name="r" type="xs:double"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>' +
      '<xs:complexType name="Square"><xs:complexContent><xs:extension base="tns:Shape"><xs:sequence><xs:element name="side" type="xs:double"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>' +
      '<xs:element name="Draw"><xs:complexType><xs:sequence><xs:element name="shape" type="tns:Shape" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>';
    const { port, files } = await generate("xsitype", wsdl(shapes, "tns:Draw", "tns:Draw"));
    expect(files["index.ts"]).toContain("shape: ReadonlyArray<(CircleInput | SquareInput)>;");
    expect(files["index.ts"]).toContain('$type?: "Circle" | undefined;');
    const envelope = encodeRequest(port.model, OP, {
      shape: [
        { $type: "Circle", id: 1, r: 2.5 },
        { $type: "Square", id: 2, side: 3 },
      ],
    });
    expect(envelope).toContain(' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"');
    expect(envelope).toContain(
      '<n1:Draw><n1:shape xsi:type="n1:Circle"><n1:id>1</n1:id><n1:r>2.5</n1:r></n1:shape><n1:shape xsi:type="n1:Square"><n1:id>2</n1:id><n1:side>3</n1:side></n1:shape></n1:Draw>',
    );
    expect(decodeResponse(port.model, OP, envelope, 200)).toEqual({
      kind: "response",
      body: {
        shape: [
          { $type: "Circle", id: 1, r: 2.5 },
          { $type: "Square", id: 2, side: 3 },
        ],
      },
    });
    expect(() => encodeRequest(port.model, OP, { shape: [{ id: 1 }] })).toThrow(
      new ValidationError(
        "INVALID_VALUE",
        'Draw.shape[0].$type must be one of "Circle", "Square" (Shape is abstract)',
      ),
    );
  });

  it("notification operations get no method (a warning); a port of nothing else is one CODEGEN_UNSUPPORTED line", async () => {
    const notify = (text: string) =>
      text.replace(
        '<wsdl:operation name="place-order.v2"><wsdl:input message="tns:In"/><wsdl:output message="tns:Out"/></wsdl:operation></wsdl:portType>',
        '<wsdl:operation name="place-order.v2"><wsdl:input message="tns:In"/><wsdl:output message="tns:Out"/></wsdl:operation><wsdl:operation name="Shipped"><wsdl:output message="tns:Out"/></wsdl:operation></wsdl:portType>',
      );
    const withNotification = notify(wsdl()).replace(
      "</wsdl:binding>",
      '<wsdl:operation name="Shipped"><soap:operation soapAction="urn:shipped"/><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation></wsdl:binding>',
    );
    const { port } = await generate("notify", withNotification);
    expect(Object.keys(port.model.operations)).toEqual([OP]);
    expect(port.warnings).toEqual([
      'operation "Shipped" of binding "ShopSoap" is a notification or solicit-response operation (sent by the service); no method is generated',
    ]);
    const only = withNotification.replace(
      /<wsdl:binding name="ShopSoap"([\s\S]*?)<wsdl:operation name="place-order.v2">[\s\S]*?<\/wsdl:operation>/,
      '<wsdl:binding name="ShopSoap"$1',
    );
    await expect(generate("notify-only", only)).rejects.toThrow(
      new ConfigError(
        "CODEGEN_UNSUPPORTED",
        'binding "ShopSoap" has only notification or solicit-response operations (WSDL 1.1 §2.4.3–2.4.4): nothing a client calls',
      ),
    );
  });

  it("an abstract element, or an abstract type nothing extends, is refused in one line only when an operation uses it", async () => {
    const abstract =
      '<xs:element name="Head" type="xs:string" abstract="true"/><xs:element name="Member" type="xs:string" substitutionGroup="tns:Head"/>' +
      '<xs:complexType name="Shape" abstract="true"><xs:sequence><xs:element name="id" type="xs:int"/></xs:sequence></xs:complexType>' +
      '<xs:element name="Draw"><xs:complexType><xs:sequence><xs:element name="shape" type="tns:Shape"/></xs:sequence></xs:complexType></xs:element>' +
      '<xs:element name="Use"><xs:complexType><xs:sequence><xs:element ref="tns:Head"/></xs:sequence></xs:complexType></xs:element>';
    // Unused: generates.
    await expect(generate("unused", wsdl(abstract))).resolves.toMatchObject({ warnings: [] });
    await expect(generate("type", wsdl(abstract, "tns:Draw"))).rejects.toThrow(
      new ConfigError(
        "CODEGEN_UNSUPPORTED",
        `element "shape" in ${join(dir, "type.wsdl")} has the abstract type "Shape", which no type in the description extends`,
      ),
    );
    await expect(generate("head", wsdl(abstract, "tns:Use"))).rejects.toThrow(
      new ConfigError(
        "CODEGEN_UNSUPPORTED",
        `element "Head" in ${join(dir, "head.wsdl")} is abstract="true": substitution groups (XML Schema Part 1 §3.3.6) are not supported`,
      ),
    );
  });
});
