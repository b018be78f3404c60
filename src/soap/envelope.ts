/**
 * The SOAP 1.1 codec of the client: pure functions from wire objects (the generated
 * `generated/` shapes) to compact envelope text and from response text back to plain
 * objects. No sockets here, so it is unit-testable with recorded bytes.
 *
 * Why our own serializer instead of node-soap's: the envelope must be byte-exact and
 * small (the network-impact figures compare our bytes with the vendor's), and the
 * security hook needs the exact text that goes on the wire. node-soap adds xsi/xsd
 * declarations and writes a JS `Date` as an empty element.
 * @module
 */
import { DOMParser, type Element } from "@xmldom/xmldom";
import { TransportError, ValidationError } from "../errors.js";

/** Target namespace of the Communication Service contract (v1). */
export const SERVICE_NAMESPACE = "urn:esolutions:communication:v1";
/** SOAP 1.1 envelope namespace. */
export const SOAP11_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/";
/** SOAP 1.2 envelope namespace (W3C SOAP 1.2 Part 1 §5), recognised only to refuse it with a clear error. */
export const SOAP12_NAMESPACE = "http://www.w3.org/2003/05/soap-envelope";

// XML 1.0 forbids these code points even as character references.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const FORBIDDEN_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * Escapes text content. `\r` becomes `&#13;` because XML parsers normalize a literal
 * CR away, and a meter name or detail must arrive as sent; NEL (U+0085), LINE SEPARATOR
 * (U+2028) and PARAGRAPH SEPARATOR (U+2029) become character references too, since parsers
 * that apply XML 1.1's line-end rules (§2.11) or go beyond them (xmldom 0.9 does) turn them
 * into `\n` as well.
 * @throws ValidationError `INVALID_VALUE` for characters XML 1.0 cannot carry.
 */
export function escapeText(text: string, field = "value"): string {
  if (FORBIDDEN_XML_CHARS.test(text)) {
    throw new ValidationError("INVALID_VALUE", `${field} contains a control character XML cannot carry`);
  }
  return text.replace(/[&<>\r\u0085\u2028\u2029]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : `&#${c.charCodeAt(0)};`,
  );
}

/**
 * Writes one element (or, for an array, one element per item) with unqualified name
 * `name`. Objects are written in key order, which the mappers keep equal to the schema's
 * xsd:sequence order; `undefined` members are left out.
 * @throws ValidationError `INVALID_VALUE` for a value that has no XML form here (a Date, a function…).
 */
export function serializeElement(name: string, value: unknown, field: string = name): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) {
    let out = "";
    for (let i = 0; i < value.length; i++) out += serializeElement(name, value[i], `${field}[${i}]`);
    return out;
  }
  if (
    value instanceof Date ||
    (typeof value !== "object" &&
      typeof value !== "string" &&
      typeof value !== "number" &&
      typeof value !== "boolean")
  ) {
    throw new ValidationError(
      "INVALID_VALUE",
      `${field} has no XML form (${value instanceof Date ? "Date" : typeof value})`,
    );
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new ValidationError("INVALID_VALUE", `${field} is not a finite number`);
  }
  if (typeof value === "object") {
    let inner = "";
    for (const [child, childValue] of Object.entries(value as Record<string, unknown>)) {
      inner += serializeElement(child, childValue, `${field}.${child}`);
    }
    return inner === "" ? `<${name}/>` : `<${name}>${inner}</${name}>`;
  }
  const text = typeof value === "string" ? escapeText(value, field) : String(value);
  return text === "" ? `<${name}/>` : `<${name}>${text}</${name}>`;
}

/**
 * Builds the request envelope of `operation`: no XML declaration, no whitespace, no
 * Header (the security hook adds one), our namespace declared once on the operation
 * element with the one-letter prefix `e`, children unqualified as the schema says.
 * @example
 * ```ts
 * buildEnvelope("Sync", { ProxyId: "p1", ClientTime: "2026-11-25T18:00:00Z" });
 * // <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><e:Sync
 * //   xmlns:e="urn:esolutions:communication:v1"><ProxyId>p1</ProxyId>...</e:Sync></s:Body></s:Envelope>
 * ```
 */
export function buildEnvelope(operation: string, body: object): string {
  let inner = "";
  for (const [child, value] of Object.entries(body)) inner += serializeElement(child, value);
  return (
    `<s:Envelope xmlns:s="${SOAP11_NAMESPACE}"><s:Body>` +
    `<e:${operation} xmlns:e="${SERVICE_NAMESPACE}">${inner}</e:${operation}>` +
    "</s:Body></s:Envelope>"
  );
}

/** A plain object read from XML: leaves are strings, repeated elements arrays. */
export interface ParsedElement {
  [child: string]: string | ParsedElement | Array<string | ParsedElement>;
}

/** The parts of a SOAP 1.1 fault the client needs. */
export interface ParsedFault {
  /** `faultcode` as written, a QName such as `soap:Client` or `wsse:FailedCheck`. */
  faultCode: string;
  /** Namespace the `faultcode` prefix is bound to, when it resolves. */
  faultCodeNamespace?: string;
  faultString: string;
  /** `CommunicationFault` detail, when the server sent one. */
  detail?: { code?: string; retryable?: boolean; field?: string };
}

/** A parsed response body: either the operation's response element or a fault. */
export type ParsedResponse =
  | { kind: "response"; element: string; value: ParsedElement }
  | { kind: "fault"; fault: ParsedFault };

/**
 * Names of elements the schema lets repeat (maxOccurs > 1). A single occurrence still
 * becomes an array so mappers see one shape. A unit test keeps this in step with the WSDL.
 */
export const REPEATED_ELEMENTS: ReadonlySet<string> = new Set([
  "Device",
  "Meter",
  "Read",
  "Supply",
  "Report",
  "Status",
  "EnableService",
  "BillingRequest",
  "SuppliesRequest",
  "Disable",
]);

function toPlain(el: Element): string | ParsedElement {
  const kids = elementChildren(el);
  if (kids.length === 0) return el.textContent ?? "";
  const out: ParsedElement = {};
  for (const kid of kids) {
    const name = kid.localName ?? kid.nodeName;
    const value = toPlain(kid);
    const existing = out[name];
    if (REPEATED_ELEMENTS.has(name)) {
      if (Array.isArray(existing)) existing.push(value);
      else out[name] = [value];
    } else if (existing === undefined) {
      out[name] = value;
    }
  }
  return out;
}

function badResponse(reason: string, status: number | undefined): TransportError {
  return new TransportError(
    "BAD_RESPONSE",
    `the server's answer is not a usable SOAP 1.1 response: ${reason}`,
    {
      retryable: false,
      ...(status === undefined ? {} : { status }),
    },
  );
}

/**
 * The first element of the Body of a SOAP 1.1 envelope: the response element or a
 * `soap:Fault` (test with {@link isSoapFault}).
 * @throws TransportError `BAD_RESPONSE` when the text is not a SOAP 1.1 envelope with a non-empty Body.
 */
export function bodyElementOf(text: string, status?: number): Element {
  if (/<!DOCTYPE/i.test(text)) throw badResponse("it declares a DOCTYPE", status);
  let root: Element | null;
  try {
    const errors: string[] = [];
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== "warning") errors.push(message);
      },
    }).parseFromString(text, "text/xml");
    if (errors.length > 0) throw new Error(errors[0]);
    root = doc.documentElement;
  } catch (err) {
    throw badResponse(`malformed XML (${String((err as Error).message).split("\n")[0]})`, status);
  }
  if (root?.localName !== "Envelope" || root.namespaceURI !== SOAP11_NAMESPACE) {
    throw badResponse("the root is not a SOAP 1.1 Envelope", status);
  }
  const body = elementChildren(root).find(
    (c) => c.localName === "Body" && c.namespaceURI === SOAP11_NAMESPACE,
  );
  if (!body) throw badResponse("the envelope has no Body", status);
  const first = elementChildren(body)[0];
  if (!first) throw badResponse("the Body is empty", status);
  return first;
}

/** Whether a Body element is a SOAP 1.1 `Fault` (SOAP 1.1 §4.4). */
export function isSoapFault(element: Element): boolean {
  return element.localName === "Fault" && element.namespaceURI === SOAP11_NAMESPACE;
}

/**
 * Parses a response envelope into the Body's first element (as a plain object) or a
 * fault.
 * @throws TransportError `BAD_RESPONSE` when the text is not a SOAP 1.1 envelope.
 */
export function parseResponse(text: string, status?: number): ParsedResponse {
  const first = bodyElementOf(text, status);
  if (isSoapFault(first)) {
    return { kind: "fault", fault: parseFault(first) };
  }
  const value = toPlain(first);
  return {
    kind: "response",
    element: first.localName ?? first.nodeName,
    value: typeof value === "string" ? {} : value,
  };
}

/** The element children of `el`, in document order. */
export function elementChildren(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

/** Reads a SOAP 1.1 `Fault` element (SOAP 1.1 §4.4): code, string, and a `CommunicationFault` detail. */
export function parseFault(fault: Element): ParsedFault {
  const kids = elementChildren(fault);
  // faultcode/faultstring/detail are unqualified in SOAP 1.1; tolerate qualified ones.
  const child = (name: string) => kids.find((k) => k.localName === name);
  const codeEl = child("faultcode");
  const faultCode = (codeEl?.textContent ?? "").trim();
  const out: ParsedFault = { faultCode, faultString: (child("faultstring")?.textContent ?? "").trim() };
  const colon = faultCode.indexOf(":");
  const ns = codeEl && colon > 0 ? codeEl.lookupNamespaceURI(faultCode.slice(0, colon)) : null;
  if (ns) out.faultCodeNamespace = ns;
  const detail = child("detail");
  const cf = detail ? elementChildren(detail).find((k) => k.localName === "CommunicationFault") : undefined;
  if (cf) {
    const fields = elementChildren(cf);
    const text = (name: string) => fields.find((k) => k.localName === name)?.textContent?.trim();
    const code = text("Code");
    const retryable = text("Retryable");
    const field = text("Field");
    out.detail = {
      ...(code ? { code } : {}),
      ...(retryable === undefined ? {} : { retryable: retryable === "true" || retryable === "1" }),
      ...(field ? { field } : {}),
    };
  }
  return out;
}
