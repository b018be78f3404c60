/**
 * Small DOM helpers over xmldom, for the reference tree the tests compare with
 * (the signer and verifier work on `xml.ts`'s tree).
 * @module
 */
import type { Attr, Document, Element, Node } from "@xmldom/xmldom";

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Element children of `parent`, in document order. */
export function elementChildren(parent: Node): Element[] {
  const out: Element[] = [];
  for (let c = parent.firstChild; c; c = c.nextSibling)
    if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
  return out;
}

/** Whether `el` is `{ns}local`. */
export function isElement(el: Node | null | undefined, ns: string, local: string): el is Element {
  return (
    !!el &&
    el.nodeType === ELEMENT_NODE &&
    (el as Element).namespaceURI === ns &&
    (el as Element).localName === local
  );
}

/** Every element of the document in `{ns}local`, at any depth. */
export function elementsByName(doc: Document | Element, ns: string, local: string): Element[] {
  const list = doc.getElementsByTagNameNS(ns, local);
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) {
    const el = list.item(i);
    if (el) out.push(el);
  }
  return out;
}

/** Attribute local names treated as XML IDs (xml-crypto and xmlsec resolve all of these). */
export const ID_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(["Id", "ID", "id"]);

/** Every Id-like attribute in the document, in document order, with its element. */
export function idAttributes(root: Element): { value: string; attr: Attr; element: Element }[] {
  const out: { value: string; attr: Attr; element: Element }[] = [];
  const walk = (el: Element): void => {
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i);
      if (a && ID_ATTRIBUTE_NAMES.has(a.localName ?? a.name) && a.prefix !== "xmlns" && a.name !== "xmlns") {
        out.push({ value: a.value, attr: a, element: el });
      }
    }
    for (const c of elementChildren(el)) walk(c);
  };
  walk(root);
  return out;
}

/**
 * The text of an element that must hold only character data (no child elements).
 * Returns undefined when it holds anything else.
 */
export function textOnly(el: Element): string | undefined {
  let text = "";
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType !== TEXT_NODE) return undefined;
    text += (c as unknown as { data: string }).data;
  }
  return text;
}
