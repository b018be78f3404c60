import { DOMParser } from "@xmldom/xmldom";
import { describe, expect, it } from "vitest";
import { readXml, textContent, type XmlElement } from "../../../src/soap/xml-reader.js";

describe("readXml", () => {
  it("resolves namespaces of elements and attributes, decodes references and CDATA, skips comments and PIs", () => {
    const root = readXml(
      '\uFEFF<?xml version="1.0"?><!-- c --><a:r xmlns:a="urn:a" xmlns="urn:d"><b x="1 &amp; 2" a:y=\'&#x41;&#66;\'>t&lt;&gt;&quot;&apos;<![CDATA[<raw>&amp;]]>\r\nz</b><c xmlns=""/><?pi x?></a:r>',
    );
    expect(root).toMatchObject({ ns: "urn:a", local: "r" });
    const [b, c] = root.children as [XmlElement, XmlElement];
    expect(b).toMatchObject({ ns: "urn:d", local: "b", text: "t<>\"'<raw>&amp;\nz" });
    expect(b.attributes).toEqual([
      { ns: "", local: "x", value: "1 & 2" },
      { ns: "urn:a", local: "y", value: "AB" },
    ]);
    expect(c).toMatchObject({ ns: "", local: "c", children: [] });
    expect(b.lookup("a")).toBe("urn:a");
    expect(textContent(root)).toBe("t<>\"'<raw>&amp;\nz");
  });

  it.each([
    ["<a><b></a></b>", /does not close/],
    ["<a>", /is not closed/],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', /DOCTYPE/],
    ["<a>&x;</a>", /entity that is not defined/],
    ["<a>&#0;</a>", /character XML forbids/],
    ["<a>a & b</a>", /starts no reference/],
    ["<p:a/>", /prefix p is not declared/],
    ['<a x="1" x="2"/>', /repeated attribute/],
    ['<a xmlns:p="u" xmlns:q="u" p:x="1" q:x="2"/>', /repeated attribute/],
    ["<a x=1/>", /unquoted/],
    ['<a x="<"/>', /< in an attribute/],
    ["<a/><b/>", /second root/],
    ["x<a/>", /text outside/],
    ["", /no root/],
    ['<a x="1"y="2"/>', /no space between attributes/],
    ["<1a/>", /not a name/],
  ])("refuses %s", (xml, reason) => {
    expect(() => readXml(xml)).toThrow(reason);
    expect(() => readXml(xml)).toThrow(expect.objectContaining({ code: "BAD_RESPONSE" }));
  });

  it("reads what xmldom reads: names, namespaces and text of a real answer", () => {
    const xml =
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x1:r xmlns:x1="urn:t" xmlns="urn:t"><x1:a>1</x1:a><b>two</b></x1:r></soap:Body></soap:Envelope>';
    const ours = readXml(xml);
    const dom = new DOMParser().parseFromString(xml, "text/xml").documentElement;
    const flat = (e: XmlElement): string[] => [`{${e.ns}}${e.local}=${e.text}`, ...e.children.flatMap(flat)];
    // biome-ignore lint/suspicious/noExplicitAny: xmldom's node types
    const flatDom = (e: any): string[] => {
      const kids = [];
      let text = "";
      for (let n = e.firstChild; n; n = n.nextSibling) {
        if (n.nodeType === 1) kids.push(n);
        else if (n.nodeType === 3) text += n.data;
      }
      return [`{${e.namespaceURI ?? ""}}${e.localName}=${text}`, ...kids.flatMap(flatDom)];
    };
    expect(flat(ours)).toEqual(flatDom(dom));
  });
});
