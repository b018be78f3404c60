/**
 * A small, strict XML reader and exclusive canonicalizer for SOAP envelopes.
 *
 * Why not xmldom + xml-crypto's c14n: xmldom compiles a Unicode regular expression per
 * end tag, so a 1,000-device billing message (180 kB, ~7,000 elements) takes ~200 ms to
 * parse — more than all the cryptography. This reader accepts only what the wire check
 * lets through (no DOCTYPE, comments, processing instructions or CDATA), which keeps it
 * short: elements, attributes, namespaces, text with the five predefined entities and
 * character references. It records each tag's offsets so the signer can splice its
 * header into the caller's bytes instead of re-serializing them.
 *
 * Why a Body can be streamed: a 10,000-device message as a tree is ~85 MB of small
 * objects that survive young-generation collections, so time grew faster than size.
 * A streamed Body's content is checked like the rest but not kept; canonicalization reads
 * it again from the text (copying runs that are already canonical), so memory and time
 * stay proportional to the message.
 * @module
 */
import { SecurityError } from "../errors.js";
import { SOAP11_NAMESPACE } from "../soap/envelope.js";

/** The `xml:` namespace, bound implicitly. */
const XML_NS = "http://www.w3.org/XML/1998/namespace";

/** An attribute (namespace declarations are kept apart, see {@link XmlElement.declarations}). */
export interface XmlAttribute {
  /** Name as written, e.g. `wsu:Id`. */
  qname: string;
  /** Prefix, or null. */
  prefix: string | null;
  /** Local name. */
  localName: string;
  /** Namespace (null for unprefixed attributes). */
  namespaceURI: string | null;
  /** Normalized value (entities decoded, whitespace characters normalized). */
  value: string;
}

/**
 * A child: an element, or character data as a plain string (entities decoded, line
 * ends normalized) — strings rather than node objects halve what a large Body allocates.
 */
export type XmlNode = XmlElement | string;

/** Shared by every element without attributes or declarations (replace, never push). */
const NONE: readonly never[] = Object.freeze([]);

type Scope = Record<string, string>;

/** An element with the few DOM-like accessors the signer and verifier need. */
export class XmlElement {
  /** Discriminator. */
  readonly kind = "element" as const;
  /** Child elements and text, in document order. */
  readonly children: XmlNode[] = [];
  /** Attributes other than namespace declarations (assign a new array to change). */
  attributes: readonly XmlAttribute[] = NONE;
  /** Namespace declarations on this element (`""` = default namespace). */
  declarations: readonly { prefix: string; uri: string }[] = NONE;
  /** Offset just after the start tag's `>`. */
  startTagEnd = 0;
  /** Offset of the end tag's `<` (or of `/>` for an empty-element tag). */
  contentEnd = 0;
  /** Offset just after the element. */
  end = 0;
  /** Written as `<x/>`. */
  selfClosing = false;
  /**
   * Set when the content was streamed (see {@link ParseOptions.streamContentOf}): the
   * document text, from which {@link excC14n} reads the content again. `children` is then empty.
   */
  source: string | undefined = undefined;
  /** Of a streamed element: the descendants {@link ParseOptions.keep} asked for, childless, document order. */
  kept: XmlElement[] | undefined = undefined;

  /**
   * @param qname Name as written.
   * @param prefix Prefix or null.
   * @param localName Local name.
   * @param namespaceURI Resolved namespace or null.
   * @param parentNode Parent element, null for the root.
   * @param scope In-scope namespace bindings.
   * @param start Offset of the start tag's `<`.
   */
  constructor(
    readonly qname: string,
    readonly prefix: string | null,
    readonly localName: string,
    public namespaceURI: string | null,
    readonly parentNode: XmlElement | null,
    public scope: Scope,
    readonly start: number,
  ) {}

  /** Value of the attribute named `qname` as written, or null. */
  getAttribute(qname: string): string | null {
    for (const a of this.attributes) if (a.qname === qname) return a.value;
    return null;
  }

  /** Value of `{ns}local`, or null. */
  getAttributeNS(ns: string | null, local: string): string | null {
    for (const a of this.attributes) if (a.localName === local && a.namespaceURI === ns) return a.value;
    return null;
  }

  /** Namespace bound to `prefix` here (`""` = default), or null. */
  lookupNamespaceURI(prefix: string): string | null {
    const uri = this.scope[prefix];
    return uri === undefined || uri === "" ? null : uri;
  }
}

const NAME_START =
  "A-Za-z_\\u00C0-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD";
const NAME_CHAR = `${NAME_START}0-9.\\-\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const QNAME = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*(?::[${NAME_START}][${NAME_CHAR}]*)?$`);

const skipSpace = (text: string, pos: number): number => {
  let i = pos;
  for (
    let c = text.charCodeAt(i);
    c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
    c = text.charCodeAt(++i)
  );
  return i;
};

/** Where a name starting at `pos` ends (the name is validated separately, once per distinct name). */
const nameEnd = (text: string, pos: number): number => {
  let i = pos;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x2f || c === 0x3e || c === 0x3d || c === 0x3c || c === 0x22 || c === 0x27) break;
  }
  return i;
};
// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; finding them is the point.
const ILLEGAL_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const REF = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Reused by every start tag: parsing is synchronous, so one scratch array is enough. */
const RAW_ATTRS: { qname: string; value: string; at: number }[] = [];

const malformed = (reason: string, at: number): SecurityError =>
  new SecurityError("WSS_MALFORMED", `malformed XML: ${reason} at offset ${at}`);

function decodeRefs(raw: string, at: number): string {
  if (raw.indexOf("&") < 0) return raw;
  if (raw.replace(REF, "").indexOf("&") >= 0) throw malformed("undeclared entity reference", at);
  let bad = -1;
  const out = raw.replace(
    REF,
    (_m, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
      if (named) return PREDEFINED[named] as string;
      const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16);
      const legal =
        cp === 0x9 ||
        cp === 0xa ||
        cp === 0xd ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff);
      if (!legal) bad = at;
      return legal ? String.fromCodePoint(cp) : "";
    },
  );
  if (bad >= 0) throw malformed("character reference to an illegal character", bad);
  return out;
}

/**
 * Reads the name at `pos`; undefined when it is not a valid QName. Each distinct name is
 * validated and split once per document (`names` caches `[prefix, localName]`).
 */
function readName(
  text: string,
  pos: number,
  names: Map<string, [string | null, string]>,
): string | undefined {
  const end = nameEnd(text, pos);
  if (end === pos) return undefined;
  const name = text.slice(pos, end);
  if (names.has(name)) return name;
  if (!QNAME.test(name)) return undefined;
  const colon = name.indexOf(":");
  names.set(name, colon < 0 ? [null, name] : [name.slice(0, colon), name.slice(colon + 1)]);
  return name;
}

const normalizeLineEnds = (s: string): string => (s.indexOf("\r") < 0 ? s : s.replace(/\r\n?/g, "\n"));

/** Options of {@link parseXml}. */
export interface ParseOptions {
  /**
   * Elements whose content is checked as thoroughly as the rest but not kept as children:
   * {@link excC14n} reads it again from the text. A large Body then costs no tree, which
   * keeps the heap (and garbage-collection time) flat as messages grow.
   */
  streamContentOf?: (el: XmlElement) => boolean;
  /**
   * Descendants of a streamed element that are still needed (e.g. those with an Id or in a
   * security namespace): listed, childless, in {@link XmlElement.kept}, and returned by
   * {@link descendants} in document order.
   */
  keep?: (el: XmlElement) => boolean;
}

/** Receives the content of a streamed element as it is read again (see {@link excC14n}). */
interface ContentHandler {
  start(el: XmlElement): void;
  /** `value` decoded; `raw` as written at `text[from, to)` (the same string when nothing was decoded). */
  text(value: string, raw: string, from: number, to: number): void;
  end(el: XmlElement): void;
}

/**
 * Parses a document: one root element, optional XML declaration, whitespace around.
 * Refuses DOCTYPE, comments, processing instructions, CDATA, unbound prefixes,
 * duplicate attributes and anything not well-formed.
 * @throws SecurityError `WSS_MALFORMED`.
 */
export function parseXml(text: string, options: ParseOptions = {}): XmlElement {
  if (ILLEGAL_CHAR.test(text)) throw malformed("illegal character", text.search(ILLEGAL_CHAR));
  let pos = 0;
  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  if (text.startsWith("<?xml", pos) && /[ \t\r\n]/.test(text[pos + 5] ?? "")) {
    const end = text.indexOf("?>", pos);
    if (end < 0) throw malformed("unterminated XML declaration", pos);
    pos = end + 2;
  }
  const rootScope: Scope = Object.assign(Object.create(null) as Scope, { xml: XML_NS, "": "" });
  const root = read(text, pos, text.length, null, rootScope, options, undefined);
  if (!root) throw malformed("no root element", 0);
  return root;
}

/**
 * The reader proper, over `text[from, to)`. Builds the tree under `parent` (null: a
 * document); with `handler`, builds nothing and hands every node to it instead (the
 * second reading of a streamed element's content, already checked by the first).
 */
function read(
  text: string,
  from: number,
  to: number,
  parent: XmlElement | null,
  rootScope: Scope,
  options: ParseOptions,
  handler: ContentHandler | undefined,
): XmlElement | null {
  const names = new Map<string, [string | null, string]>();
  const { streamContentOf, keep } = options;
  let pos = from;
  let root: XmlElement | null = null;
  let current = parent;
  // The element whose content is being streamed (its descendants are not attached).
  let streamed: XmlElement | null = null;
  while (pos < to) {
    let lt = text.indexOf("<", pos);
    if (lt >= to) lt = -1;
    const textEnd = lt < 0 ? to : lt;
    if (textEnd > pos) {
      const raw = text.slice(pos, textEnd);
      if (!current) {
        if (raw.trim() !== "") throw malformed("text outside the root element", pos);
      } else {
        if (raw.indexOf("]]>") >= 0) throw malformed("']]>' in text", pos);
        const value = decodeRefs(normalizeLineEnds(raw), pos);
        if (handler) handler.text(value, raw, pos, textEnd);
        else if (!streamed) current.children.push(value);
      }
    }
    if (lt < 0) break;
    pos = lt + 1;
    const c = text.charCodeAt(pos);
    if (c === 0x2f /* / */) {
      // Compare in place: an end tag allocates nothing.
      if (!current || current === parent || !text.startsWith(current.qname, pos + 1))
        throw malformed("end tag does not match its start tag", lt);
      const after = skipSpace(text, pos + 1 + current.qname.length);
      if (text.charCodeAt(after) !== 0x3e) throw malformed("end tag does not match its start tag", lt);
      current.contentEnd = lt;
      current.end = after + 1;
      if (handler) handler.end(current);
      if (current === streamed) streamed = null;
      current = current.parentNode;
      pos = after + 1;
      continue;
    }
    if (c === 0x21 /* ! */ || c === 0x3f /* ? */)
      throw malformed("comment, processing instruction, CDATA or DOCTYPE", lt);
    if (root && !current) throw malformed("more than one root element", lt);
    const qname = readName(text, pos, names);
    if (qname === undefined) throw malformed("bad element name", lt);
    pos += qname.length;
    const rawAttrs = RAW_ATTRS;
    if (rawAttrs.length !== 0) rawAttrs.length = 0;
    let selfClosing = false;
    for (;;) {
      const afterSpace = skipSpace(text, pos);
      const hadSpace = afterSpace > pos;
      pos = afterSpace;
      const ch = text.charCodeAt(pos);
      if (ch === 0x3e) {
        pos++;
        break;
      }
      if (ch === 0x2f && text.charCodeAt(pos + 1) === 0x3e) {
        selfClosing = true;
        pos += 2;
        break;
      }
      if (!hadSpace) throw malformed("expected whitespace, '>' or '/>' in a start tag", pos);
      const at = pos;
      const name = readName(text, pos, names);
      if (name === undefined) throw malformed("bad attribute name", pos);
      let p = skipSpace(text, pos + name.length);
      if (text.charCodeAt(p) !== 0x3d) throw malformed("expected '=' after an attribute name", p);
      p = skipSpace(text, p + 1);
      const q = text.charCodeAt(p);
      if (q !== 0x22 && q !== 0x27) throw malformed("attribute value not quoted", p);
      const vStart = p + 1;
      const vEnd = text.indexOf(q === 0x22 ? '"' : "'", vStart);
      if (vEnd < 0) throw malformed("unterminated attribute value", vStart);
      const rawValue = text.slice(vStart, vEnd);
      if (rawValue.indexOf("<") >= 0) throw malformed("'<' in an attribute value", vStart);
      const value = decodeRefs(normalizeLineEnds(rawValue).replace(/[\t\n\r]/g, " "), vStart);
      rawAttrs.push({ qname: name, value, at });
      pos = vEnd + 1;
    }
    // Namespaces first: declarations on this tag apply to its own name and attributes.
    const parentScope: Scope = current ? current.scope : rootScope;
    let scope: Scope = parentScope;
    let declarations: { prefix: string; uri: string }[] | undefined;
    for (const a of rawAttrs) {
      const isDefault = a.qname === "xmlns";
      if (!isDefault && !a.qname.startsWith("xmlns:")) continue;
      const prefix = isDefault ? "" : a.qname.slice(6);
      if (prefix === "xmlns" || (prefix === "xml") !== (a.value === XML_NS))
        throw malformed("reserved namespace prefix misused", a.at);
      if (!isDefault && a.value === "") throw malformed("empty namespace for a prefix", a.at);
      if (declarations?.some((d) => d.prefix === prefix))
        throw malformed("duplicate namespace declaration", a.at);
      if (scope === parentScope) scope = Object.create(parentScope) as Scope;
      scope[prefix] = a.value;
      declarations ??= [];
      declarations.push({ prefix, uri: a.value });
    }
    const [prefix, localName] = names.get(qname) as [string | null, string];
    const ns: string | null | undefined = prefix === null ? scope[""] || null : scope[prefix];
    if (ns === undefined || ns === "") throw malformed(`unbound prefix in element ${qname.slice(0, 40)}`, lt);
    const el: XmlElement = new XmlElement(qname, prefix, localName, ns, current, scope, lt);
    if (declarations) el.declarations = declarations;
    let attributes: XmlAttribute[] | undefined;
    for (const a of rawAttrs) {
      if (a.qname === "xmlns" || a.qname.startsWith("xmlns:")) continue;
      const [ap, local] = names.get(a.qname) as [string | null, string];
      const ans: string | null | undefined = ap === null ? null : scope[ap];
      if (ans === undefined || ans === "") throw malformed("unbound attribute prefix", a.at);
      if (
        attributes?.some(
          (b: XmlAttribute) => b.qname === a.qname || (b.localName === local && b.namespaceURI === ans),
        )
      ) {
        throw malformed("duplicate attribute", a.at);
      }
      attributes ??= [];
      attributes.push({ qname: a.qname, prefix: ap, localName: local, namespaceURI: ans, value: a.value });
    }
    if (attributes) el.attributes = attributes;
    el.startTagEnd = pos;
    el.selfClosing = selfClosing;
    if (handler) handler.start(el);
    else if (streamed) {
      if (keep?.(el)) (streamed.kept as XmlElement[]).push(el);
    } else {
      if (current) current.children.push(el);
      else root = el;
      if (!selfClosing && streamContentOf?.(el)) {
        streamed = el;
        el.source = text;
        el.kept = [];
      }
    }
    if (selfClosing) {
      el.contentEnd = pos - 2;
      el.end = pos;
      if (handler) handler.end(el);
    } else current = el;
  }
  if (current !== parent) throw malformed(`unclosed element ${current?.qname.slice(0, 40)}`, to);
  return root;
}

const escapeText = (s: string): string =>
  /[&<>\r]/.test(s)
    ? s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;")
    : s;
const escapeAttr = (s: string): string =>
  /[&<"\t\n\r]/.test(s)
    ? s
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/"/g, "&quot;")
        .replace(/\t/g, "&#x9;")
        .replace(/\n/g, "&#xA;")
        .replace(/\r/g, "&#xD;")
    : s;

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Where canonical text goes: small pieces are collected and joined into one flat string
 * of about CHUNK characters before `write` sees them. (Appending with `+=` builds a rope
 * whose every node stays alive, and is copied by the garbage collector, until the end.)
 */
interface Output {
  pieces: string[];
  length: number;
  write: (chunk: string) => void;
}
const CHUNK = 1 << 16;

/**
 * Exclusive XML Canonicalization 1.0 without comments of `apex` and its subtree.
 * `inclusivePrefixes` is the InclusiveNamespaces PrefixList (`#default` for the default namespace).
 */
export function excC14n(apex: XmlElement, inclusivePrefixes: readonly string[] = []): string {
  const parts: string[] = [];
  excC14nTo(apex, inclusivePrefixes, (chunk) => parts.push(chunk));
  return parts.length === 1 ? (parts[0] as string) : parts.join("");
}

/**
 * {@link excC14n}, written to `write` in order, in pieces (e.g. to a hash), so a large
 * Body never needs to exist as one string.
 */
export function excC14nTo(
  apex: XmlElement,
  inclusivePrefixes: readonly string[],
  write: (chunk: string) => void,
): void {
  const out: Output = { pieces: [], length: 0, write };
  const inclusive = inclusivePrefixes.map((p) => (p === "#default" ? "" : p));
  const rendered: Scope = Object.create(null) as Scope;
  rendered[""] = "";
  renderElement(apex, rendered, inclusive, out);
  if (out.pieces.length > 0) write(out.pieces.join(""));
}

/** Writes `el`'s canonical start tag; returns the namespaces rendered for its content. */
function renderStart(el: XmlElement, rendered: Scope, inclusive: readonly string[], out: Output): Scope {
  // Namespace nodes to render: visibly used by the element or its attributes (or listed
  // as inclusive) and not already rendered with the same value by an output ancestor.
  let decls: [string, string][] | undefined;
  let scope = rendered;
  const elPrefix = el.prefix ?? "";
  const elUri = el.namespaceURI ?? "";
  if (scope[elPrefix] !== elUri) {
    scope = Object.create(rendered) as Scope;
    scope[elPrefix] = elUri;
    decls = [[elPrefix, elUri]];
  }
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i] as XmlAttribute;
    if (a.prefix === null || a.prefix === "xml" || scope[a.prefix] === a.namespaceURI) continue;
    if (scope === rendered) scope = Object.create(rendered) as Scope;
    scope[a.prefix] = a.namespaceURI as string;
    decls ??= [];
    decls.push([a.prefix, a.namespaceURI as string]);
  }
  for (const p of inclusive) {
    const uri = el.scope[p];
    if (uri === undefined || (uri === "" && p !== "") || p === "xml" || scope[p] === uri) continue;
    if (scope === rendered) scope = Object.create(rendered) as Scope;
    scope[p] = uri;
    decls ??= [];
    decls.push([p, uri]);
  }
  let tag = `<${el.qname}`;
  if (decls) {
    if (decls.length > 1) decls.sort((x, y) => byCodeUnits(x[0], y[0]));
    for (const [p, uri] of decls) tag += `${p === "" ? ' xmlns="' : ` xmlns:${p}="`}${escapeAttr(uri)}"`;
  }
  if (attrs.length > 0) {
    const sorted =
      attrs.length === 1
        ? attrs
        : [...attrs].sort((x, y) =>
            x.namespaceURI === y.namespaceURI
              ? byCodeUnits(x.localName, y.localName)
              : x.namespaceURI === null
                ? -1
                : y.namespaceURI === null
                  ? 1
                  : byCodeUnits(x.namespaceURI, y.namespaceURI) || byCodeUnits(x.localName, y.localName),
          );
    for (const a of sorted) tag += ` ${a.qname}="${escapeAttr(a.value)}"`;
  }
  emit(out, `${tag}>`);
  return scope;
}

function emit(out: Output, s: string): void {
  out.pieces.push(s);
  out.length += s.length;
  if (out.length >= CHUNK) {
    out.write(out.pieces.join(""));
    out.pieces.length = 0;
    out.length = 0;
  }
}

function renderElement(el: XmlElement, rendered: Scope, inclusive: readonly string[], out: Output): void {
  const scope = renderStart(el, rendered, inclusive, out);
  if (el.source !== undefined) renderStreamedContent(el, scope, inclusive, out);
  else {
    const children = el.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i] as XmlNode;
      if (typeof c === "string") emit(out, escapeText(c));
      else renderElement(c, scope, inclusive, out);
    }
  }
  emit(out, `</${el.qname}>`);
}

/**
 * Canonical content of a streamed element, read again from its source text. Wherever the
 * source is already canonical (a plain `<name>` whose namespace is rendered already, text
 * without references, `>` or CR, a plain `</name>`), the source text is copied in runs
 * instead of being rebuilt piece by piece.
 */
function renderStreamedContent(
  el: XmlElement,
  scope: Scope,
  inclusive: readonly string[],
  out: Output,
): void {
  const source = el.source as string;
  // Rendered-namespace scopes of the open elements, innermost last.
  const scopes: Scope[] = [scope];
  // Start of the source text not yet written, which is canonical as it stands.
  let run = el.startTagEnd;
  const flushTo = (at: number): void => {
    if (at > run) emit(out, source.slice(run, at));
  };
  const handler: ContentHandler = {
    start(child) {
      const top = scopes[scopes.length - 1] as Scope;
      if (
        child.startTagEnd - child.start === child.qname.length + 2 &&
        child.attributes.length === 0 &&
        child.declarations.length === 0 &&
        inclusive.length === 0 &&
        top[child.prefix ?? ""] === (child.namespaceURI ?? "")
      ) {
        scopes.push(top);
        return;
      }
      flushTo(child.start);
      scopes.push(renderStart(child, top, inclusive, out));
      run = child.startTagEnd;
    },
    text(value, raw, from, to) {
      if (value === raw && raw.indexOf(">") < 0) return;
      flushTo(from);
      emit(out, escapeText(value));
      run = to;
    },
    end(child) {
      scopes.pop();
      if (!child.selfClosing && child.end - child.contentEnd === child.qname.length + 3) return;
      flushTo(child.contentEnd);
      emit(out, `</${child.qname}>`);
      run = child.end;
    },
  };
  read(source, el.startTagEnd, el.contentEnd, el, el.scope, {}, handler);
  flushTo(el.contentEnd);
}

/** Element children of `el`. */
export function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (typeof c !== "string") out.push(c);
  return out;
}

/** Every element in `root`'s subtree (root included), document order. */
export function descendants(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (el: XmlElement): void => {
    out.push(el);
    if (el.kept) for (const k of el.kept) out.push(k);
    const children = el.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i] as XmlNode;
      if (typeof c !== "string") walk(c);
    }
  };
  walk(root);
  return out;
}

/** Whether `node` is the element `{ns}local`. */
export function isXmlElement(
  node: XmlNode | null | undefined,
  ns: string,
  local: string,
): node is XmlElement {
  return typeof node === "object" && node !== null && node.localName === local && node.namespaceURI === ns;
}

/**
 * Whether `el` is a SOAP 1.1 Body directly under the document's root element — the
 * element worth streaming ({@link ParseOptions.streamContentOf}).
 */
export function isEnvelopeBody(el: XmlElement): boolean {
  return (
    el.localName === "Body" &&
    el.namespaceURI === SOAP11_NAMESPACE &&
    el.parentNode !== null &&
    el.parentNode.parentNode === null
  );
}

/** Every `{ns}local` element in `root`'s subtree, document order. */
export function elementsNamed(root: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const el of descendants(root)) if (el.localName === local && el.namespaceURI === ns) out.push(el);
  return out;
}

/** Attribute local names treated as XML IDs (xml-crypto and xmlsec resolve all of these). */
const ID_NAMES: ReadonlySet<string> = new Set(["Id", "ID", "id"]);

/** Every Id-like attribute (`Id`, `ID`, `id`, in any namespace) with its element, document order. */
export function idAttributesOf(root: XmlElement): { value: string; element: XmlElement }[] {
  const out: { value: string; element: XmlElement }[] = [];
  for (const el of descendants(root))
    for (const a of el.attributes) if (ID_NAMES.has(a.localName)) out.push({ value: a.value, element: el });
  return out;
}

/** The text of an element holding only character data; undefined when it has child elements. */
export function textContentOnly(el: XmlElement): string | undefined {
  let text = "";
  for (const c of el.children) {
    if (typeof c !== "string") return undefined;
    text += c;
  }
  return text;
}
