/**
 * A small strict reader of the XML a SOAP answer is: elements, attributes, character data,
 * CDATA, comments and processing instructions, with namespaces resolved (Namespaces in XML
 * 1.0 §6) — into a light tree the generated clients' codec walks. No DTD: a DOCTYPE is
 * refused, so no entity is ever expanded besides the five predefined ones and character
 * references (XML 1.0 §4.1, §4.6). Not well-formed input is refused, never repaired.
 *
 * Why not `@xmldom/xmldom` here: it builds regular expressions per end tag and a full DOM,
 * which made reading an answer most of a generated client's per-call cost.
 * @module
 */
import { TransportError } from "../errors.js";

/** An attribute with its namespace resolved (`""` for none). */
export interface XmlAttribute {
  /** Namespace URI; unprefixed attributes have none (Namespaces in XML §6.2). */
  ns: string;
  /** Local name. */
  local: string;
  /** The value, entities and character references replaced. */
  value: string;
}

/** An element of the tree. */
export interface XmlElement {
  /** Namespace URI, `""` for none. */
  ns: string;
  /** Local name. */
  local: string;
  /** Attributes other than namespace declarations, in document order. */
  attributes: XmlAttribute[];
  /** Child elements in document order. */
  children: XmlElement[];
  /** Character data directly inside the element (text and CDATA), in order. */
  text: string;
  /** The namespace a prefix (null: the default namespace) is bound to here, or null. */
  lookup(prefix: string | null): string | null;
}

const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";

interface Scope {
  bindings: Map<string | null, string> | null;
  parent: Scope | null;
}

function lookupIn(scope: Scope | null, prefix: string | null): string | null {
  if (prefix === "xml") return XML_NAMESPACE;
  for (let s = scope; s; s = s.parent) {
    const v = s.bindings?.get(prefix);
    if (v !== undefined) return v === "" ? null : v;
  }
  return null;
}

class Node implements XmlElement {
  ns = "";
  local = "";
  attributes: XmlAttribute[] = [];
  children: XmlElement[] = [];
  text = "";
  qname = "";
  scope: Scope | null = null;

  lookup(prefix: string | null): string | null {
    return lookupIn(this.scope, prefix);
  }
}

function malformed(reason: string, status?: number): TransportError {
  return new TransportError(
    "BAD_RESPONSE",
    `the server's answer is not a usable SOAP 1.1 response: malformed XML (${reason})`,
    { retryable: false, ...(status === undefined ? {} : { status }) },
  );
}

// A name: no markup or whitespace characters, not starting with a digit, '-' or '.', at most one ':'.
const NAME = /^[^\s<>&"'=/:0-9.-][^\s<>&"'=/:]*(?::[^\s<>&"'=/:0-9.-][^\s<>&"'=/:]*)?$/;
const NAME_END = /[\s/>]/g;
/** Names already checked against {@link NAME}: answers repeat the same few (bounded). */
const CHECKED_NAMES = new Set<string>();

function isName(name: string): boolean {
  if (CHECKED_NAMES.has(name)) return true;
  if (!NAME.test(name)) return false;
  if (CHECKED_NAMES.size < 4096) CHECKED_NAMES.add(name);
  return true;
}

/** XML white space (XML 1.0 §2.3 production S). */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x9 || code === 0xa || code === 0xd;
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(raw: string, status?: number): string {
  if (raw.indexOf("&") < 0) return raw;
  return raw.replace(/&([^;&<\s]*);?/g, (all, name: string) => {
    if (!all.endsWith(";")) throw malformed("an & that starts no reference", status);
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
    if (!m) throw malformed(`an entity that is not defined (&${name.slice(0, 20)};)`, status);
    const cp = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number.parseInt(m[2] as string, 10);
    if (!isXmlChar(cp))
      throw malformed(`a character reference to a character XML forbids (&${name};)`, status);
    return String.fromCodePoint(cp);
  });
}

function splitName(qname: string): { prefix: string | null; local: string } {
  const colon = qname.indexOf(":");
  return colon < 0
    ? { prefix: null, local: qname }
    : { prefix: qname.slice(0, colon), local: qname.slice(colon + 1) };
}

/**
 * Reads a document into its root element.
 * @throws TransportError `BAD_RESPONSE` for input that is not namespace-well-formed XML or declares a DOCTYPE.
 */
export function readXml(text: string, status?: number): XmlElement {
  const stack: Node[] = [];
  let root: Node | undefined;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const lt = text.indexOf("<", i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const chunk = text.slice(i, end);
      const top = stack[stack.length - 1];
      if (top) top.text += decode(chunk.includes("\r") ? chunk.replace(/\r\n?/g, "\n") : chunk, status);
      else if (chunk.trim() !== "") throw malformed("text outside the root element", status);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith("<?", i)) {
      const close = text.indexOf("?>", i + 2);
      if (close < 0) throw malformed("an unterminated processing instruction", status);
      i = close + 2;
      continue;
    }
    if (text.startsWith("<!--", i)) {
      const close = text.indexOf("-->", i + 4);
      if (close < 0) throw malformed("an unterminated comment", status);
      i = close + 3;
      continue;
    }
    if (text.startsWith("<![CDATA[", i)) {
      const close = text.indexOf("]]>", i + 9);
      if (close < 0) throw malformed("an unterminated CDATA section", status);
      const top = stack[stack.length - 1];
      if (!top) throw malformed("CDATA outside the root element", status);
      top.text += text.slice(i + 9, close);
      i = close + 3;
      continue;
    }
    if (text.startsWith("<!", i))
      throw malformed("a DOCTYPE or other declaration, which is not read", status);
    if (text.startsWith("</", i)) {
      const close = text.indexOf(">", i + 2);
      if (close < 0) throw malformed("an unterminated end tag", status);
      const name = text.slice(i + 2, close).trimEnd();
      const top = stack.pop();
      if (!top || top.qname !== name)
        throw malformed(
          `</${name.slice(0, 40)}> does not close <${top?.qname.slice(0, 40) ?? "nothing"}>`,
          status,
        );
      i = close + 1;
      continue;
    }
    // A start tag.
    if (root && stack.length === 0) throw malformed("a second root element", status);
    NAME_END.lastIndex = i + 1;
    const nameEnd = NAME_END.exec(text);
    if (!nameEnd) throw malformed("an unterminated start tag", status);
    const qname = text.slice(i + 1, nameEnd.index);
    if (!isName(qname)) throw malformed(`an element name that is not a name (${qname.slice(0, 40)})`, status);
    const node = new Node();
    node.qname = qname;
    let j = nameEnd.index;
    const raw: Array<[string, string]> = [];
    let selfClosing = false;
    for (;;) {
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      const c = text.charAt(j);
      if (c === ">") {
        j++;
        break;
      }
      if (c === "/" && text.charAt(j + 1) === ">") {
        selfClosing = true;
        j += 2;
        break;
      }
      if (j >= n) throw malformed("an unterminated start tag", status);
      const eq = text.indexOf("=", j);
      if (eq < 0) throw malformed(`an attribute without a value in <${qname.slice(0, 40)}>`, status);
      const attrName = text.slice(j, eq).trimEnd();
      if (!isName(attrName))
        throw malformed(`an attribute name that is not a name in <${qname.slice(0, 40)}>`, status);
      j = eq + 1;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      const quote = text.charAt(j);
      if (quote !== '"' && quote !== "'")
        throw malformed(`an unquoted attribute value in <${qname.slice(0, 40)}>`, status);
      const close = text.indexOf(quote, j + 1);
      if (close < 0) throw malformed("an unterminated attribute value", status);
      const value = text.slice(j + 1, close);
      if (value.includes("<")) throw malformed("a < in an attribute value", status);
      if (raw.some(([name]) => name === attrName))
        throw malformed(`a repeated attribute ${attrName.slice(0, 40)}`, status);
      // Attribute-value normalization (XML 1.0 §3.3.3): each white space character becomes a space.
      raw.push([attrName, decode(value, status).replace(/[\t\n\r]/g, " ")]);
      j = close + 1;
      const next = text.charAt(j);
      if (next !== ">" && next !== "/" && !isSpace(text.charCodeAt(j)) && j < n)
        throw malformed(`no space between attributes in <${qname.slice(0, 40)}>`, status);
    }
    const parent = stack[stack.length - 1];
    let bindings: Map<string | null, string> | null = null;
    for (const [name, value] of raw) {
      if (name !== "xmlns" && !name.startsWith("xmlns:")) continue;
      if (name !== "xmlns" && value === "")
        throw malformed(`an empty namespace for prefix ${name.slice(6, 40)}`, status);
      bindings ??= new Map();
      bindings.set(name === "xmlns" ? null : name.slice(6), value);
    }
    node.scope = bindings ? { bindings, parent: parent?.scope ?? null } : (parent?.scope ?? null);
    const { prefix, local } = splitName(qname);
    const ns = lookupIn(node.scope, prefix);
    if (prefix !== null && ns === null)
      throw malformed(`the prefix ${prefix.slice(0, 40)} is not declared`, status);
    node.ns = ns ?? "";
    node.local = local;
    for (const [name, value] of raw) {
      if (name === "xmlns" || name.startsWith("xmlns:")) continue;
      const a = splitName(name);
      const ans = a.prefix === null ? "" : lookupIn(node.scope, a.prefix);
      if (ans === null) throw malformed(`the prefix ${a.prefix?.slice(0, 40)} is not declared`, status);
      if (node.attributes.some((x) => x.ns === ans && x.local === a.local))
        throw malformed(`a repeated attribute {${ans}}${a.local.slice(0, 40)}`, status);
      node.attributes.push({ ns: ans, local: a.local, value });
    }
    if (parent) parent.children.push(node);
    else root = node;
    if (!selfClosing) stack.push(node);
    i = j;
  }
  if (stack.length > 0)
    throw malformed(`<${stack[stack.length - 1]?.qname.slice(0, 40)}> is not closed`, status);
  if (!root) throw malformed("no root element", status);
  return root;
}

/** All character data inside `el`, its descendants' included, in document order. */
export function textContent(el: XmlElement): string {
  if (el.children.length === 0) return el.text;
  // Direct text and children's text; the reader keeps direct text as one string, so order
  // between them is not kept — enough for the simple-typed content it is used for.
  return el.text + el.children.map(textContent).join("");
}
