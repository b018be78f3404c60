import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import {
  descendants,
  excC14n,
  type ParseOptions,
  parseXml,
  type XmlElement,
} from "../../../src/wssec/xml.js";
import { canonicalize } from "../../support/c14n.js";
import { elementChildren } from "../../support/dom.js";
import { parseStrict } from "../../support/parse-strict.js";

// Random documents: prefixes bound at random depths (sometimes rebound), default
// namespaces set and unset, namespaced and plain attributes, text needing escapes.
const PREFIXES = ["a", "b", "soap", "wsu"];
const text = fc.constantFrom(
  "",
  "x",
  "1 &amp; 2",
  "a&lt;b",
  "c>d",
  "e&gt;f",
  "q\"'",
  "tab\there",
  "line\nend",
  "&#13;cr",
  "&#x9;t",
  "é€𝄞",
  "  ",
);
const attrValue = fc.constantFrom(
  "v",
  "a&amp;b",
  "x&lt;y",
  "with\ttab",
  "new\nline",
  "&#xA;ref",
  "q&quot;",
  "'",
  "",
);

interface Gen {
  xml: string;
}

const element = (depth: number, bound: Set<string>): fc.Arbitrary<Gen> =>
  fc
    .record({
      declare: fc.subarray(PREFIXES, { maxLength: 2 }),
      // Not `xmlns=""`: xml-crypto repeats it on every descendant (see the example test below).
      rebindDefault: fc.constantFrom(undefined, "urn:d1", "urn:d2"),
      prefix: fc.constantFrom<string | null>(null, ...PREFIXES),
      local: fc.constantFrom("E", "Body", "Read", "x"),
      attrs: fc.uniqueArray(
        fc.record({
          prefix: fc.constantFrom<string | null>(null, ...PREFIXES),
          local: fc.constantFrom("Id", "z", "a", "b"),
        }),
        {
          maxLength: 3,
          selector: (a) => a.local,
        },
      ),
      values: fc.array(attrValue, { minLength: 3, maxLength: 3 }),
      texts: fc.array(text, { minLength: 3, maxLength: 3 }),
      nsVersion: fc.constantFrom("1", "2"),
      kids: depth > 0 ? fc.integer({ min: 0, max: 3 }) : fc.constant(0),
    })
    .chain((r) => {
      const inScope = new Set([...bound, ...r.declare]);
      const decl = r.declare.map((p) => ` xmlns:${p}="urn:${p}:${r.nsVersion}"`).join("");
      const dflt = r.rebindDefault === undefined ? "" : ` xmlns="${r.rebindDefault}"`;
      const prefix = r.prefix && inScope.has(r.prefix) ? `${r.prefix}:` : "";
      const attrs = r.attrs
        .map(
          (a, i) =>
            `${a.prefix && inScope.has(a.prefix) ? `${a.prefix}:` : ""}${a.local}="${r.values[i] ?? ""}"`,
        )
        .filter((a, i, all) => all.findIndex((b) => b.split("=")[0] === a.split("=")[0]) === i)
        .map((a) => ` ${a}`)
        .join("");
      const open = `<${prefix}${r.local}${decl}${dflt}${attrs}>`;
      const close = `</${prefix}${r.local}>`;
      return fc
        .array(element(depth - 1, inScope), { minLength: r.kids, maxLength: r.kids })
        .map((children) => ({
          xml: `${open}${r.texts[0]}${children.map((c, i) => c.xml + (r.texts[(i % 2) + 1] ?? "")).join("")}${close}`,
        }));
    });

describe("exclusive c14n", () => {
  it("matches xml-crypto's ExclusiveCanonicalization on every element of random documents", () => {
    fc.assert(
      fc.property(element(3, new Set()), (doc) => {
        const xml = `<r xmlns:a="urn:a:0">${doc.xml}</r>`;
        const mine = [...descendants(parseXml(xml))];
        const theirs: ReturnType<typeof elementChildren> = [];
        const walk = (el: ReturnType<typeof elementChildren>[number]) => {
          theirs.push(el);
          for (const c of elementChildren(el)) walk(c);
        };
        walk(parseStrict(xml).documentElement as ReturnType<typeof elementChildren>[number]);
        expect(mine.length).toBe(theirs.length);
        mine.forEach((el, i) => {
          const other = theirs[i] as ReturnType<typeof elementChildren>[number];
          expect(excC14n(el)).toBe(canonicalize(other));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("renders InclusiveNamespaces prefixes in scope even when not visibly used", () => {
    const root = parseXml(
      '<r xmlns:a="urn:a" xmlns:b="urn:b"><x:e xmlns:x="urn:x" xmlns:a="urn:a2"><f/></x:e></r>',
    );
    const e = [...descendants(root)][1];
    expect(e && excC14n(e, ["a", "b"])).toBe(
      '<x:e xmlns:a="urn:a2" xmlns:b="urn:b" xmlns:x="urn:x"><f></f></x:e>',
    );
    expect(e && excC14n(e)).toBe('<x:e xmlns:x="urn:x"><f></f></x:e>');
  });

  it('renders xmlns="" once, where the default namespace is undeclared', () => {
    const root = parseXml('<a xmlns="urn:d"><b xmlns=""><c/></b></a>');
    expect(excC14n(root)).toBe('<a xmlns="urn:d"><b xmlns=""><c></c></b></a>');
  });

  it("renders the W3C exc-c14n example: only visibly used namespaces, sorted attributes", () => {
    const root = parseXml(
      '<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en" b="2" a="1"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>',
    );
    const elem2 = [...descendants(root)][1];
    expect(elem2 && excC14n(elem2)).toBe(
      '<n1:elem2 xmlns:n1="http://example.net" a="1" b="2" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>',
    );
  });
});

describe("parseXml refuses what the wire check refuses, and malformed XML", () => {
  const refused = [
    "<a><!-- c --></a>",
    "<a><?pi x?></a>",
    "<a><![CDATA[x]]></a>",
    '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
    "<a>&e;</a>",
    "<a></b>",
    "<a><b></a></b>",
    "<a/><b/>",
    "<p:a/>",
    '<a x="1" x="2"/>',
    '<a xmlns:p="urn:1" xmlns:q="urn:1" p:x="1" q:x="2"/>',
    "<a x=1/>",
    '<a x="<"/>',
    "<a>&#0;</a>",
    "<a>\u0001</a>",
    "text",
    "<a>",
    "<a>]]></a>",
    '<a xmlns:p=""/>',
  ];
  for (const xml of refused) {
    it(`refuses ${JSON.stringify(xml)}`, () => {
      expect(() => parseXml(xml)).toThrow(SecurityError);
    });
  }

  it("records tag offsets the signer splices at", () => {
    const xml = '<s:E xmlns:s="urn:s"><s:H/><s:B a="1">t</s:B></s:E>';
    const root = parseXml(xml);
    const [h, b] = root.children as [ReturnType<typeof parseXml>, ReturnType<typeof parseXml>];
    expect(xml.slice(h.start, h.end)).toBe("<s:H/>");
    expect(h.selfClosing).toBe(true);
    expect(xml.slice(b.start, b.startTagEnd)).toBe('<s:B a="1">');
    expect(xml.slice(b.contentEnd, b.end)).toBe("</s:B>");
  });
});

describe("streamed content (parseXml streamContentOf)", () => {
  const streamBodies: ParseOptions = {
    streamContentOf: (el) => el.localName === "Body" || el.localName === "Read",
    keep: (el) => el.attributes.length > 0,
  };
  const byStart = (root: XmlElement): Map<number, XmlElement> =>
    new Map(descendants(root).map((el) => [el.start, el]));

  it("canonicalizes streamed elements exactly as the tree does, with and without InclusiveNamespaces", () => {
    fc.assert(
      fc.property(element(3, new Set()), (doc) => {
        const xml = `<r xmlns:a="urn:a:0">${doc.xml}</r>`;
        const tree = byStart(parseXml(xml));
        const streamedRoot = parseXml(xml, streamBodies);
        expect(excC14n(streamedRoot)).toBe(excC14n(tree.get(0) as XmlElement));
        for (const el of descendants(streamedRoot)) {
          const same = tree.get(el.start) as XmlElement;
          expect(el.qname).toBe(same.qname);
          if (el.source === undefined) continue;
          expect(el.children).toEqual([]);
          expect(excC14n(el)).toBe(excC14n(same));
          expect(excC14n(el, ["a", "wsu", "#default"])).toBe(excC14n(same, ["a", "wsu", "#default"]));
          // Kept: exactly the descendants with attributes, in document order.
          const inside = descendants(same)
            .slice(1)
            .filter((d) => d.attributes.length > 0)
            .map((d) => d.start);
          expect((el.kept ?? []).map((k) => k.start)).toEqual(inside);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("rewrites what is not canonical in the source: empty-element tags, spaces in tags, references, CR, '>'", () => {
    const xml =
      '<s:E xmlns:s="urn:s"><s:Body><e:Op xmlns:e="urn:e" xmlns:unused="urn:u"><A/><B  >1 &amp; 2</B ><C>x&gt;y>z</C>' +
      '<D>line\r\nend&#13;</D><F z="2"   a="1"/><G>&#x41;&#66;</G></e:Op>tail</s:Body></s:E>';
    const body = parseXml(xml).children[0] as XmlElement;
    const streamed = parseXml(xml, { streamContentOf: (el) => el.localName === "Body" })
      .children[0] as XmlElement;
    expect(streamed.source).toBe(xml);
    expect(excC14n(streamed)).toBe(excC14n(body));
    expect(excC14n(streamed)).toBe(
      '<s:Body xmlns:s="urn:s"><e:Op xmlns:e="urn:e"><A></A><B>1 &amp; 2</B><C>x&gt;y&gt;z</C>' +
        '<D>line\nend&#xD;</D><F a="1" z="2"></F><G>AB</G></e:Op>tail</s:Body>',
    );
  });

  it("refuses malformed content inside a streamed element like the tree reader", () => {
    for (const bad of ["<x></y>", "<x a='1' a='2'/>", "<p:x/>", "&bogus;", "<x>&#0;</x>", "<x>"]) {
      const xml = `<s:E xmlns:s="urn:s"><s:Body>${bad}</s:Body></s:E>`;
      expect(() => parseXml(xml), bad).toThrow(SecurityError);
      expect(() => parseXml(xml, { streamContentOf: (el) => el.localName === "Body" }), bad).toThrow(
        SecurityError,
      );
    }
  });
});
