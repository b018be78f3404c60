/**
 * Reads a WSDL 1.1 description with everything it pulls in — `wsdl:import`, `xsd:import`
 * and `xsd:include` by relative path or URL — into one index of definitions and schema
 * components keyed by qualified name (`{namespace}local`). XML is parsed with
 * `@xmldom/xmldom`, the SDK's XML parser; DOCTYPEs are refused (no entity expansion).
 * @module
 */
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { DOMParser, type Element } from "@xmldom/xmldom";
import { ConfigError } from "../errors.js";

/** WSDL 1.1 namespace (WSDL 1.1 §2.1). */
export const WSDL_NAMESPACE = "http://schemas.xmlsoap.org/wsdl/";
/** WSDL 1.1 SOAP 1.1 binding namespace (WSDL 1.1 §3). */
export const WSDL_SOAP11_NAMESPACE = "http://schemas.xmlsoap.org/wsdl/soap/";
/** WSDL 1.1 SOAP 1.2 binding namespace (W3C Note "WSDL 1.1 Binding Extension for SOAP 1.2"). */
export const WSDL_SOAP12_NAMESPACE = "http://schemas.xmlsoap.org/wsdl/soap12/";
/** XML Schema namespace (XML Schema Part 1 §3.15). */
export const XSD_NAMESPACE = "http://www.w3.org/2001/XMLSchema";
/**
 * The namespaces of the XML Schema drafts (1999, 2000/10) that old WSDLs — the WSDL 1.1 Note's
 * own examples among them — still use; read as {@link XSD_NAMESPACE}.
 */
const XSD_DRAFT_NAMESPACES = new Set([
  "http://www.w3.org/2000/10/XMLSchema",
  "http://www.w3.org/1999/XMLSchema",
]);

/** `ns`, with an XML Schema draft namespace read as the Recommendation's. */
export function canonicalNamespace(ns: string): string {
  return XSD_DRAFT_NAMESPACES.has(ns) ? XSD_NAMESPACE : ns;
}

/** The namespace `prefix` (null: the default namespace) is bound to at `el` (Namespaces in XML §6.1), or null. */
export function lookupNamespace(el: Element, prefix: string | null): string | null {
  if (prefix === "xml") return "http://www.w3.org/XML/1998/namespace";
  const attr = prefix === null ? "xmlns" : `xmlns:${prefix}`;
  for (let n: Element | null = el; n && n.nodeType === 1; n = n.parentNode as Element | null) {
    if (n.hasAttribute(attr)) {
      const value = n.getAttribute(attr) ?? "";
      return value === "" ? null : canonicalNamespace(value);
    }
  }
  return null;
}

/** The element's namespace, with XML Schema drafts read as the Recommendation. */
function nsOf(el: Element): string {
  return canonicalNamespace(el.namespaceURI ?? "");
}

/** A `{namespace}local` key. */
export type QKey = string;

/** `{namespace}local`. */
export function qkey(ns: string, local: string): QKey {
  return `{${ns}}${local}`;
}

/** The schema a component was declared in. */
export interface SchemaContext {
  /** Its `targetNamespace` (or the including schema's, for a chameleon include). */
  tns: string;
  /** `elementFormDefault="qualified"`. */
  elementsQualified: boolean;
  /** `attributeFormDefault="qualified"`. */
  attributesQualified: boolean;
  /** Where it was read from, for messages. */
  location: string;
}

/** A schema component with its schema. */
export interface Component {
  /** The declaring element (`xsd:element`, `xsd:complexType`, …). */
  node: Element;
  /** Its schema. */
  schema: SchemaContext;
}

/** Everything read, indexed. */
export interface WsdlIndex {
  /** Where the description was read from. */
  location: string;
  /** `wsdl:message` by key. */
  messages: Map<QKey, Element>;
  /** `wsdl:portType` by key. */
  portTypes: Map<QKey, Element>;
  /** `wsdl:binding` by key. */
  bindings: Map<QKey, Element>;
  /** `wsdl:service` elements in document order. */
  services: Element[];
  /** Global `xsd:element`s. */
  elements: Map<QKey, Component>;
  /** Global `xsd:complexType`/`xsd:simpleType`s. */
  types: Map<QKey, Component>;
  /** Global `xsd:group`s. */
  groups: Map<QKey, Component>;
  /** Global `xsd:attributeGroup`s. */
  attributeGroups: Map<QKey, Component>;
  /** Global `xsd:attribute`s. */
  attributes: Map<QKey, Component>;
}

/** The element children of `el`, in document order. */
export function children(el: Element, ns?: string, local?: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    if (ns !== undefined && nsOf(e) !== ns) continue;
    if (local !== undefined && e.localName !== local) continue;
    out.push(e);
  }
  return out;
}

/** Resolves a QName-valued attribute (`tns:Foo`, or `Foo` in the default namespace) against `el`'s scope. */
export function resolveQName(el: Element, value: string): { ns: string; local: string } {
  const colon = value.indexOf(":");
  const prefix = colon < 0 ? null : value.slice(0, colon);
  const local = value.slice(colon + 1);
  const ns = lookupNamespace(el, prefix);
  if (ns === null && prefix !== null) {
    throw new ConfigError(
      "CODEGEN_WSDL",
      `the prefix "${prefix}" of ${JSON.stringify(value)} is not declared (in <${el.tagName}>)`,
    );
  }
  return { ns: ns ?? "", local };
}

function toUrl(location: string, base?: URL): URL {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return new URL(location);
  if (base) return new URL(location, base);
  return pathToFileURL(location);
}

function shown(url: URL): string {
  return url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
}

/**
 * One line for why a read failed: the error's `code` (`ENOENT`), else its message, followed by
 * what `fetch` hides in its `cause` chain — `ECONNREFUSED`, a DNS failure (`ENOTFOUND`), a TLS
 * refusal (`DEPTH_ZERO_SELF_SIGNED_CERT`…), a blocked port (Fetch Standard §2.9 "bad port").
 */
function failureText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  let text = e?.code ?? (e?.name === "TimeoutError" ? "timed out" : String(e?.message ?? err));
  const seen = new Set<unknown>([err]);
  for (let c = e?.cause as NodeJS.ErrnoException | undefined; c && !seen.has(c) && seen.size < 5; ) {
    seen.add(c);
    const inner =
      c instanceof AggregateError ? (c.errors[0] as NodeJS.ErrnoException | undefined) : undefined;
    const code = c.code ?? inner?.code;
    const message = (inner?.message ?? c.message ?? "").replace(/\s+/g, " ").trim();
    text += code && !message.includes(code) ? ` (${code}: ${message})` : ` (${message || code})`;
    c = c.cause as NodeJS.ErrnoException | undefined;
  }
  return text;
}

/** Reads one document: a file (`file:`) or an `http(s):` URL, within `timeoutMs`. */
async function fetchText(url: URL, from: string | undefined, timeoutMs: number): Promise<string> {
  const what = from ? `${shown(url)} (imported by ${from})` : shown(url);
  try {
    if (url.protocol === "file:") return await readFile(url, "utf8");
    if (url.protocol === "http:" || url.protocol === "https:") {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
      return await res.text();
    }
  } catch (err) {
    throw new ConfigError("CODEGEN_WSDL", `cannot read ${what}: ${failureText(err)}`);
  }
  throw new ConfigError("CODEGEN_WSDL", `cannot read ${what}: only files and http(s) URLs are supported`);
}

function parseXml(text: string, where: string): Element {
  if (/<!DOCTYPE/i.test(text))
    throw new ConfigError("CODEGEN_WSDL", `${where} declares a DOCTYPE, which is not read`);
  const errors: string[] = [];
  let root: Element | null = null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== "warning") errors.push(message);
      },
    }).parseFromString(text, "text/xml");
    root = doc.documentElement;
  } catch (err) {
    errors.push((err as Error).message);
  }
  if (errors.length > 0 || !root) {
    const first = String(errors[0] ?? "no root element");
    const reason = (
      /prefix is non-null and namespace is null/.test(first)
        ? "an element or attribute uses a namespace prefix that is not declared"
        : first
    )
      .split("\n")[0]
      ?.replace(/^\[xmldom [a-z]+\]\s*/i, "");
    throw new ConfigError("CODEGEN_WSDL", `${where} is not well-formed XML: ${reason}`);
  }
  return root;
}

/**
 * Reads the description at `location` (a file path or URL) and everything it imports.
 * @throws ConfigError `CODEGEN_WSDL` naming the document that cannot be read or parsed, or
 * is not a WSDL 1.1 description.
 */
export async function readWsdl(location: string, options: { timeoutMs?: number } = {}): Promise<WsdlIndex> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const start = toUrl(location);
  const index: WsdlIndex = {
    location: shown(start),
    messages: new Map(),
    portTypes: new Map(),
    bindings: new Map(),
    services: [],
    elements: new Map(),
    types: new Map(),
    groups: new Map(),
    attributeGroups: new Map(),
    attributes: new Map(),
  };
  const seen = new Set<string>();

  const readSchema = async (schema: Element, url: URL, chameleonTns?: string): Promise<void> => {
    const ctx: SchemaContext = {
      tns: schema.getAttribute("targetNamespace") || chameleonTns || "",
      elementsQualified: schema.getAttribute("elementFormDefault") === "qualified",
      attributesQualified: schema.getAttribute("attributeFormDefault") === "qualified",
      location: shown(url),
    };
    for (const child of children(schema, XSD_NAMESPACE)) {
      const name = child.getAttribute("name");
      const key = name ? qkey(ctx.tns, name) : "";
      switch (child.localName) {
        case "element":
          if (name) index.elements.set(key, { node: child, schema: ctx });
          break;
        case "complexType":
        case "simpleType":
          if (name) index.types.set(key, { node: child, schema: ctx });
          break;
        case "group":
          if (name) index.groups.set(key, { node: child, schema: ctx });
          break;
        case "attributeGroup":
          if (name) index.attributeGroups.set(key, { node: child, schema: ctx });
          break;
        case "attribute":
          if (name) index.attributes.set(key, { node: child, schema: ctx });
          break;
        case "import":
        case "include":
        case "redefine": {
          const at = child.getAttribute("schemaLocation");
          if (!at) break; // an import of a namespace defined elsewhere in the description
          const target = toUrl(at, url);
          const root = await load(target, shown(url));
          if (!root) break;
          if (nsOf(root) !== XSD_NAMESPACE || root.localName !== "schema")
            throw new ConfigError("CODEGEN_WSDL", `${shown(target)} is not an XML Schema document`);
          await readSchema(root, target, child.localName === "import" ? undefined : ctx.tns);
          break;
        }
      }
    }
  };

  const load = async (url: URL, from: string | undefined): Promise<Element | undefined> => {
    const key = url.href;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const text = await fetchText(url, from, timeoutMs);
    return parseXml(text, from ? `${shown(url)} (imported by ${from})` : shown(url));
  };

  const readDefinitions = async (root: Element, url: URL): Promise<void> => {
    if (nsOf(root) === XSD_NAMESPACE && root.localName === "schema") {
      await readSchema(root, url);
      return;
    }
    if (root.namespaceURI !== WSDL_NAMESPACE || root.localName !== "definitions")
      throw new ConfigError(
        "CODEGEN_WSDL",
        `${shown(url)} is not a WSDL 1.1 description (its root is <${root.tagName}>${root.namespaceURI === "http://www.w3.org/ns/wsdl" ? ", WSDL 2.0" : ""})`,
      );
    const tns = root.getAttribute("targetNamespace") ?? "";
    for (const child of children(root, WSDL_NAMESPACE)) {
      const name = child.getAttribute("name") ?? "";
      switch (child.localName) {
        case "import": {
          const at = child.getAttribute("location");
          if (!at) break;
          const target = toUrl(at, url);
          const imported = await load(target, shown(url));
          if (imported) await readDefinitions(imported, target);
          break;
        }
        case "types":
          for (const schema of children(child, XSD_NAMESPACE, "schema")) await readSchema(schema, url);
          break;
        case "message":
          index.messages.set(qkey(tns, name), child);
          break;
        case "portType":
          index.portTypes.set(qkey(tns, name), child);
          break;
        case "binding":
          index.bindings.set(qkey(tns, name), child);
          break;
        case "service":
          index.services.push(child);
          break;
      }
    }
  };

  const root = await load(start, undefined);
  if (root) await readDefinitions(root, start);
  return index;
}
